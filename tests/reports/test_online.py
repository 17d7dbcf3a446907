"""Online orders count in the reports once they are handed over, like till sales."""
from decimal import Decimal

import webapp.sales.online.models  # noqa: F401  (tables for create_all)
import webapp.shop.models  # noqa: F401
from tests.reports.conftest import sell
from webapp.auth.models import Role
from webapp.extensions import db
from webapp.reports import sellers, turnover
from webapp.reports.periods import Period
from webapp.sales.online import services as online

PAID_CODE = "134567890123450001"  # the sandbox takes it


def test_a_handed_over_online_order_is_a_sale_and_an_open_one_is_not(make_store, make_user, stocked):
    store = make_store(city="杭州", district="西湖区", latitude=30.259, longitude=120.13)
    store.online_pickup = True
    tea = stocked(store, qty=10, cost="2.00", price="9.00")
    staff = make_user(Role.STORE_MANAGER, stores=[store])
    shopper = make_user(Role.CUSTOMER, phone="13800138000", username="c13800138000")
    collected = online.place_order(store, shopper, [(tea, 3)], phone="13800138000", checkout_key="k-1")
    online.pay(collected, "wechat", PAID_CODE)
    online.start_picking(collected, staff)
    online.mark_ready(collected, staff)
    online.hand_over(collected, staff)
    online.place_order(store, shopper, [(tea, 4)], phone="13800138000", checkout_key="k-2")  # reserved, not sold
    sell(store, tea, 1)
    period = Period.last_days(7)
    [hot] = sellers.rows(db.session.execute(sellers.hot_sellers(store, period)))
    assert (hot.sold, hot.sales_value, hot.margin, hot.on_hand) == (
        Decimal("4"), Decimal("36.00"), Decimal("28.00"), Decimal("6"))
    [row] = turnover.sku_rows(db.session.execute(turnover.by_sku(store, period)), period)
    assert (row.cost_of_sales, row.turnover_days) == (Decimal("8.00"), Decimal("10.5"))  # 12.00 × 7 ÷ 8.00
