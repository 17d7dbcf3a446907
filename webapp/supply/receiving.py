"""Receiving a store order at the store by scanning; what differs becomes a claim at once.

A scan counts one more of the SKU (good or damaged). Confirming moves the good goods from the
store's transit place onto its shelf and records each difference as a claim:

- short (shipped, never arrived) and damaged (arrived broken): written off from transit, and
  a franchise store gets a credit note for them at the price it was invoiced;
- over (arrived, never shipped by the books): the store keeps them — the warehouse's books give
  them — and a franchise store is invoiced for them.
"""
from decimal import Decimal

from sqlalchemy import update

from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.errors import InvalidQuantity
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.purchasing.numbering import document_number
from webapp.stock import services as stock
from webapp.stock import transit as in_transit
from webapp.stock.models import Lot, Usage
from webapp.stores.models import StoreKind
from webapp.supply import account, errors
from webapp.supply.models import Claim, ClaimKind, OrderStatus, StoreOrder, StoreOrderLine
from webapp.supply.orders import lock
from webapp.supply.terms import terms_of
from webapp.supply.warehouse import hq_warehouse

OVER_LIMIT = 2  # a count beyond twice what was shipped is a typo, not a delivery


def scan(order: StoreOrder, sku: SKU, qty=1, *, damaged: bool = False) -> StoreOrderLine:
    lock(order)
    _receivable(order)
    qty = quantity(qty)
    if qty <= 0:
        raise InvalidQuantity(quantity=qty)
    line = next((li for li in order.warehouse_lines if li.sku_id == sku.id and li.shipped > 0), None)
    if line is None:
        raise errors.NotOnOrder(name=sku.display_name, number=order.number)
    _check(line, line.received + line.damaged + qty)
    if damaged:
        line.damaged += qty
    else:
        line.received += qty
    db.session.flush()
    return line


def count(order: StoreOrder, line: StoreOrderLine, received, damaged) -> None:
    """A line's count set outright (a miscounted scan corrected by hand)."""
    lock(order)
    _receivable(order)
    received, damaged = quantity(received), quantity(damaged)
    if received < 0 or damaged < 0:
        raise InvalidQuantity(quantity=min(received, damaged))
    _check(line, received + damaged)
    line.received, line.damaged = received, damaged
    db.session.flush()


def _check(line: StoreOrderLine, counted: Decimal) -> None:
    if counted > line.shipped * OVER_LIMIT:
        raise errors.CountTooLarge(name=line.sku.display_name, counted=counted, shipped=line.shipped)


def _receivable(order: StoreOrder) -> None:
    if order.status != OrderStatus.SHIPPED:
        raise errors.NotOnItsWay(number=order.number, status=order.status)


def confirm(order: StoreOrder, *, user) -> list[Claim]:
    """Shipped → received, once: the good goods onto the shelf; short, damaged and over become claims."""
    lock(order)
    done = db.session.execute(
        update(StoreOrder).where(StoreOrder.id == order.id, StoreOrder.status == OrderStatus.SHIPPED.value)
        .values(status=OrderStatus.RECEIVED.value, received_by_id=user.id if user else None, received_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        db.session.refresh(order)
        raise errors.NotOnItsWay(number=order.number, status=order.status)
    store = order.store
    transit, shelf = stock.location(Usage.TRANSIT, store), stock.shelf(store)
    claims = []
    for line in order.warehouse_lines:
        if line.shipped <= 0:
            continue
        good = min(line.received, line.shipped)
        damaged = min(line.damaged, line.shipped - good)
        short = line.shipped - good - damaged
        over = line.received + line.damaged - line.shipped
        for lot, amount in _left_in_transit(order, line, good):
            stock.transfer(line.sku, amount, transit, shelf, user=user, document=order.document, lot=lot)
        for lot, amount in _left_in_transit(order, line, short + damaged):
            stock.write_off_in_transit(store, line.sku, amount, user=user, document=order.document, lot=lot)
        if over > 0:
            stock.transfer(line.sku, over, stock.shelf(hq_warehouse()), shelf, user=user, document=order.document)
        for kind, amount in ((ClaimKind.SHORT, short), (ClaimKind.DAMAGED, damaged), (ClaimKind.OVER, over)):
            if amount > 0:
                claims.append(_claim(order, line, kind, amount, user))
    db.session.flush()
    return claims


def _claim(order: StoreOrder, line: StoreOrderLine, kind: ClaimKind, qty: Decimal, user) -> Claim:
    value = (qty * line.unit_price).quantize(Decimal("0.01"))
    claim = Claim(number=document_number("CL"), order_id=order.id, line_id=line.id, kind=kind.value, quantity=qty,
                  amount=value)
    db.session.add(claim)
    if order.store.kind == StoreKind.FRANCHISE:
        note = f"{order.number} · {line.sku.display_name} × {qty.normalize()}"
        if kind == ClaimKind.OVER:
            terms = terms_of(order.store)
            account.invoice(order, value, user=user, terms_days=terms.payment_days if terms else 0,
                            document=claim.number, note=note)
        else:
            account.credit_note(order.store, value, claim.number, user=user, note=note)
    return claim


def _left_in_transit(order: StoreOrder, line: StoreOrderLine, wanted: Decimal) -> list[tuple[Lot | None, Decimal]]:
    """Split ``wanted`` over the lots this order put in the store's transit place and not yet took out."""
    if wanted <= 0:
        return []
    return in_transit.take(stock.location(Usage.TRANSIT, order.store), order.document, line.sku, wanted)
