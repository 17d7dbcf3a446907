"""Demo store orders to head office: terms for the franchise store, delivery prices, HQ pack sizes, a shipped
order on its way to the franchise store (invoiced), a payment, rebate tiers, and a direct store's order
waiting in HQ's queue. The franchise store's week of sales gives it suggestions of its own.

Everything goes through the supply services, as a franchisee and HQ would do it.
"""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.demo.products import PACKAGED, DemoSku
from webapp.extensions import db
from webapp.stock.services import receive, sell
from webapp.stores.models import Store
from webapp.supply import account, allocation, orders, shipping
from webapp.supply.models import DeliveryPrice, FranchiseTerms, PriceGroup, RebateTier, SupplyItem
from webapp.supply.terms import settings

MARKUP = Decimal("1.08")  # franchise stores pay HQ's cost plus 8 %
CASE_OF = {"可口可乐 汽水 330ml": 24, "农夫山泉 饮用天然水 550ml": 24, "康师傅 冰红茶 500ml": 15,
           "雪碧 柠檬味汽水 330ml": 24, "卫龙 大面筋 102g": 10}
NEW_ITEM = "元气森林 苏打气泡水 白桃味 480ml"
DISCONTINUED = "德芙 丝滑牛奶巧克力 43g"
# The franchise store's busy week (SKU, sold a day), so its suggestions show real figures.
WEEK = [("农夫山泉 饮用天然水 550ml", "6"), ("康师傅 冰红茶 500ml", "4"), ("卫龙 大面筋 102g", "2"),
        ("可口可乐 汽水 330ml", "5")]
SHIPPED_ORDER = [("农夫山泉 饮用天然水 550ml", 24), ("康师傅 冰红茶 500ml", 15), ("卫龙 大面筋 102g", 10)]
DIRECT_STORE_ORDER = [("可口可乐 汽水 330ml", 48), ("雪碧 柠檬味汽水 330ml", 24)]


def create_supply(stores: dict[str, Store], skus: list[DemoSku], users: dict[str, User]) -> None:
    admin, franchisee, franchise = users["admin"], users["franchisee"], stores["HZ03"]
    by_name = {item.name: item for item in skus}
    found = settings(lock=True)
    found.lead_time_days = 2
    group = PriceGroup(name="加盟标准配送价")
    db.session.add(group)
    db.session.flush()
    db.session.add(FranchiseTerms(store_id=franchise.id, credit_limit=Decimal("20000.00"), payment_days=30,
                                  group_id=group.id))
    db.session.add_all(DeliveryPrice(group_id=group.id, sku_id=item.sku.id,
                                     price=(item.cost * MARKUP).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
                       for item in skus if item.kind == PACKAGED)
    db.session.add_all(SupplyItem(sku_id=by_name[name].sku.id, pack_size=Decimal(case)) for name, case in CASE_OF.items())
    db.session.add(SupplyItem(sku_id=by_name[NEW_ITEM].sku.id, pack_size=Decimal("15"),
                              new_until=(utcnow() + timedelta(days=30)).date()))
    db.session.add(SupplyItem(sku_id=by_name[DISCONTINUED].sku.id, orderable=False))
    db.session.add_all([RebateTier(threshold=Decimal("5000.00"), percent=Decimal("1.00")),
                        RebateTier(threshold=Decimal("20000.00"), percent=Decimal("2.00"))])
    db.session.flush()

    for name, per_day in WEEK:  # the week's goods came in on Monday and mostly sold
        item = by_name[name]
        receive(franchise, item.sku, Decimal(per_day) * 8, item.cost, user=franchisee, document=("receipt", "DEMO-WEEK"))
        sell(franchise, item.sku, Decimal(per_day) * 7, user=franchisee, document=("sale", f"DEMO-WEEK-{name}"))

    order = orders.draft_for(franchise, user=franchisee)
    for name, qty in SHIPPED_ORDER:
        orders.set_quantity(order, by_name[name].sku, qty)
    orders.set_note(order, "周末备货")
    orders.submit(order, user=franchisee)
    allocation.approve(order, user=admin)
    shipping.ship(order, user=admin)
    account.record_payment(franchise, "50.00", "DEMO-转账-0001", user=admin, note="上月货款")

    waiting = orders.draft_for(stores["HZ01"], user=users["manager"])
    for name, qty in DIRECT_STORE_ORDER:
        orders.set_quantity(waiting, by_name[name].sku, qty)
    orders.submit(waiting, user=users["manager"])
