"""The Z report adds up: every figure checked against sums done by hand."""
from decimal import Decimal

from tests.conftest import manager_of
from webapp.auth.models import Role
from webapp.pos import queries, services
from webapp.sales import services as sales
from webapp.sales.services import Tender


def test_z_report_adds_up(till, stocked, make_user):
    manager = make_user(role=Role.STORE_MANAGER, stores=[till.store])
    cola = stocked(till.store, price="3.50", category="饮料/碳酸饮料")
    chips = stocked(till.store, price="8.00", category="零食")
    bag = stocked(till.store, price="0.30")

    # 1: 4 cola 14.00 + chips 8.00 = 22.00, less 2.00 off the order (cola 1.27, chips 0.73) = 20.00;
    #    50.00 cash handed over, 30.00 change.
    first = till.sell((cola, 4), (chips, 1), discount="2.00", approver=manager, pay=[Tender("cash", "50.00")])
    assert [line.amount for line in first.lines] == [Decimal("12.73"), Decimal("7.27")]
    # 2: 2 chips 16.00 + a bag 0.30 = 16.30 by WeChat.
    second = till.sell((chips, 2), (bag, 1), pay=[Tender("wechat", "16.30", "130000000000001234")])
    # 3: 2 cola 7.00: 5.00 by card, 2.00 in cash.
    till.sell((cola, 2), pay=[Tender("card", "5.00", "T-000001"), Tender("cash", "2.00")])
    # Not in the report: a voided sale and one still open.
    voided = sales.open_sale(till.store, till.register, till.shift, till.cashier)
    sales.add_item(voided, cola, 1)
    sales.void(voided)
    sales.add_item(sales.open_sale(till.store, till.register, till.shift, till.cashier), cola, 1)
    # Returns: 1 cola of sale 1 for 12.73 / 4 = 3.18 in cash; 1 chips of sale 2 for 8.00 back to WeChat.
    sales.return_lines(first, [(first.lines[0], 1)], user=till.cashier, shift=till.shift, register=till.register,
                       refund_method="cash", approver=manager_of(till.store))
    sales.return_lines(second, [(second.lines[0], 1)], user=till.cashier, shift=till.shift, register=till.register,
                       approver=manager_of(till.store))
    services.cash_in(till.shift, "100.00", "换零钱", till.cashier)
    services.cash_out(till.shift, "50.00", "付保洁费", till.cashier)
    # Drawer: 200.00 float + 22.00 cash sales − 3.18 cash refund + 100.00 in − 50.00 out = 268.82 expected;
    # counted 2×100 + 50 + 10 + 5 + 3×1 + 0.5 + 3×0.1 = 268.80.
    services.close_shift(till.shift, {"100": 2, "50": 1, "10": 1, "5": 1, "1": 3, "0.5": 1, "0.1": 3}, manager)

    z = queries.z_report(till.shift)
    assert (z.sales_count, z.sales_total) == (3, Decimal("43.30"))
    assert (z.returns_count, z.returns_total, z.net_total) == (2, Decimal("11.18"), Decimal("32.12"))
    assert z.discounts_total == Decimal("2.00")
    assert z.sales_by_method == {"cash": Decimal("22.00"), "wechat": Decimal("16.30"), "card": Decimal("5.00")}
    assert z.refunds_by_method == {"cash": Decimal("3.18"), "wechat": Decimal("8.00")}
    # Top-level categories, sales less returns: drinks 12.73 + 7.00 − 3.18; snacks 7.27 + 16.00 − 8.00; none 0.30.
    assert z.by_category == {"饮料": Decimal("16.55"), "零食": Decimal("15.27"), "": Decimal("0.30")}
    assert sum(z.by_category.values()) == z.net_total
    assert (z.cash.opening_float, z.cash.cash_sales, z.cash.cash_refunds) == (
        Decimal("200.00"), Decimal("22.00"), Decimal("3.18"))
    assert (z.cash.cash_in, z.cash.cash_out) == (Decimal("100.00"), Decimal("50.00"))
    assert (z.expected_cash, z.counted_cash, z.variance) == (Decimal("268.82"), Decimal("268.80"), Decimal("-0.02"))
    assert z.denominations["0.1"] == 3


def test_an_open_shifts_report_shows_the_cash_so_far(till, stocked):
    till.sell((stocked(till.store, price="9.90"), 1), pay=[Tender("cash", "10.00")])
    z = queries.z_report(till.shift)
    assert (z.sales_total, z.expected_cash, z.counted_cash, z.variance) == (
        Decimal("9.90"), Decimal("209.90"), None, None)
