"""Brands: one name per chain, given in the product form (made on first use, offered again) and in the CSV."""
from sqlalchemy import func, select

from tests.catalog.test_csv import upload
from tests.catalog.test_products import admin, product_form  # noqa: F401  (the HQ admin fixture)
from webapp.catalog import queries, scanning
from webapp.catalog.models import Brand
from webapp.extensions import db


def test_the_product_form_gives_a_brand_made_on_first_use_and_offered_again(client, admin):  # noqa: F811
    assert client.post("/admin/products/new", data=product_form(brand=" 农夫山泉 ")).status_code == 303
    water = scanning.find("6921168509256").product
    assert water.brand.name == "农夫山泉"
    assert client.post("/admin/products/new", data=product_form(**{
        "name": "农夫山泉 饮用天然水 1.5L", "brand": "农夫山泉", "variants-0-code": "NFSQ1500",
        "variants-0-barcodes": ""})).status_code == 303
    assert db.session.scalar(select(func.count(Brand.id))) == 1  # the same brand, not a second one
    page = client.get(f"/admin/products/{water.id}").get_data(as_text=True)
    assert 'list="brand-names"' in page and '<option value="农夫山泉">' in page and 'value="农夫山泉"' in page


def test_a_brand_can_be_taken_off_and_an_overlong_one_is_refused_in_words(client, admin):  # noqa: F811
    client.post("/admin/products/new", data=product_form(brand="康师傅"))
    water = scanning.find("6921168509256").product
    assert client.post(f"/admin/products/{water.id}", data=product_form(brand="")).status_code == 303
    db.session.refresh(water)
    assert water.brand is None
    refused = client.post(f"/admin/products/{water.id}", data=product_form(brand="牌" * 51),
                          headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 422 and "50" in refused.get_data(as_text=True)


def test_the_csv_brings_brands_in_and_takes_them_out(client, admin):  # noqa: F811
    text = ("product,sku,list_price,brand\n"
            "康师傅 红烧牛肉面,KSF1,4.50,康师傅\n"
            "可口可乐 330ml,KKL330,3.50,可口可乐\n"
            "散装花生,HS1,12.00,\n")
    assert upload(client, "/admin/products/import", text).status_code == 303
    assert queries.product_named("康师傅 红烧牛肉面").brand.name == "康师傅"
    assert queries.product_named("散装花生").brand is None
    exported = client.get("/admin/products/export.csv").get_data(as_text=True)
    assert exported.splitlines()[0].endswith(",brand")
    assert any(line.startswith("康师傅 红烧牛肉面,") and line.endswith(",康师傅") for line in exported.splitlines())
    # An import without the column keeps the brand it has.
    assert upload(client, "/admin/products/import", "product,sku,list_price\n康师傅 红烧牛肉面,KSF1,4.80\n").status_code == 303
    db.session.expire_all()
    assert queries.product_named("康师傅 红烧牛肉面").brand.name == "康师傅"
