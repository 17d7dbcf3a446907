"""Demo purchasing: two drinks wholesalers' terms (cost price, case size) and one sent purchase order."""
from decimal import Decimal

from sqlalchemy import select

from webapp.auth.models import User
from webapp.catalog.models import Supplier
from webapp.demo.products import DemoSku
from webapp.extensions import db
from webapp.purchasing import orders, suppliers
from webapp.stores.models import Store

# name, contact, phone, lead time in days, minimum order (yuan), case size of its bottles
WHOLESALERS = [
    ("杭州西溪饮品批发有限公司", "陈经理", "0571-88765432", 2, "300", Decimal("24")),
    ("浙江之江食品贸易有限公司", "周经理", "0571-86543210", 3, "500", Decimal("15")),
]

# The sent order: HZ01 restocks its best-selling drinks from 西溪 (SKU name, cases).
ORDER_STORE = "HZ01"
ORDER_LINES = [("可口可乐 汽水 330ml", 2), ("农夫山泉 饮用天然水 550ml", 2), ("雪碧 柠檬味汽水 330ml", 1)]


def create_purchasing(stores: dict[str, Store], skus: list[DemoSku], admin: User) -> None:
    for name, contact, phone, lead_time, minimum, case in WHOLESALERS:
        supplier = db.session.scalar(select(Supplier).where(Supplier.name == name))
        suppliers.save_supplier(supplier, name=name, contact=contact, phone=phone, lead_time_days=lead_time,
                                minimum_order=minimum)
        for item in skus:
            if item.sku.product.preferred_supplier_id == supplier.id:
                suppliers.save_item(supplier, item.sku, cost_price=item.cost, pack_size=case)
    by_name = {item.name: item.sku for item in skus}
    xixi = db.session.scalar(select(Supplier).where(Supplier.name == WHOLESALERS[0][0]))
    order = orders.create_order(stores[ORDER_STORE], xixi, user=admin, note="周末备货")
    for name, cases in ORDER_LINES:
        orders.set_line(order, by_name[name], WHOLESALERS[0][5] * cases)
    orders.send(order)
