"""Item 17a: HQ uploads product photos (per product and per colour); they are checked, resized to the sizes
the pages need, WebP with a JPEG fallback, named by content and cached for a year; the shop and the till
show them, the placeholder stays for a product without one."""
import io
import re

import pytest
from PIL import Image

from webapp.auth.models import Role
from webapp.catalog.photos.models import ProductPhoto
from webapp.catalog.services import VariantInput, save_product
from webapp.extensions import db
from webapp.stock import services as stock


def jpeg(width=1200, height=900, colour=(200, 40, 40), kind="JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, kind)
    return out.getvalue()


@pytest.fixture
def media(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path))
    return tmp_path / "products"


@pytest.fixture
def hq(client, login, make_user):
    return login(make_user(Role.HQ_ADMIN))


@pytest.fixture
def shirt(make_store):
    store = make_store(district="西湖区", latitude=30.259, longitude=120.13, name="西湖店")
    store.online_pickup = True
    product = save_product(None, name="纯棉T恤", variants=[
        VariantInput(code="TS-M-R", list_price="69.00", attributes={"尺码": "M", "颜色": "红"}),
        VariantInput(code="TS-M-B", list_price="69.00", attributes={"尺码": "M", "颜色": "蓝"})])
    for sku in product.skus:
        stock.receive(store, sku, 5, "20.00", user=None, document=("receipt", "R1"))
    db.session.commit()
    return product


def upload(client, product, data, colour="", name="photo.jpg"):
    return client.post(f"/admin/products/{product.id}/photos",
                       data={"colour": colour, "photo": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers={"Accept-Language": "zh-CN"})


def test_hq_uploads_a_photo_and_gets_every_size_in_webp_and_jpeg(hq, media, shirt):
    assert upload(hq, shirt, jpeg()).status_code == 303
    [photo] = db.session.query(ProductPhoto).all()
    names = sorted(p.name for p in media.iterdir())
    assert names == sorted(f"{photo.digest}-{size}.{ext}" for size in ("thumb", "large") for ext in ("webp", "jpg"))
    with Image.open(media / f"{photo.digest}-large.webp") as large:
        assert large.format == "WEBP" and large.size == (800, 800)  # square on white, for the product page
    with Image.open(media / f"{photo.digest}-thumb.jpg") as thumb:
        assert thumb.format == "JPEG" and thumb.size == (240, 240)  # lists, cart, till


def test_a_photo_is_served_with_a_years_immutable_cache(hq, client, media, shirt):
    upload(hq, shirt, jpeg())
    [photo] = db.session.query(ProductPhoto).all()
    response = client.get(f"/media/products/{photo.digest}-thumb.webp")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    for wrong in ("../../etc/passwd", f"{photo.digest}-huge.webp", "x.webp", f"{photo.digest}-thumb.png"):
        assert client.get(f"/media/products/{wrong}").status_code == 404


@pytest.mark.parametrize("data, words", [
    (b"GIF89a not really", "不是照片"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "不是照片"),  # a PNG's signature and nothing behind it
    (jpeg()[:400], "不是照片"),  # a truncated upload
    (jpeg(120, 90), "照片太小"),
    (b"\x00" * (9 * 1024 * 1024), "照片太大"),
])
def test_a_file_that_is_no_usable_photo_is_refused_clearly(hq, media, shirt, data, words):
    response = upload(hq, shirt, data)
    assert response.status_code in (303, 422)
    page = hq.get(response.location if response.status_code == 303 else f"/admin/products/{shirt.id}/photos",
                  headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert words in page or words in response.get_data(as_text=True)
    assert db.session.query(ProductPhoto).count() == 0


def test_a_colour_photo_shows_for_that_colour_and_the_products_photo_for_the_others(hq, client, media, shirt):
    upload(hq, shirt, jpeg(colour=(30, 30, 200)), colour="蓝")
    upload(hq, shirt, jpeg(colour=(240, 240, 240)))
    photos = {p.colour: p for p in db.session.query(ProductPhoto)}
    blue = client.get(f"/shop/products/{shirt.id}?v0=M&v1=蓝").get_data(as_text=True)
    red = client.get(f"/shop/products/{shirt.id}?v0=M&v1=红").get_data(as_text=True)
    assert f'{photos["蓝"].digest}-large.webp' in blue and f'{photos[""].digest}-large.webp' in red
    assert '<source type="image/webp"' in red and f'{photos[""].digest}-large.jpg' in red  # the fallback


def test_a_colour_the_product_does_not_have_is_refused(hq, media, shirt):
    upload(hq, shirt, jpeg(), colour="绿")
    assert db.session.query(ProductPhoto).count() == 0


def test_a_new_photo_takes_the_old_ones_place(hq, media, shirt):
    upload(hq, shirt, jpeg(colour=(1, 2, 3)))
    upload(hq, shirt, jpeg(colour=(200, 100, 0)))
    assert db.session.query(ProductPhoto).count() == 1


def test_the_shop_lists_the_cart_and_the_till_show_the_photo_and_the_placeholder_stays_without_one(
        hq, client, media, shirt, make_sku, make_till, login, make_user):
    upload(hq, shirt, jpeg())
    [photo] = db.session.query(ProductPhoto).all()
    plain = make_sku(name="无图商品")
    db.session.commit()
    home = client.get("/shop/search?q=纯棉").get_data(as_text=True)
    assert f"{photo.digest}-thumb.webp" in home
    assert f"/shop/art/{plain.product_id}.svg" in client.get("/shop/search?q=无图").get_data(as_text=True)
    client.post("/shop/cart/add", data={"sku": shirt.skus[0].id, "quantity": "1"})
    assert f"{photo.digest}-thumb.webp" in client.get("/shop/cart").get_data(as_text=True)
    till = make_till()
    cashier = login(till.cashier)
    found = cashier.get(f"/pos/registers/{till.register.id}/search?q=纯棉").get_data(as_text=True)
    assert f"{photo.digest}-thumb.webp" in found


def test_only_hq_uploads_photos(client, login, make_till, media, shirt):
    login(make_till().cashier)
    assert upload(client, shirt, jpeg()).status_code in (302, 303, 403)
    assert db.session.query(ProductPhoto).count() == 0


def test_a_removed_photo_brings_the_placeholder_back(hq, client, media, shirt):
    upload(hq, shirt, jpeg())
    [photo] = db.session.query(ProductPhoto).all()
    assert hq.post(f"/admin/products/{shirt.id}/photos/{photo.id}/remove").status_code == 303
    assert f"/shop/art/{shirt.id}.svg" in client.get(f"/shop/products/{shirt.id}").get_data(as_text=True)
    assert re.search(r"/media/products/", client.get(f"/shop/products/{shirt.id}").get_data(as_text=True)) is None
