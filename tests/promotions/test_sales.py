"""Promotions on real sales: the allocation stored with the lines, returns, hints, budgets, time, channels."""
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import event, select

from tests.conftest import manager_of
from webapp.catalog.services import category_by_path
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.promotions import editing
from webapp.promotions.models import OrderLinePromotion
from webapp.promotions.services import Channel, hint_for, price_cart, savings_of
from webapp.sales import services as sales

D = Decimal


def _return(till, sale, *picks):
    return sales.return_lines(sale, [(sale.lines[i], qty) for i, qty in picks], user=till.cashier,
                              shift=till.shift, register=till.register, refund_method="cash",
                              approver=manager_of(till.store))


def test_the_sale_stores_each_promotions_saving_per_line_exact_to_the_fen(make_store, goods, make_till,
                                                                             make_promotion):
    store = make_store()
    cola, tea, chips = (goods(p, stores=[store]) for p in ("3.50", "5.00", "6.80"))
    make_promotion("threshold", name="满10减1", tiers=[("10", "1")], everything=True)
    sale = make_till(store).sell((cola, 1), (tea, 1), (chips, 1))
    rows = db.session.execute(select(OrderLinePromotion.order_line_id, OrderLinePromotion.amount)
                              .order_by(OrderLinePromotion.order_line_id)).all()
    assert [amount for _, amount in rows] == [D("0.23"), D("0.33"), D("0.44")]  # 1.00 over 3.50 : 5.00 : 6.80
    assert [line.amount for line in sale.lines] == [D("3.27"), D("4.67"), D("6.36")]
    assert [(a.name, a.saving) for a in savings_of(sale)] == [("满10减1", D("1.00"))]


def test_a_partial_return_refunds_exactly_the_stored_allocation(make_store, goods, make_till, make_promotion):
    store = make_store()
    till = make_till(store)
    cola, tea, chips = (goods(p, stores=[store]) for p in ("3.50", "5.00", "6.80"))
    make_promotion("threshold", tiers=[("10", "1")], everything=True)
    sale = till.sell((cola, 1), (tea, 1), (chips, 1))
    assert _return(till, sale, (2, 1)).total == D("6.36")
    assert _return(till, sale, (0, 1), (1, 1)).total == D("7.94")  # everything back: 14.30 in all


def test_returning_a_paid_item_of_buy_two_get_one_does_not_leave_the_free_one_free(make_store, goods, make_till,
                                                                                    make_promotion):
    store = make_store()
    till = make_till(store)
    chips = goods("6.80", stores=[store])
    make_promotion("buy_get", buy="2", free="1", sku_ids=[chips.id])
    sale = till.sell((chips, 3))
    assert sale.total == D("13.60")
    assert _return(till, sale, (0, 1)).total == D("0.00")  # the two kept cost 13.60 without the reward
    assert _return(till, sale, (0, 2)).total == D("13.60")


def test_returning_the_paid_item_of_a_mixed_buy_two_get_one_repays_the_rest_later(make_store, goods, make_till,
                                                                                   make_promotion):
    store = make_store()
    till = make_till(store)
    cola = goods("3.50", stores=[store], category="饮料/碳酸饮料")
    tea = goods("5.00", stores=[store], category="饮料/茶饮")
    make_promotion("buy_get", buy="2", free="1", category_ids=[category_by_path("饮料").id])
    sale = till.sell((cola, 2), (tea, 1))
    assert sale.total == D("8.50")
    tea_line = next(i for i, ln in enumerate(sale.lines) if ln.sku_id == tea.id)
    cola_line = 1 - tea_line
    assert _return(till, sale, (tea_line, 1)).total == D("1.50")  # the colas kept now cost 7.00
    assert _return(till, sale, (cola_line, 2)).total == D("7.00")  # all back: 8.50 in all


def test_returning_one_of_second_item_half_price_refunds_the_half(make_store, goods, make_till, make_promotion):
    store = make_store()
    till = make_till(store)
    tea = goods("5.00", stores=[store])
    make_promotion("nth_item", nth="2", percent="50", sku_ids=[tea.id])
    sale = till.sell((tea, 2))
    assert sale.total == D("7.50")
    assert _return(till, sale, (0, 1)).total == D("2.50")


def test_the_till_shows_the_nearest_threshold_not_reached(make_store, goods, make_till, make_promotion):
    store = make_store()
    nuts = goods("29.90", stores=[store])
    make_promotion("threshold", tiers=[("100", "10"), ("200", "30")], everything=True)
    order = make_till(store).ring_up((nuts, 3))
    hint = hint_for(order)
    assert (hint.missing, hint.saving) == (D("10.30"), D("10"))
    sales.set_quantity(order, order.lines[0], 4)
    hint = hint_for(order)
    assert order.total == D("109.60") and (hint.missing, hint.saving) == (D("80.40"), D("30"))


