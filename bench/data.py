"""Benchmark data: a catalogue of N SKUs with valid EAN-13 barcodes and stock in one store.

Rows go in with bulk inserts (not the services, which would take minutes for
26,000 SKUs); the opening stock is one level row per SKU, matched by a move
from the supplier, so the ledger's invariants hold.
"""
from decimal import Decimal

from sqlalchemy import insert, select

from webapp.catalog.barcodes import with_check_digit
from webapp.catalog.models import SKU, Barcode, Product
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.stock.models import StockLevel, StockMove, Usage
from webapp.stores.models import Store
from webapp.stores.services import save_store

BATCH = 2000


def barcode_of(number: int) -> str:
    return with_check_digit(f"69{number:010d}")


def make_catalogue(skus: int, on_hand: int = 1000) -> Store:
    """A store with `skus` products of one SKU each, each with a barcode and `on_hand` in stock."""
    store = save_store(None, code="BENCH", name="压测店")
    stock.ensure_locations(store)
    shelf, supplier = stock.shelf(store), stock.location(Usage.SUPPLIER)
    for start in range(0, skus, BATCH):
        numbers = range(start, min(start + BATCH, skus))
        db.session.execute(insert(Product), [
            {"id": n + 1, "name": f"压测商品 {n:05d}", "initials": f"ycsp{n:05d}", "unit": "piece",
             "weighed": False, "tracking": "none", "active": True} for n in numbers])
        db.session.execute(insert(SKU), [
            {"id": n + 1, "product_id": n + 1, "code": f"B{n:05d}", "attributes": {},
             "list_price": Decimal("3.50"), "cost": Decimal("2.00"), "active": True} for n in numbers])
        db.session.execute(insert(Barcode), [
            {"sku_id": n + 1, "code": barcode_of(n), "symbology": "ean13"} for n in numbers])
        db.session.execute(insert(StockLevel), [
            {"location_id": shelf.id, "sku_id": n + 1, "lot_id": None, "on_hand": Decimal(on_hand),
             "reserved": Decimal(0)} for n in numbers])
        db.session.execute(insert(StockMove), [
            {"sku_id": n + 1, "from_location_id": supplier.id, "to_location_id": shelf.id,
             "quantity": Decimal(on_hand), "unit_cost": Decimal("2.00"), "reason": "receipt",
             "document_type": "opening", "document_id": "BENCH"} for n in numbers])
    db.session.commit()
    return db.session.scalar(select(Store).where(Store.code == "BENCH"))
