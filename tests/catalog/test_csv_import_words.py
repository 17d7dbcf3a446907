"""A CSV file as a merchant makes it in Excel: the unit words the product form shows, and cells gone wrong."""
import io

import pytest
from sqlalchemy import func, select

from webapp.auth.models import Role
from webapp.catalog import queries
from webapp.catalog.models import Product
from webapp.extensions import db

HEADER = "product,category,unit,weighed,tracking,plu,sku,attributes,list_price,member_price,barcodes,supplier,active\n"


@pytest.fixture
def admin(make_user, login):
    return login(make_user(Role.HQ_ADMIN))


def upload(client, url, text):
    return client.post(url, data={"file": (io.BytesIO(text.encode("utf-8")), "file.csv")},
                       content_type="multipart/form-data", headers={"Accept-Language": "zh-CN"})


def test_csv_import_accepts_the_chinese_unit_names_the_product_form_shows(client, admin):
    rows = "".join(f"商品{unit},,{unit},no,序列号,,SKU{n},,3.50,,,\n" if unit == "件" else
                   f"商品{unit},,{unit},no,,,SKU{n},,3.50,,,\n"
                   for n, unit in enumerate(["件", "千克", "盒", "瓶", "包", "Bottle"]))
    response = upload(client, "/admin/products/import", HEADER + rows)
    assert response.status_code == 303, response.get_data(as_text=True)
    units = {p.name: p.unit for p in db.session.scalars(select(Product))}
    assert units == {"商品件": "piece", "商品千克": "kg", "商品盒": "box", "商品瓶": "bottle", "商品包": "pack",
                     "商品Bottle": "bottle"}
    assert queries.product_named("商品件").tracking == "serial"


def test_an_unknown_unit_is_refused_with_the_words_that_would_do(client, admin):
    response = upload(client, "/admin/products/import", HEADER + "可乐,,桶,no,,,KL,,3.50,,,\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "桶" in html and "瓶" in html and "千克" in html


@pytest.mark.parametrize("url, header", [
    ("/admin/products/import", HEADER),
    ("/admin/stock/import", "store,sku,quantity,unit_cost,lot,expiry\n"),
])
def test_a_csv_cell_longer_than_131072_characters_is_refused_clearly(client, admin, url, header):
    columns = header.count(",")
    huge = "x" * 200_000
    response = upload(client, url, header + huge + "," * columns + "\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未导入任何数据" in html and "131,072" in html
    assert db.session.scalar(select(func.count(Product.id))) == 0
