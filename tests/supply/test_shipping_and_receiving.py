"""Shipping moves HQ stock to the store's transit place (first-expiring first); receiving settles differences at once."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import qty
from webapp.clock import business_day
from webapp.extensions import db
from webapp.stock import services as stock
from webapp.stock.models import StockLevel, Usage
from webapp.supply import account, allocation, errors, receiving, shipping
from webapp.supply.models import AccountEntry, ClaimKind, EntryKind, OrderStatus


def on_hand(place, sku):
    return sum((lv.on_hand for lv in db.session.scalars(select(StockLevel).where(
        StockLevel.location_id == place.id, StockLevel.sku_id == sku.id))), qty(0))


def test_shipping_moves_the_approved_goods_into_transit_once_and_invoices(hq, stock_hq, franchise, make_sku,
                                                                          submitted, delivery_price):
    sku = make_sku()
    stock_hq(sku, 30)
    store = franchise(payment_days=15)
    delivery_price(store, sku, "3.00")
    order = submitted(store, [(sku, 10)])
    allocation.approve(order, user=hq.admin)
    shipping.ship(order, user=hq.admin)
    assert order.status == OrderStatus.SHIPPED
    assert on_hand(stock.shelf(hq), sku) == qty(20)
    assert on_hand(stock.location(Usage.TRANSIT, store), sku) == qty(10)
    entry = db.session.scalar(select(AccountEntry).where(AccountEntry.store_id == store.id))
    assert (entry.kind, entry.amount, entry.due_on) == ("invoice", Decimal("30.00"),
                                                      account.local_today() + timedelta(days=15))
    with pytest.raises(errors.NotApproved):
        shipping.ship(order, user=hq.admin)
    assert on_hand(stock.shelf(hq), sku) == qty(20) and account.balance(store) == Decimal("30.00")


def test_the_first_expiring_lot_is_picked_and_shipped_first(hq, stock_hq, franchise, make_sku, submitted):
    sku = make_sku(tracking="lot")
    stock_hq(sku, 10, lot="LATE", expiry=business_day() + timedelta(days=60))
    stock_hq(sku, 10, lot="SOON", expiry=business_day() + timedelta(days=5))
    order = submitted(franchise(), [(sku, 12)])
    allocation.approve(order, user=hq.admin)
    picks = shipping.picking_list(order)
    assert [(code, q) for code, _e, q in picks[0].lots] == [("SOON", qty(10)), ("LATE", qty(2))]
    shipping.ship(order, user=hq.admin)
    assert on_hand(stock.shelf(hq), sku) == qty(8)


def test_receiving_one_unit_short_moves_the_rest_and_credits_the_short_unit(hq, stock_hq, franchise, make_sku,
                                                                            shipped, delivery_price):
    sku = make_sku(barcode="6901234567892")
    stock_hq(sku, 30)
    store = franchise()
    delivery_price(store, sku, "2.50")
    order = shipped(store, [(sku, 6)])
    for _ in range(5):
        receiving.scan(order, sku)
    claims = receiving.confirm(order, user=store.owner)
    assert [(c.kind, c.quantity, c.amount) for c in claims] == [(ClaimKind.SHORT, qty(5) / 5, Decimal("2.50"))]
    assert on_hand(stock.shelf(store), sku) == qty(5)
    assert on_hand(stock.location(Usage.TRANSIT, store), sku) == qty(0)
    kinds = [(e.kind, e.amount) for e in account.entries_of(store)]
    assert (EntryKind.CREDIT_NOTE.value, Decimal("-2.50")) in kinds and account.balance(store) == Decimal("12.50")
    with pytest.raises(errors.NotOnItsWay):
        receiving.confirm(order, user=store.owner)


def test_damaged_goods_are_written_off_and_credited_over_goods_are_kept_and_invoiced(hq, stock_hq, franchise,
                                                                                    make_sku, shipped):
    a, b = make_sku(), make_sku()
    stock_hq(a, 30, cost="1.00")
    stock_hq(b, 30, cost="1.00")
    store = franchise()
    order = shipped(store, [(a, 4), (b, 4)])
    receiving.scan(order, a, 3)
    receiving.scan(order, a, 1, damaged=True)
    receiving.scan(order, b, 5)
    claims = {c.kind: c for c in receiving.confirm(order, user=store.owner)}
    assert set(claims) == {ClaimKind.DAMAGED, ClaimKind.OVER}
    assert on_hand(stock.shelf(store), a) == qty(3) and on_hand(stock.shelf(store), b) == qty(5)
    assert on_hand(stock.shelf(hq), b) == qty(25)
    assert account.balance(store) == Decimal("8.00") - Decimal("1.00") + Decimal("1.00")


def test_receiving_something_not_shipped_or_far_more_than_shipped_is_refused(hq, stock_hq, franchise, make_sku,
                                                                              shipped):
    sku, other = make_sku(), make_sku()
    stock_hq(sku, 30)
    order = shipped(franchise(), [(sku, 4)])
    with pytest.raises(errors.NotOnOrder):
        receiving.scan(order, other)
    with pytest.raises(errors.CountTooLarge):
        receiving.scan(order, sku, 9)
    assert order.lines[0].received == 0


def test_supplier_direct_delivery_turns_lines_into_a_purchase_order_for_the_store(hq, stock_hq, franchise, make_sku,
                                                                                  submitted):
    from webapp.purchasing import suppliers
    from webapp.purchasing.models import OrderStatus as POStatus
    from webapp.supply.direct import deliver_directly

    fresh, cola = make_sku(name="鲜奶"), make_sku(name="可乐")
    supplier = suppliers.save_supplier(None, name="光明乳业")
    suppliers.save_item(supplier, fresh, cost_price="5.00", pack_size="6")
    stock_hq(cola, 50)
    store = franchise()
    order = submitted(store, [(fresh, 10), (cola, 10)])
    with pytest.raises(errors.NoSupplier):
        deliver_directly(order, [order.lines[1]], user=hq.admin)
    (po,) = deliver_directly(order, [order.lines[0]], user=hq.admin)
    assert (po.store_id, po.status, po.lines[0].quantity) == (store.id, POStatus.SENT, qty(12))
    allocation.approve(order, user=hq.admin)
    assert order.lines[0].allocation == "direct" and order.lines[1].approved == qty(10)
    shipping.ship(order, user=hq.admin)
    assert account.balance(store) == order.lines[1].unit_price * 10
