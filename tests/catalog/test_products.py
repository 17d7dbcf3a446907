"""HQ keeps the catalogue: products, SKUs, barcodes and prices, with clear refusals."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.auth.models import Role
from webapp.catalog import queries, scanning
from webapp.catalog.barcodes import InvalidBarcode, classify
from webapp.catalog.models import SKU, Product, Symbology
from webapp.catalog.services import VariantInput, save_product
from webapp.errors import DomainError, InvalidPrice
from webapp.extensions import db


@pytest.fixture
def admin(make_user, login):
    return login(make_user(Role.HQ_ADMIN))


def product_form(**overrides):
    data = {
        "name": "农夫山泉 饮用天然水 550ml", "category_id": "0", "unit": "bottle", "tracking": "none",
        "plu": "", "supplier_id": "0", "active": "y",
        "variants-0-sku_id": "", "variants-0-code": "NFSQ550", "variants-0-attributes": "",
        "variants-0-list_price": "2.00", "variants-0-member_price": "1.80",
        "variants-0-barcodes": "6921168509256",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("code, symbology", [
    ("6921168509256", Symbology.EAN13), ("96385074", Symbology.EAN8),
    ("036000291452", Symbology.UPCA), ("HT-0001", Symbology.CODE128),
])
def test_barcodes_are_recognised_by_their_symbology(code, symbology):
    assert classify(code) == symbology


@pytest.mark.parametrize("code", ["6921168509257", "96385075", "036000291453", "条码", ""])
def test_a_wrong_check_digit_or_bad_barcode_is_refused(code):
    with pytest.raises(InvalidBarcode):
        classify(code)


def test_hq_creates_a_product_with_a_barcode(client, admin):
    response = client.post("/admin/products/new", data=product_form())
    assert response.status_code == 303
    sku = scanning.find("6921168509256")
    assert sku.product.name == "农夫山泉 饮用天然水 550ml"
    assert (sku.list_price, sku.member_price) == (Decimal("2.00"), Decimal("1.80"))


def test_a_product_with_sizes_and_colours_has_a_sku_each(client, admin):
    form = product_form(**{
        "name": "纯棉T恤", "unit": "piece", "variants-0-code": "TS-M-RED", "variants-0-attributes": "尺码=M; 颜色=红",
        "variants-0-barcodes": "", "variants-1-code": "TS-L-RED", "variants-1-attributes": "尺码=L; 颜色=红",
        "variants-1-list_price": "59.00", "variants-1-barcodes": "HT-TS-L-RED",
    })
    assert client.post("/admin/products/new", data=form).status_code == 303
    product = queries.product_named("纯棉T恤")
    assert [(s.code, s.attributes) for s in product.skus] == [
        ("TS-M-RED", {"尺码": "M", "颜色": "红"}), ("TS-L-RED", {"尺码": "L", "颜色": "红"})]


def test_a_wrong_check_digit_is_explained_in_chinese_and_nothing_is_saved(client, admin):
    response = client.post("/admin/products/new", data=product_form(**{"variants-0-barcodes": "6921168509257"}),
                           headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert "条码 6921168509257：校验位错误" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_a_barcode_belongs_to_one_sku_only(client, admin, make_sku):
    make_sku(name="百岁山", barcode="6921168509256")
    db.session.commit()
    response = client.post("/admin/products/new", data=product_form(), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "already belongs to 百岁山" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SKU.id))) == 1


def test_a_negative_price_is_refused(client, admin):
    response = client.post("/admin/products/new", data=product_form(**{"variants-0-list_price": "-1"}))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Product.id))) == 0
    with pytest.raises(InvalidPrice):
        save_product(None, name="x", variants=[VariantInput(code="X", list_price="-0.01")])


def test_editing_a_product_keeps_its_skus_and_can_add_one(client, admin, make_sku):
    sku = make_sku(name="可口可乐 330ml", barcode="6921168509256")
    db.session.commit()
    page = client.get(f"/admin/products/{sku.product_id}").get_data(as_text=True)
    assert "6921168509256" in page
    form = product_form(**{"name": "可口可乐 330ml 罐装", "variants-0-sku_id": str(sku.id), "variants-0-code": sku.code,
                           "variants-1-code": "KKL-6", "variants-1-list_price": "19.80",
                           "variants-1-attributes": "包装=6罐"})
    assert client.post(f"/admin/products/{sku.product_id}", data=form).status_code == 303
    db.session.expire_all()
    product = db.session.get(Product, sku.product_id)
    assert product.name == "可口可乐 330ml 罐装" and [s.code for s in product.skus] == [sku.code, "KKL-6"]


def test_add_a_sku_button_adds_an_empty_row(client, admin):
    response = client.post("/admin/products/new", data=product_form(add_variant="1"))
    assert response.status_code == 200
    assert 'name="variants-1-code"' in response.get_data(as_text=True)


def test_search_finds_chinese_names_by_part_and_by_pinyin_initials(client, admin, make_sku):
    make_sku(name="可口可乐 330ml")
    make_sku(name="百事可乐 600ml", barcode="6921168509256")
    make_sku(name="农夫山泉")
    db.session.commit()

    def names(q):
        html = client.get("/admin/products/", query_string={"q": q}).get_data(as_text=True)
        return [n for n in ("可口可乐", "百事可乐", "农夫山泉") if n in html]

    assert names("可乐") == ["可口可乐", "百事可乐"]
    assert names("kkkl") == ["可口可乐"]
    assert names("6921168509256") == ["百事可乐"]


def test_the_product_list_answers_htmx_with_just_the_table(client, admin, make_sku):
    make_sku(name="可口可乐")
    db.session.commit()
    response = client.get("/admin/products/?q=可口", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="product-table">') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_latin_brand_names_are_found_in_any_case(client, admin, make_sku):
    make_sku(name="小米 Redmi Buds 5")
    make_sku(name="COSTA 醇正拿铁")
    db.session.commit()
    for q, name in [("redmi", "小米 Redmi Buds 5"), ("costa", "COSTA 醇正拿铁"), ("xmredmi", "小米 Redmi Buds 5")]:
        assert name in client.get("/admin/products/", query_string={"q": q}).get_data(as_text=True), q


def test_hq_sets_a_store_price_and_clears_it_again(client, admin, make_store, make_sku):
    from webapp.promotions.services import Channel, price_cart

    store, sku = make_store(), make_sku(price="3.50")
    db.session.commit()
    url = f"/admin/products/{sku.product_id}/prices"
    assert f'name="price-{store.id}-{sku.id}"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={f"price-{store.id}-{sku.id}": "2.99"}).status_code == 303
    assert price_cart(store, Channel.POS, [(sku, 1)]).total == Decimal("2.99")
    bad = client.post(url, data={f"price-{store.id}-{sku.id}": "-1"})
    assert bad.status_code == 422
    assert price_cart(store, Channel.POS, [(sku, 1)]).total == Decimal("2.99")
    client.post(url, data={f"price-{store.id}-{sku.id}": ""})
    assert price_cart(store, Channel.POS, [(sku, 1)]).total == Decimal("3.50")


def test_a_sku_code_cannot_be_another_skus_barcode_nor_the_reverse(make_sku):
    from webapp.catalog.services import CodeClash

    make_sku(code="6921168509256")
    with pytest.raises(CodeClash):
        make_sku(barcode="6921168509256")
    make_sku(barcode="6925303721367")
    with pytest.raises(CodeClash):
        make_sku(code="6925303721367")


def test_two_skus_with_one_code_in_a_form_are_refused(client, admin):
    form = product_form(**{"variants-1-code": "NFSQ550", "variants-1-list_price": "2.00"})
    response = client.post("/admin/products/new", data=form, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "有两个 SKU 的编码都是 NFSQ550" in response.get_data(as_text=True)


@pytest.mark.parametrize("price", ["1.005", "1e20", "abc"])
def test_a_price_that_is_not_an_amount_in_yuan_is_refused_without_a_crash(client, admin, price):
    response = client.post("/admin/products/new", data=product_form(**{"variants-0-list_price": price}))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_a_free_item_can_be_priced_at_zero(client, admin):
    assert client.post("/admin/products/new", data=product_form(**{"variants-0-list_price": "0"})).status_code == 303


def test_a_tampered_sku_id_does_not_crash_the_form(client, admin):
    assert client.post("/admin/products/new", data=product_form(**{"variants-0-sku_id": "abc"})).status_code == 303


def test_a_stocked_product_keeps_its_tracking_and_unit(client, admin, make_store, make_sku):
    from webapp.stock import services

    store, milk = make_store(), make_sku(name="光明 鲜牛奶", tracking="lot", code="GM-MILK")
    services.receive(store, milk, 5, "3.00", user=None, document=("r", "1"), lot_code="B1")
    db.session.commit()
    form = product_form(**{"name": "光明 鲜牛奶", "tracking": "none", "variants-0-sku_id": str(milk.id),
                           "variants-0-code": "GM-MILK", "variants-0-barcodes": ""})
    response = client.post(f"/admin/products/{milk.product_id}", data=form, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "已有库存流水" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, milk.product_id).tracking == "lot"


def test_a_style_number_names_one_product_and_never_a_sku_or_barcode(client, admin):
    form = product_form(**{"name": "纯棉T恤", "style_code": "TS-2026", "variants-0-code": "TS-2026-M",
                           "variants-0-barcodes": ""})
    assert client.post("/admin/products/new", data=form).status_code == 303
    assert scanning.product_by_style_code("TS-2026").name == "纯棉T恤"
    taken = product_form(**{"name": "牛仔裤", "style_code": "TS-2026", "variants-0-code": "JN-1",
                            "variants-0-barcodes": ""})
    response = client.post("/admin/products/new", data=taken, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 422 and "款号 TS-2026 已被" in response.get_data(as_text=True)
    with pytest.raises(DomainError):  # a SKU code may not be someone's style number either
        save_product(None, name="牛仔裤", variants=[VariantInput(code="TS-2026", list_price="99.00")])
    db.session.rollback()  # as the view does on a refusal
    with pytest.raises(DomainError):  # nor a barcode
        save_product(None, name="牛仔裤", variants=[VariantInput(code="JN-1", list_price="99.00", barcodes=["TS-2026"])])
    db.session.rollback()
    assert db.session.scalar(select(func.count(Product.id))) == 1
