"""Photo notes of write-offs: checked to be a real JPEG, PNG or WebP image, kept under instance/."""
import io
import os

from PIL import Image, UnidentifiedImageError

from webapp.stock.write_offs.errors import NotAPhoto, PhotoTooLarge

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FOLDER = "write_off_photos"
LIMIT = 5 * 1024 * 1024  # bytes; WRITE_OFF_PHOTO_MAX_BYTES in the app config overrides it


def check(data: bytes, limit: int) -> str:
    """The file's extension, once it is known to be a photo within the size limit."""
    if len(data) > limit:
        raise PhotoTooLarge(limit=limit // (1024 * 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise NotAPhoto() from None
    if kind not in FORMATS:
        raise NotAPhoto()
    return FORMATS[kind]


def save(instance_path: str, name: str, data: bytes) -> None:
    folder = os.path.join(instance_path, FOLDER)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data)


def path(instance_path: str, name: str) -> str:
    return os.path.join(instance_path, FOLDER, os.path.basename(name))
