"""The demo chain: loaded through the services, idempotent, and a ledger that adds up."""
import os
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select
from stdnum import ean

from webapp import create_app
from webapp.auth.models import Role, User
from webapp.auth.services import authenticate
from webapp.catalog.barcodes import classify
from webapp.catalog.models import SKU, Barcode, Category, Product, StorePrice, Symbology, Tracking, Unit
from webapp.catalog.photos.models import ProductPhoto
from webapp.clock import business_day
from webapp.config import normalise_database_url
from webapp.demo import load_demo
from webapp.extensions import db
from webapp.stock import queries
from webapp.stock.models import Location, Lot, StockLevel, StockMove, StockRule, Usage
from webapp.stores.models import Store, StoreKind

COUNTED = (Store, User, Category, Product, SKU, Barcode, StorePrice, Lot, Location, StockLevel,
           StockMove, StockRule)
SHOPS = ("HZ01", "HZ02", "HZ03")


@dataclass
class Demo:
    app: Flask
    logins: list[tuple[str, str, str]]
    logins_again: list[tuple[str, str, str]]
    first: dict
    second: dict
    pending_after_second: bool


def counts() -> dict:
    found = {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}
    found["on_hand"] = db.session.scalar(select(func.sum(StockLevel.on_hand)))
    found["sku_cost"] = db.session.scalar(select(func.sum(SKU.cost)))
    return found


