"""Codes to try at the demo's till (store HZ01, 文三路店) without a scanner: type them into the scan box."""
from sqlalchemy import select

from webapp.catalog.barcodes import with_check_digit
from webapp.catalog.models import SKU, Barcode, Product, Tracking
from webapp.extensions import db
from webapp.sales.models import Order
from webapp.sales.online.models import OnlineOrder, OnlineStatus
from webapp.stock import queries as stock_queries
from webapp.stock.models import Lot, StockLevel
from webapp.stores.models import Store


def codes_to_try(store_code: str = "HZ01") -> list[tuple[str, str]]:
    """(what it is, the code), read from the demo as loaded."""
    store = db.session.scalar(select(Store).where(Store.code == store_code))
    found = []
    cola = db.session.scalar(select(Barcode.code).join(SKU).join(Product)
                             .where(Product.name == "可口可乐 汽水 330ml").limit(1))
    if cola:
        found.append(("a barcode (可口可乐 330ml)", cola))
    weighed = db.session.execute(select(Product.plu, Product.name).where(Product.plu.is_not(None))
                                 .order_by(Product.plu).limit(1)).first()
    if weighed:
        found.append((f"a PLU, weighed ({weighed.name}: the till asks for the weight)", weighed.plu))
        found.append((f"a scale label: {weighed.name}, 0.500 kg", with_check_digit(f"21{weighed.plu}00500")))
    style = db.session.scalar(select(Product.style_code).where(Product.style_code.is_not(None))
                              .order_by(Product.style_code).limit(1))
    if style:
        found.append(("a style number (款号: pick the size and colour)", style))
    shelf = stock_queries.shelf_of(store) if store else None
    serial = db.session.execute(
        select(SKU.code, Lot.code).join(Lot, Lot.sku_id == SKU.id).join(Product, Product.id == SKU.product_id)
        .join(StockLevel, StockLevel.lot_id == Lot.id)
        .where(Product.tracking == Tracking.SERIAL.value, StockLevel.location_id == (shelf.id if shelf else 0),
               StockLevel.on_hand > 0).order_by(Lot.code).limit(1)).first() if shelf else None
    if serial:
        found.append((f"a serial-numbered item: scan {serial[0]}, then its serial number", serial[1]))
    pickup = db.session.scalar(
        select(OnlineOrder.pickup_code).join(Order, Order.id == OnlineOrder.order_id)
        .where(Order.store_id == (store.id if store else 0), OnlineOrder.status == OnlineStatus.READY.value,
               OnlineOrder.fulfilment == "pickup").order_by(OnlineOrder.id).limit(1))
    if pickup:
        found.append(("an online order's pickup code (ready to hand over)", pickup))
    return found
