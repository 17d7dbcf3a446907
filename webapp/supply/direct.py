"""Supplier direct delivery (直送): chosen lines of a store order become purchase orders delivered to the store.

One purchase order per supplier (the SKU's preferred supplier, else the first that sells it), for
the store, sent at once; the store receives it against that purchase order in 采购 → 收货 like any
other. The lines are out of HQ's allocation and shipping from then on, and count as already
ordered in the store's suggestions through the open purchase order.
"""
from collections import defaultdict

from sqlalchemy import select

from webapp.catalog.models import Supplier
from webapp.extensions import db
from webapp.purchasing import orders as purchase_orders
from webapp.purchasing.models import PurchaseOrder, SupplierItem
from webapp.purchasing.replenishment import round_up_to_packs
from webapp.supply import errors
from webapp.supply.allocation import settings
from webapp.supply.models import PENDING, StoreOrder, StoreOrderLine


def deliver_directly(order: StoreOrder, lines: list[StoreOrderLine], *, user) -> list[PurchaseOrder]:
    settings(lock=True)
    db.session.refresh(order)
    if order.status not in PENDING:
        raise errors.NotPending(number=order.number, status=order.status)
    by_supplier: dict[int, list[tuple[StoreOrderLine, SupplierItem]]] = defaultdict(list)
    for line in lines:
        if line.purchase_order_id is not None:
            continue
        item = _item_for(line)
        if item is None:
            raise errors.NoSupplier(name=line.sku.display_name)
        by_supplier[item.supplier_id].append((line, item))
    made = []
    for supplier_id, chosen in by_supplier.items():
        supplier = db.session.get(Supplier, supplier_id)
        po = purchase_orders.create_order(order.store, supplier, user=user, note=order.number)
        for line, item in chosen:
            purchase_orders.set_line(po, line.sku, round_up_to_packs(line.asked, item.pack_size))
            line.purchase_order_id = po.id
        purchase_orders.send(po)
        made.append(po)
    db.session.flush()
    return made


def _item_for(line: StoreOrderLine) -> SupplierItem | None:
    preferred = line.sku.product.preferred_supplier_id
    items = db.session.scalars(select(SupplierItem).where(SupplierItem.sku_id == line.sku_id)
                               .order_by(SupplierItem.id)).all()
    return next((i for i in items if i.supplier_id == preferred), items[0] if items else None)
