"""Product photos for the demo, drawn here with Pillow (nothing downloaded): bottles, cans, a crisp bag
and a T-shirt in each of its colours, each with its label colour and text, uploaded through the same
service HQ uses (so they are checked, resized and named like any upload)."""
import io
import os

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from webapp.catalog.models import Product
from webapp.catalog.photos.services import colours_of, save_photo
from webapp.extensions import db

FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
         "/usr/share/fonts/truetype/arphic/uming.ttc", "C:/Windows/Fonts/msyh.ttc", "/System/Library/Fonts/PingFang.ttc")

# product name → (shape, label colour, label text)
PICTURES = {
    "农夫山泉 饮用天然水 550ml": ("bottle", (206, 32, 41), "农夫山泉"),
    "怡宝 饮用纯净水 555ml": ("bottle", (0, 138, 82), "怡宝"),
    "可口可乐 汽水 330ml": ("can", (228, 0, 43), "可口可乐"),
    "百事可乐 汽水 330ml": ("can", (0, 75, 147), "百事可乐"),
    "雪碧 柠檬味汽水 330ml": ("can", (0, 140, 70), "雪碧"),
    "乐事 薯片 美国经典原味 70g": ("bag", (250, 200, 20), "乐事"),
    "乐事 薯片 黄瓜味 70g": ("bag", (80, 170, 60), "乐事"),
}
SHIRT = "货通优选 男士纯棉圆领短袖T恤"
SHIRT_COLOURS = {"白": (246, 246, 244), "黑": (35, 35, 38), "灰": (150, 152, 156)}
SIDE = 800


def _font(size: int):
    for path in FONTS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return None  # no Chinese font on this machine: the label goes without text


def _canvas(shade=(244, 241, 236)) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (SIDE, SIDE), shade)
    draw = ImageDraw.Draw(image)
    draw.ellipse((170, 690, 630, 750), fill=(222, 218, 210))  # the shadow on the shelf
    return image, draw


def _label(draw, box, colour, text, size=64):
    draw.rounded_rectangle(box, radius=18, fill=colour)
    font = _font(size)
    if font and text:
        left, top, right, bottom = box
        ink = (255, 255, 255) if sum(colour) < 600 else (40, 40, 40)
        draw.text(((left + right) / 2, (top + bottom) / 2), text, font=font, fill=ink, anchor="mm")


def bottle(colour, text) -> Image.Image:
    image, draw = _canvas()
    draw.rounded_rectangle((345, 90, 455, 150), radius=10, fill=colour)  # the cap
    draw.rounded_rectangle((360, 150, 440, 215), radius=8, fill=(205, 228, 240))  # the neck
    draw.rounded_rectangle((270, 200, 530, 720), radius=70, fill=(196, 224, 240))  # clear plastic, water inside
    draw.rounded_rectangle((290, 260, 510, 700), radius=55, fill=(170, 208, 232))
    draw.rectangle((300, 300, 330, 660), fill=(225, 240, 248))  # a highlight
    _label(draw, (270, 380, 530, 540), colour, text, 52)
    return image


def can(colour, text) -> Image.Image:
    image, draw = _canvas()
    draw.rounded_rectangle((250, 140, 550, 710), radius=40, fill=colour)
    draw.rounded_rectangle((265, 120, 535, 170), radius=20, fill=(200, 202, 206))  # the lid
    draw.rounded_rectangle((265, 680, 535, 720), radius=18, fill=(190, 192, 196))
    draw.rectangle((285, 190, 310, 660), fill=tuple(min(255, c + 60) for c in colour))  # a highlight
    font = _font(96)
    if font:  # the brand runs down the can, one character under the other, as printed on Chinese cans
        top = 425 - 55 * (len(text) - 1)
        for n, char in enumerate(text):
            draw.text((410, top + 110 * n), char, font=font, fill=(255, 255, 255), anchor="mm")
    return image


def bag(colour, text) -> Image.Image:
    image, draw = _canvas()
    draw.polygon([(220, 130), (580, 130), (610, 700), (190, 700)], fill=colour)
    for x in range(220, 581, 24):  # the crimped seal
        draw.polygon([(x, 110), (x + 12, 140), (x + 24, 110)], fill=tuple(max(0, c - 40) for c in colour))
    draw.ellipse((300, 430, 500, 600), fill=(245, 214, 120))  # a crisp on the front
    _label(draw, (250, 230, 550, 370), (200, 20, 30), text, 80)
    return image


def shirt(colour) -> Image.Image:
    image, draw = _canvas((236, 238, 241))
    outline = (120, 120, 124) if sum(colour) > 600 else tuple(min(255, c + 30) for c in colour)
    body = [(250, 170), (330, 140), (400, 175), (470, 140), (550, 170), (660, 280), (590, 350), (550, 320),
            (550, 700), (250, 700), (250, 320), (210, 350), (140, 280)]
    draw.polygon(body, fill=colour, outline=outline, width=4)
    draw.arc((340, 120, 460, 210), 20, 160, fill=outline, width=6)  # the collar
    return image


DRAW = {"bottle": bottle, "can": can, "bag": bag}


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_demo_photos(folder: str) -> int:
    """Draw and upload the demo's photos; returns how many were saved."""
    saved = 0
    for name, (shape, colour, text) in PICTURES.items():
        product = _product(name)
        if product is not None:
            save_photo(product, _jpeg(DRAW[shape](colour, text)), folder=folder)
            saved += 1
    product = _product(SHIRT)
    if product is not None:
        for colour in colours_of(product):
            if colour in SHIRT_COLOURS:
                save_photo(product, _jpeg(shirt(SHIRT_COLOURS[colour])), folder=folder, colour=colour)
                saved += 1
    return saved


def _product(name: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.name == name))
