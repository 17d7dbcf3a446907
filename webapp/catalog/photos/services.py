"""Product photos in: checked (a real JPEG, PNG or WebP within the size limit, verified by Pillow), made
square on white, resized to the sizes the pages need and written as WebP and JPEG under the media root,
named by a hash of the upload (``<digest>-<size>.<ext>``): a name never changes its content, so it is
served with a year's cache (immutable). A new photo for the same product and colour takes the old one's
place; files stay (a cached page may still show them, and another product may share them).
"""
import hashlib
import io
import os
import tempfile

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from webapp.catalog.models import Product
from webapp.catalog.photos.errors import NotAPhoto, PhotoTooLarge, PhotoTooSmall, UnknownColour
from webapp.catalog.photos.models import ProductPhoto
from webapp.extensions import db

SIZES = {"thumb": 240, "large": 800}  # square sides in pixels: lists, cart and till (2× of 120 px); product page
FORMATS = {"webp": ("WEBP", {"quality": 80, "method": 4}),
           "jpg": ("JPEG", {"quality": 85, "optimize": True, "progressive": True})}
ACCEPTED = {"JPEG", "PNG", "WEBP"}
LIMIT = 8 * 1024 * 1024  # bytes; PRODUCT_PHOTO_MAX_BYTES in the app config overrides it
MOST_PIXELS = 40_000_000  # a 40-megapixel camera's photo; more is a decompression bomb, not a product
LEAST_SIDE = 200
COLOUR_ATTRIBUTES = ("颜色", "colour", "color", "Colour", "Color")


def media_folder(app) -> str:
    """Where the picture files are: MEDIA_ROOT (or the instance folder's media/), products/ under it."""
    root = app.config.get("MEDIA_ROOT") or os.path.join(app.instance_path, "media")
    return os.path.join(root, "products")


def colours_of(product: Product) -> list[str]:
    """The colours the product's active SKUs come in (their 颜色 attribute), in the order entered."""
    found: list[str] = []
    for sku in product.skus:
        if not sku.active:
            continue
        value = colour_of(sku.attributes)
        if value and value not in found:
            found.append(value)
    return found


def colour_of(attributes: dict | None) -> str:
    for name in COLOUR_ATTRIBUTES:
        if (attributes or {}).get(name):
            return str(attributes[name])
    return ""


def save_photo(product: Product, data: bytes, *, folder: str, colour: str = "", limit: int = LIMIT) -> ProductPhoto:
    """The product's photo (for one colour, or for all with ``colour`` empty), from an uploaded file."""
    colour = (colour or "").strip()[:40]
    if colour and colour not in colours_of(product):
        raise UnknownColour(name=product.name, colour=colour)
    image = _decoded(data, limit)
    digest = hashlib.sha256(data).hexdigest()[:32]
    large = _write_all(image, digest, folder)
    photo = db.session.scalar(select(ProductPhoto).where(ProductPhoto.product_id == product.id,
                                                         ProductPhoto.colour == colour))
    if photo is None:
        photo = ProductPhoto(product=product, colour=colour)
        db.session.add(photo)
    photo.digest, (photo.width, photo.height) = digest, large
    db.session.flush()
    return photo


def remove_photo(photo: ProductPhoto) -> None:
    db.session.delete(photo)
    db.session.flush()


def _decoded(data: bytes, limit: int) -> Image.Image:
    if len(data) > limit:
        raise PhotoTooLarge(limit=max(1, limit // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, size = probe.format, probe.size
            probe.verify()  # the file's structure holds (a truncated or forged file fails here)
        if kind not in ACCEPTED or size[0] * size[1] > MOST_PIXELS:
            raise NotAPhoto()
        image = Image.open(io.BytesIO(data))
        largest = max(SIZES.values())
        image.draft("RGB", (largest, largest))  # a JPEG decodes at 1/2, 1/4 or 1/8 when that is still large enough
        image.load()
        image = ImageOps.exif_transpose(image)  # a phone's portrait photo stands up
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise NotAPhoto() from None
    if min(image.size) < LEAST_SIDE:
        raise PhotoTooSmall(side=LEAST_SIDE)
    if image.mode != "RGB":  # transparency on white, as a product on a shop's page
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    return image


def _write_all(image: Image.Image, digest: str, folder: str) -> tuple[int, int]:
    """Every size in every format (skipping files already there); the large picture's size."""
    os.makedirs(folder, exist_ok=True)
    large = (0, 0)
    for name, side in SIZES.items():
        side = min(side, max(image.size))  # never blown up beyond the upload
        square = ImageOps.pad(image, (side, side), method=Image.Resampling.LANCZOS, color="white")
        if name == "large":
            large = square.size
        for ext, (kind, options) in FORMATS.items():
            target = os.path.join(folder, file_name(digest, name, ext))
            if os.path.exists(target):
                continue
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
            with os.fdopen(handle, "wb") as out:
                square.save(out, kind, **options)
            os.replace(temporary, target)  # a reader never sees half a file
    return large


def file_name(digest: str, size: str, ext: str) -> str:
    return f"{digest}-{size}.{ext}"
