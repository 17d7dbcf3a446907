"""Purchase orders: draft → sent → partly received → received, or closed."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.catalog.models import SKU, Supplier
from webapp.clock import utcnow
from webapp.errors import InvalidPrice, InvalidQuantity
from webapp.extensions import db
from webapp.numbers import money, quantity
from webapp.purchasing.errors import NotPackMultiple, OrderEmpty, OrderNotEditable, OrderStatusChange
from webapp.purchasing.labels import ACTIONS, ORDER_STATUS
from webapp.purchasing.models import OrderStatus, PurchaseOrder, PurchaseOrderLine
from webapp.purchasing.numbering import document_number
from webapp.purchasing.replenishment import SupplierSuggestions
from webapp.purchasing.suppliers import item_for
from webapp.stores.models import Store


def create_order(store: Store, supplier: Supplier, *, user, note: str = "", key: str | None = None) -> PurchaseOrder:
    """A new draft; `key` (the form's one-time token) makes a double submit return the first order."""
    key = (key or "").strip()[:40] or None
    done = order_with_key(key)
    if done is not None:
        return done
    try:
        with db.session.begin_nested():  # two taps at once: the second finds the first one's order
            order = PurchaseOrder(number=document_number("PO"), store_id=store.id, supplier_id=supplier.id,
                                  status=OrderStatus.DRAFT, note=note.strip()[:200], key=key,
                                  created_by_id=user.id if user else None)
            db.session.add(order)
            db.session.flush()
    except IntegrityError:
        done = order_with_key(key)
        if done is None:
            raise
        return done
    return order


def order_with_key(key: str | None) -> PurchaseOrder | None:
    key = (key or "").strip()[:40]
    return db.session.scalar(select(PurchaseOrder).where(PurchaseOrder.key == key)) if key else None


def set_line(order: PurchaseOrder, sku: SKU, qty, unit_cost=None) -> PurchaseOrderLine:
    """Order `qty` units of a SKU (a whole number of the supplier's packs); replaces an earlier line."""
    _editable(order)
    qty = quantity(qty)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    item = item_for(order.supplier_id, sku.id)
    pack = item.pack_size if item else Decimal("1")
    if qty % pack != 0:
        raise NotPackMultiple(name=sku.display_name, pack=pack.normalize(), quantity=qty.normalize())
    if unit_cost in (None, ""):
        cost = item.cost_price if item else sku.cost
    else:
        cost = money(unit_cost)
    if cost < 0:
        raise InvalidPrice(price=cost)
    line = next((line for line in order.lines if line.sku_id == sku.id), None)
    if line is None:
        line = PurchaseOrderLine(sku=sku, received=Decimal("0"))
        order.lines.append(line)
    line.quantity, line.pack_size, line.unit_cost = qty, pack, cost
    db.session.flush()
    return line


def remove_line(order: PurchaseOrder, line: PurchaseOrderLine) -> None:
    _editable(order)
    order.lines.remove(line)
    db.session.flush()


def send(order: PurchaseOrder) -> None:
    """The order goes to the supplier: its lines are now on order for replenishment."""
    if not order.lines:
        raise OrderEmpty()
    now = utcnow()
    _move(order, (OrderStatus.DRAFT,), OrderStatus.SENT, "sent", sent_at=now,
          expected_on=(now + timedelta(days=order.supplier.lead_time_days)).date())


def close(order: PurchaseOrder) -> None:
    """Nothing more is expected: a draft is dropped, a sent order's missing goods no longer count on order."""
    _move(order, (OrderStatus.DRAFT, OrderStatus.SENT, OrderStatus.PARTLY_RECEIVED), OrderStatus.CLOSED,
          "closed", closed_at=utcnow())


def order_from_suggestions(store: Store, suggestions: SupplierSuggestions, *, user,
                           key: str | None = None) -> PurchaseOrder:
    """One tap: a supplier's suggested lines become a draft purchase order (once per `key`)."""
    done = order_with_key(key)
    if done is not None:
        return done
    lines = [line for line in suggestions.lines if line.suggestion.quantity > 0]
    if not lines:
        raise OrderEmpty()
    order = create_order(store, suggestions.supplier, user=user, key=key)
    for line in lines:
        order.lines.append(PurchaseOrderLine(sku_id=line.sku.id, quantity=line.suggestion.quantity,
                                             pack_size=line.item.pack_size, unit_cost=line.item.cost_price,
                                             received=Decimal("0")))
    db.session.flush()
    return order


def record_received(order: PurchaseOrder, received: dict[int, Decimal]) -> None:
    """Goods arrived against the order (order line id → quantity); its status follows."""
    for line_id, qty in received.items():
        db.session.execute(update(PurchaseOrderLine).where(PurchaseOrderLine.id == line_id)
                           .values(received=PurchaseOrderLine.received + qty)
                           .execution_options(synchronize_session="fetch"))
    db.session.flush()
    db.session.refresh(order, ["lines"])
    for line in order.lines:
        db.session.refresh(line, ["received"])
    complete = all(line.received >= line.quantity for line in order.lines)
    status = OrderStatus.RECEIVED if complete else OrderStatus.PARTLY_RECEIVED
    db.session.execute(update(PurchaseOrder).where(PurchaseOrder.id == order.id).values(status=status.value)
                       .execution_options(synchronize_session="fetch"))
    db.session.refresh(order, ["status"])


def _editable(order: PurchaseOrder) -> None:
    if order.status != OrderStatus.DRAFT:
        raise OrderNotEditable(number=order.number, status=status_label(order.status))


def _move(order: PurchaseOrder, sources, target: OrderStatus, action: str, **values) -> None:
    """Change status once: a second click (or a second phone) is refused, not repeated."""
    result = db.session.execute(
        update(PurchaseOrder)
        .where(PurchaseOrder.id == order.id, PurchaseOrder.status.in_([s.value for s in sources]))
        .values(status=target.value, **values)
        .execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:
        db.session.refresh(order)
        raise OrderStatusChange(number=order.number, status=status_label(order.status),
                                action=ACTIONS[action])
    db.session.refresh(order)


def status_label(status: str):
    return ORDER_STATUS.get(status, status)
