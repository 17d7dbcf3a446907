"""Photo notes of write-offs: checked to be a real JPEG, PNG or WebP image, kept under instance/."""
import io
import os

from PIL import Image, UnidentifiedImageError

from webapp.stock.write_offs.errors import NotAPhoto, PhotoTooLarge

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FOLDER = "write_off_photos"  # under the instance folder
LIMIT = 5 * 1024 * 1024  # bytes; WRITE_OFF_PHOTO_MAX_BYTES in the app config overrides it


def check(data: bytes, limit: int) -> str:
    """The file's extension, once it is known to be a photo within the size limit."""
    if len(data) > limit:
        raise PhotoTooLarge(limit=limit // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise NotAPhoto() from None
    if kind not in FORMATS:
        raise NotAPhoto()
    return FORMATS[kind]


def folder(app) -> str:
    """WRITE_OFF_PHOTO_DIR, or instance/write_off_photos."""
    return app.config.get("WRITE_OFF_PHOTO_DIR") or os.path.join(app.instance_path, FOLDER)


def save(app, name: str, data: bytes) -> None:
    os.makedirs(folder(app), exist_ok=True)
    with open(path(app, name), "wb") as out:
        out.write(data)


def path(app, name: str) -> str:
    return os.path.join(folder(app), os.path.basename(name))
