"""Products and opening stock in and out as CSV: a bad file imports nothing and says why."""
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from webapp.auth.models import Role
from webapp.catalog import queries
from webapp.catalog.models import Product
from webapp.extensions import db
from webapp.stock import queries as stock_queries
from webapp.stock.models import StockMove

HEADER = "product,category,unit,weighed,tracking,plu,sku,attributes,list_price,member_price,barcodes,supplier,active\n"
GOOD = (HEADER
        + "可口可乐 330ml,饮料/碳酸饮料,bottle,no,none,,KKL330,,3.50,3.20,6921168509256,太古可口可乐\n"
        + "纯棉T恤,服装/T恤,piece,no,none,,TS-M,尺码=M,59.00,,,\n"
        + "纯棉T恤,服装/T恤,piece,no,none,,TS-L,尺码=L,59.00,,,\n"
        + "富士苹果,生鲜/水果,kg,yes,none,10001,APPLE,,12.80,,,\n")


@pytest.fixture
def admin(make_user, login):
    return login(make_user(Role.HQ_ADMIN))


def upload(client, url, text, encoding="utf-8"):
    return client.post(url, data={"file": (io.BytesIO(text.encode(encoding)), "file.csv")},
                       content_type="multipart/form-data", headers={"Accept-Language": "zh-CN"})


def test_importing_products_creates_them_with_categories_and_variants(client, admin):
    assert upload(client, "/admin/products/import", GOOD).status_code == 303
    shirt = queries.product_named("纯棉T恤")
    assert [s.code for s in shirt.skus] == ["TS-M", "TS-L"]
    assert shirt.category.path == "服装 / T恤"
    apple = queries.product_named("富士苹果")
    assert apple.weighed and apple.plu == "10001"


def test_a_file_saved_by_chinese_excel_in_gb18030_imports(client, admin):
    assert upload(client, "/admin/products/import", GOOD, encoding="gb18030").status_code == 303
    assert queries.product_named("可口可乐 330ml") is not None


def test_a_bad_row_imports_nothing_and_every_bad_row_is_named(client, admin):
    bad = (GOOD + "雪碧 330ml,饮料,bottle,no,none,,XB330,,abc,,,\n"
           + "芬达 330ml,饮料,bottle,no,none,,FD330,,3.00,,6921168509257,\n")
    response = upload(client, "/admin/products/import", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未导入任何数据：有 2 行出错" in html
    assert "<td>6</td>" in html and "<td>7</td>" in html and "校验位错误" in html
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_a_file_without_the_needed_columns_is_refused(client, admin):
    response = upload(client, "/admin/products/import", "名称,价格\n可乐,3\n")
    assert response.status_code == 422
    assert "文件缺少这些列" in response.get_data(as_text=True)


def test_exported_products_import_again_unchanged(client, admin):
    upload(client, "/admin/products/import", GOOD)
    shirt = queries.sku_by_code("TS-M")
    shirt.active = False  # a size no longer sold
    db.session.commit()
    exported = client.get("/admin/products/export.csv")
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeffproduct,category") and "纯棉T恤,服装/T恤" in text
    assert upload(client, "/admin/products/import", text.lstrip("\ufeff")).status_code == 303
    assert db.session.scalar(select(func.count(Product.id))) == 3
    assert client.get("/admin/products/export.csv").get_data(as_text=True) == text


def test_an_import_with_fewer_columns_changes_only_what_it_names(client, admin):
    upload(client, "/admin/products/import", GOOD)
    assert upload(client, "/admin/products/import",
                  "product,sku,list_price\n富士苹果,APPLE,13.80\n").status_code == 303
    apple = queries.sku_by_code("APPLE")
    db.session.refresh(apple.product)
    assert apple.list_price == Decimal("13.80")
    assert (apple.product.unit, apple.product.weighed, apple.product.plu) == ("kg", True, "10001")
    assert apple.product.category.path == "生鲜 / 水果"


def test_a_row_with_extra_cells_or_an_overlong_name_is_a_row_error(client, admin):
    bad = HEADER + "可乐,饮料,bottle,no,none,,K1,,3.00,,,,yes,surplus\n" + f"{'长' * 150},饮料,,,,,K2,,3.00,,,\n"
    response = upload(client, "/admin/products/import", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "这一行的单元格比表头多" in html and "商品名称太长" in html
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_opening_stock_is_received_through_the_ledger_all_or_nothing(client, admin, make_store, make_sku):
    store = make_store(code="XH01")
    sku = make_sku(code="KKL330", barcode="6921168509256")
    milk = make_sku(code="MILK", tracking="lot")
    db.session.commit()
    header = "store,sku,quantity,unit_cost,lot,expiry\n"
    bad = header + "XH01,KKL330,24,2.10,,\nXH99,KKL330,1,2.10,,\nXH01,MILK,6,3.00,B1,2026-13-01\n"
    response = upload(client, "/admin/stock/import", bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "没有编码为 XH99 的门店" in html and "不是 2026-12-31 这样的日期" in html
    assert db.session.scalar(select(func.count(StockMove.id))) == 0

    good = header + "XH01,6921168509256,24,2.10,,\nXH01,MILK,6,3.00,B1,2026-12-31\n"
    assert upload(client, "/admin/stock/import", good).status_code == 303
    assert stock_queries.level_at(store, sku)[0] == 24
    assert stock_queries.level_at(store, milk)[0] == 6