@pytest.fixture(autouse=True)
def clean_database():
    """Overrides the suite's per-test emptying: the demo is loaded once for this whole module."""
    yield


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo loaded twice into a fresh database (PostgreSQL when TEST_DATABASE_URL is set)."""
    server = os.environ.get("TEST_DATABASE_URL")
    uri = normalise_database_url(server) if server else f"sqlite:///{tmp_path_factory.mktemp('demo')}/demo.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "WTF_CSRF_ENABLED": False,
                      "MEDIA_ROOT": str(tmp_path_factory.mktemp("demo-media"))})
    with app.app_context():
        if server:
            db.drop_all()
        db.create_all()
        logins = load_demo()
        first = counts()
        logins_again = load_demo()
        pending = bool(db.session.new or db.session.dirty or db.session.deleted)
        db.session.rollback()
        second = counts()
        db.session.remove()
    yield Demo(app, logins, logins_again, first, second, pending)
    if server:  # leave the shared server's schema empty but in place for the other test modules
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.engine.dispose()


@pytest.fixture
def session(demo):
    with demo.app.app_context():
        yield db.session
        db.session.rollback()


def store(code: str) -> Store:
    return db.session.scalar(select(Store).where(Store.code == code))


def test_demo_chain_has_a_warehouse_two_direct_stores_and_a_franchise_store(session):
    stores = session.scalars(select(Store).order_by(Store.code)).all()
    assert sorted(s.kind for s in stores) == sorted(
        [StoreKind.HQ_WAREHOUSE, StoreKind.DIRECT, StoreKind.DIRECT, StoreKind.FRANCHISE])
    assert store("HQ").kind == StoreKind.HQ_WAREHOUSE
    for shop in stores:
        assert shop.city == "杭州市" and shop.district and shop.address.startswith("杭州市")
        assert 30.0 < shop.latitude < 30.6 and 119.8 < shop.longitude < 120.5
        assert shop.phone.startswith("0571-") and shop.opening_hours
    assert all(store(code).allow_negative_stock for code in SHOPS)
    assert all(store(code).opening_hours == "07:00-23:00" for code in SHOPS)


def test_every_role_has_a_demo_login_that_works(demo, session):
    assert {role for _, _, role in demo.logins} == {role.value for role in Role}
    for username, password, role in demo.logins:
        assert len(password) >= 8
        user = authenticate(username, password)
        assert user is not None and user.role == role
    assert [s.code for s in authenticate("manager", "manager-8888").stores] == ["HZ01"]
    assert [s.code for s in authenticate("manager2", "manager2-8888").stores] == ["HZ02"]
    assert [s.code for s in authenticate("cashier", "cashier-8888").stores] == ["HZ01"]
    assert [s.code for s in authenticate("franchisee", "franchisee-8888").stores] == ["HZ03"]
    assert authenticate("admin", "wrong-password") is None


def test_catalogue_has_about_300_products_in_the_seven_departments(session):
    assert 280 <= session.scalar(select(func.count(Product.id))) <= 320
    tops = set(session.scalars(select(Category.name).where(Category.parent_id.is_(None))))
    assert tops == {"饮料", "零食", "乳制品", "生鲜", "日用品", "电子产品", "服装"}
    drinks = session.scalar(select(Category).where(Category.name == "碳酸饮料"))
    assert drinks.path == "饮料 / 碳酸饮料"
    assert session.scalar(select(Product).where(Product.name == "农夫山泉 饮用天然水 550ml")).initials


def test_every_barcode_is_a_valid_chinese_ean13(session):
    codes = session.scalars(select(Barcode.code)).all()
    assert len(codes) > 300 and len(set(codes)) == len(codes)
    for code in codes:
        assert classify(code) == Symbology.EAN13 and ean.is_valid(code)
        assert 690 <= int(code[:3]) <= 699


def test_prices_are_exact_and_every_sku_costs_less_than_it_sells_for(session):
    skus = session.scalars(select(SKU)).all()
    assert len({sku.code for sku in skus}) == len(skus)
    assert sum(1 for sku in skus if sku.member_price is not None) >= 30
    for sku in skus:
        assert sku.list_price == sku.list_price.quantize(Decimal("0.01"))
        lowest = min(p for p in (sku.list_price, sku.member_price) if p is not None)
        assert Decimal("0") < sku.cost < lowest, sku.code
    for price in session.scalars(select(StorePrice)):
        assert session.get(SKU, price.sku_id).cost < price.price


def test_fresh_produce_is_weighed_per_kg_with_a_scale_plu(session):
    fresh = session.scalars(select(Product).where(Product.weighed.is_(True))).all()
    assert len(fresh) >= 30
    assert all(p.unit == Unit.KG and p.plu and len(p.plu) == 5 and p.plu.isdigit() for p in fresh)
    weighed_levels = session.scalars(
        select(StockLevel.on_hand).join(SKU).join(Product).where(Product.weighed.is_(True))).all()
    assert any(q != q.to_integral_value() for q in weighed_levels)  # kg to the gram


def test_clothing_comes_in_sizes_and_colours(session):
    clothing = session.scalars(select(Product).join(Category).where(Category.parent.has(name="服装"))).all()
    assert clothing and all(len(p.skus) >= 2 for p in clothing)
    for product in clothing:
        assert all(set(sku.attributes) == {"尺码", "颜色"} for sku in product.skus)


def test_a_few_products_have_drawn_photos_and_the_shirt_one_per_colour(demo, session):
    photos = session.scalars(select(ProductPhoto)).all()
    assert len(photos) >= 8
    shirt = {p.colour for p in photos if p.product.name == "货通优选 男士纯棉圆领短袖T恤"}
    assert shirt == {"白", "黑", "灰"}
    folder = os.path.join(demo.app.config["MEDIA_ROOT"], "products")
    assert all(os.path.exists(os.path.join(folder, f"{p.digest}-thumb.webp")) for p in photos)


def test_every_store_and_the_warehouse_has_stock(session):
    for shop in session.scalars(select(Store)):
        shelf = queries.shelf_of(shop)
        total = session.scalar(select(func.sum(StockLevel.on_hand)).where(StockLevel.location_id == shelf.id))
        skus = session.scalar(select(func.count(func.distinct(StockLevel.sku_id)))
                              .where(StockLevel.location_id == shelf.id, StockLevel.on_hand > 0))
        assert total > 0 and skus >= 280, shop.code


def test_lot_goods_have_lots_with_expiry_dates_ahead(session):
    dairy = session.scalars(select(SKU).join(Product).where(Product.tracking == Tracking.LOT)).all()
    assert len(dairy) >= 20
    for sku in dairy:
        lots = session.scalars(select(Lot).where(Lot.sku_id == sku.id)).all()
        assert len(lots) >= 2 and all(lot.expiry_date and lot.expiry_date > business_day() for lot in lots)
    lotless = session.scalar(select(func.count(StockLevel.id)).join(SKU).join(Product)
                             .where(Product.tracking == Tracking.LOT, StockLevel.lot_id.is_(None)))
    assert lotless == 0


def test_serial_goods_hold_one_unit_per_serial_number(session):
    levels = session.scalars(select(StockLevel).join(SKU).join(Product)
                             .where(Product.tracking == Tracking.SERIAL)).all()
    assert len(levels) >= 20
    assert all(level.lot_id is not None and level.on_hand in (0, 1) for level in levels)


def test_each_shop_shows_sales_of_the_last_7_days_and_a_sku_below_its_warning_line(session):
    assert session.scalar(select(func.count(StockRule.id))) > 100
    for code in SHOPS:
        rows = queries.rows(session.execute(queries.store_overview(store(code))))
        assert any(row.sold_7_days > 0 for row in rows), code
        assert any(row.below_warning for row in rows), code


def test_loading_the_demo_twice_changes_nothing(demo):
    assert demo.first == demo.second
    assert demo.logins == demo.logins_again
    assert not demo.pending_after_second
    assert demo.second["StockMove"] > 1500


def test_the_load_demo_command_prints_the_logins_and_writes_nothing(demo):
    result = demo.app.test_cli_runner().invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "admin-8888" in result.output and "cashier" in result.output
    with demo.app.app_context():
        assert counts() == demo.first


def test_each_stock_level_equals_the_sum_of_its_moves(session):
    levels = session.execute(select(StockLevel.location_id, StockLevel.sku_id, StockLevel.lot_id,
                                    StockLevel.on_hand)).all()
    assert levels
    for location_id, sku_id, lot_id, on_hand in levels:
        assert queries.level_from_moves(location_id, sku_id, lot_id) == on_hand
    shelf_usage = {loc.id: loc.usage for loc in session.scalars(select(Location))}
    assert all(shelf_usage[location_id] in (Usage.INTERNAL, Usage.TRANSIT) for location_id, *_ in levels)  # a transfer is on its way


def test_the_codes_the_demo_prints_to_try_each_mean_what_they_say_at_the_till(demo):
    from webapp.catalog import scanning
    from webapp.demo.codes import codes_to_try
    from webapp.sales.online.models import OnlineOrder

    with demo.app.test_request_context():
        codes = dict((what.split(" (")[0].split(":")[0], code) for what, code in codes_to_try())
        assert set(codes) == {"a barcode", "a PLU, weighed", "a scale label", "a style number",
                              "a serial-numbered item", "an online order's pickup code"}
        assert scanning.resolve(codes["a barcode"]).sku.product.name == "可口可乐 汽水 330ml"
        assert scanning.resolve(codes["a PLU, weighed"]).sku.product.weighed
        assert scanning.resolve(codes["a scale label"]).weight == Decimal("0.500")
        assert scanning.resolve(codes["a style number"], styles=True).style is not None
        assert db.session.scalar(select(OnlineOrder).where(
            OnlineOrder.pickup_code == codes["an online order's pickup code"])).status == "ready"
        db.session.rollback()