def test_a_manual_order_discount_comes_off_after_the_promotions(make_store, goods, make_till, make_promotion,
                                                                 make_user):
    store = make_store()
    till = make_till(store)
    bread = goods("12.00", stores=[store])
    make_promotion("fixed_price", price="9.90", sku_ids=[bread.id])
    order = till.ring_up((bread, 2))
    manager = make_user(stores=[store])
    sales.apply_order_discount(order, "0.80", user=manager)
    assert (order.lines[0].priced_amount, order.total) == (D("19.80"), D("19.00"))


def test_a_promotion_used_up_stops_applying(make_store, goods, make_till, make_promotion):
    store = make_store()
    till = make_till(store)
    bread = goods("12.00", stores=[store])
    make_promotion("fixed_price", price="9.90", sku_ids=[bread.id], max_uses="1")
    assert till.sell((bread, 1)).total == D("9.90")
    assert till.sell((bread, 1)).total == D("12.00")


def test_a_discount_budget_caps_the_saving(make_store, goods, make_till, make_promotion):
    store = make_store()
    till = make_till(store)
    bread = goods("12.00", stores=[store])
    make_promotion("percent", percent="50", sku_ids=[bread.id], max_discount="8.00")
    assert till.sell((bread, 1)).total == D("6.00")
    assert till.sell((bread, 1)).total == D("10.00")  # 2.00 of the budget left
    assert till.sell((bread, 1)).total == D("12.00")


def test_happy_hour_applies_only_in_its_hours_and_days(make_store, goods, make_promotion):
    store = make_store()
    bread = goods("12.00")
    make_promotion("percent", percent="50", sku_ids=[bread.id], weekdays=[0], hour_from=18, hour_to=20)
    monday_7pm = datetime(2026, 12, 7, 11, 0)  # 19:00 in Shanghai, a Monday
    assert price_cart(store, Channel.POS, [(bread, 1)], at=monday_7pm).total == D("6.00")
    assert price_cart(store, Channel.POS, [(bread, 1)], at=monday_7pm + timedelta(hours=2)).total == D("12.00")
    assert price_cart(store, Channel.POS, [(bread, 1)], at=monday_7pm + timedelta(days=1)).total == D("12.00")


def test_dates_stores_and_channels_limit_where_a_promotion_applies(make_store, goods, make_promotion):
    here, there = make_store(), make_store()
    bread = goods("12.00")
    make_promotion("fixed_price", price="9.90", sku_ids=[bread.id], store_ids=[here.id], channels=["shop"],
                   starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=1))
    assert price_cart(here, Channel.SHOP, [(bread, 1)]).total == D("9.90")
    assert price_cart(here, Channel.POS, [(bread, 1)]).total == D("12.00")
    assert price_cart(there, Channel.SHOP, [(bread, 1)]).total == D("12.00")
    assert price_cart(here, Channel.SHOP, [(bread, 1)], at=utcnow() + timedelta(days=2)).total == D("12.00")


def test_members_only_promotions_need_a_member(make_store, goods, make_promotion):
    store = make_store()
    bread = goods("12.00")
    make_promotion("percent", percent="10", sku_ids=[bread.id], members_only=True)
    assert price_cart(store, Channel.POS, [(bread, 1)]).total == D("12.00")
    assert price_cart(store, Channel.POS, [(bread, 1)], member=object()).total == D("10.80")


def test_a_stopped_promotion_no_longer_prices_anything(make_store, goods, make_promotion):
    store = make_store()
    bread = goods("12.00")
    promotion = make_promotion("fixed_price", price="9.90", sku_ids=[bread.id])
    assert price_cart(store, Channel.POS, [(bread, 1)]).total == D("9.90")
    editing.stop(promotion)
    assert price_cart(store, Channel.POS, [(bread, 1)]).total == D("12.00")


def test_pricing_asks_the_database_the_same_few_questions_for_3_lines_or_30(make_store, goods, make_promotion):
    store = make_store()
    skus = [goods("2.00", category="零食") for _ in range(30)]
    for sku in skus[:10]:
        make_promotion("percent", percent="10", sku_ids=[sku.id])
    make_promotion("threshold", tiers=[("50", "5")], category_ids=[category_by_path("零食").id], max_uses="100")
    price_cart(store, Channel.POS, [(sku, 1) for sku in skus])  # rules loaded once, then kept

    def count(lines):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            price_cart(store, Channel.POS, lines)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert count([(sku, 1) for sku in skus[:3]]) == count([(sku, 1) for sku in skus]) <= 4
