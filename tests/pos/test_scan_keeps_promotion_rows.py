"""A scan replaces the promotion rows of the lines a promotion took something off, and only theirs.

``promotions.services.record`` reads from a line's amounts as last priced whether it holds rows: a sale no
promotion touched sends no DELETE as it is rung up, and a line that held rows has them replaced — also when
its quantity changes back to an amount its old saving made.
"""
from decimal import Decimal

from sqlalchemy import event, select

from webapp.extensions import db
from webapp.promotions import editing
from webapp.promotions.models import OrderLinePromotion
from webapp.sales import services as sales
from webapp.sales.models import Order

D = Decimal


def _rows(order):
    return db.session.execute(
        select(OrderLinePromotion.order_line_id, OrderLinePromotion.amount)
        .where(OrderLinePromotion.order_line_id.in_([ln.id for ln in order.lines]))
        .order_by(OrderLinePromotion.order_line_id)).all()


def _fresh(order_id: int) -> Order:
    db.session.commit()
    db.session.expunge_all()
    return db.session.get(Order, order_id)


def _percent_off(sku, percent):
    promotion = editing.save(None, editing.PromotionInput(name=f"{percent}%", kind="percent", percent=percent,
                                                          sku_ids=[sku.id]), user=None)
    editing.start(promotion)
    return promotion


def test_a_line_half_price_back_to_its_old_amount_has_its_saving_replaced_not_doubled(till, make_sku):
    sku = make_sku(price="5.00")
    _percent_off(sku, "50")
    order = till.sale()
    sales.add_item(order, sku, 2)  # 10.00 less 5.00: priced at 5.00
    order = _fresh(order.id)
    assert [amount for _, amount in _rows(order)] == [D("5.00")]
    sales.set_quantity(order, order.lines[0], 1)  # 5.00 × 1 is the old priced amount: still replaced
    order = _fresh(order.id)
    assert [amount for _, amount in _rows(order)] == [D("2.50")]
    assert order.lines[0].amount == D("2.50")


def test_a_promotion_stopped_leaves_no_rows_on_the_next_scan(till, make_sku):
    halved, other = make_sku(price="8.00"), make_sku(price="3.00")
    promotion = _percent_off(halved, "50")
    order = till.sale()
    sales.add_item(order, halved, 1)
    order = _fresh(order.id)
    assert [amount for _, amount in _rows(order)] == [D("4.00")]
    editing.stop(db.session.merge(promotion))
    order = _fresh(order.id)
    sales.add_item(order, other, 1)
    order = _fresh(order.id)
    assert _rows(order) == []
    assert [line.amount for line in order.lines] == [D("8.00"), D("3.00")]


def test_lines_no_promotion_touched_send_no_delete(till, make_sku):
    skus = [make_sku(price=p) for p in ("3.50", "5.00", "6.80")]
    order = till.sale()
    sales.add_item(order, skus[0], 1)
    order = _fresh(order.id)
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        sales.add_item(order, skus[1], 1)
        sales.set_quantity(order, order.lines[0], 3)
        sales.add_item(order, skus[2], 2)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert not [s for s in statements if "order_line_promotions" in s], statements
    order = _fresh(order.id)
    assert order.total == D("3.50") * 3 + D("5.00") + D("6.80") * 2


def test_the_receipt_reads_the_promotions_only_of_a_sale_a_promotion_saved_something(till, make_sku):
    from webapp.promotions.services import savings_of

    halved, plain = make_sku(price="8.00"), make_sku(price="3.00")
    _percent_off(halved, "50")
    saved, full_price = till.sell((halved, 1), (plain, 2)), till.sell((plain, 1))
    saved, full_price = _fresh(saved.id), _fresh(full_price.id)
    assert [(a.name, a.saving) for a in savings_of(saved)] == [("50%", D("4.00"))]
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    full_price.lines  # noqa: B018 — in hand, as the receipt has them
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert savings_of(full_price) == []
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
