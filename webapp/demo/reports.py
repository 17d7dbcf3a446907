"""Something for the reports to show: till orders with a return, write-offs and a small count.

Everything goes through the sales and stock services, so orders keep their
costs and the ledger adds up. All of it happens today (moves are stamped when
they are made), so every period shows it.
"""
from decimal import Decimal

from sqlalchemy import select

from webapp.auth.models import Role, User
from webapp.demo.products import DemoSku
from webapp.extensions import db
from webapp.sales import services as sales
from webapp.sales.services import Tender
from webapp.stock.queries import level_at
from webapp.stock.services import adjust_to_count, write_off
from webapp.stores.models import Store

# Till orders: store code, [(SKU, quantity)].
ORDERS = [
    ("HZ01", [("乐事 薯片 美国经典原味 70g", "3"), ("红牛 维生素功能饮料 250ml", "4")]),
    ("HZ01", [("康师傅 红烧牛肉面 桶装 110g", "6"), ("德芙 丝滑牛奶巧克力 43g", "2")]),
    ("HZ01", [("红牛 维生素功能饮料 250ml", "6"), ("双汇 王中王火腿肠 40g×10支", "1")]),
    ("HZ01", [("康师傅 冰红茶 500ml", "8"), ("乐事 薯片 美国经典原味 70g", "2")]),
    ("HZ01", [("维达 超韧抽纸 3层100抽×3包", "2"), ("南孚 碱性电池 5号 4粒", "1")]),
    ("HZ02", [("康师傅 冰红茶 500ml", "5"), ("德芙 丝滑牛奶巧克力 43g", "3")]),
    ("HZ02", [("乐事 薯片 美国经典原味 70g", "4"), ("维达 超韧抽纸 3层100抽×3包", "1")]),
]
# A customer brings back one of the first order's crisps, and a damaged cup of noodles from the second.
RETURNS = [(0, "1", False), (1, "1", True)]
WRITE_OFFS = [("HZ01", "德芙 丝滑牛奶巧克力 43g", "2"), ("HZ01", "双汇 王中王火腿肠 40g×10支", "1"),
              ("HZ02", "康师傅 红烧牛肉面 桶装 110g", "3")]
# A count: store code, SKU, counted = on hand + this difference.
COUNTS = [("HZ01", "南孚 碱性电池 5号 4粒", "-2"), ("HZ01", "维达 超韧抽纸 3层100抽×3包", "1")]


def record_report_history(stores: dict[str, Store], skus: list[DemoSku], sellers: dict[str, User]) -> None:
    by_name = {item.name: item.sku for item in skus}
    orders = []
    for number, (code, lines) in enumerate(ORDERS, start=1):
        order = sales.open_sale(stores[code], cashier=sellers[code])
        for name, qty in lines:
            sales.add_item(order, by_name[name], qty)
        orders.append(sales.complete_sale(order, [Tender("cash", str(order.total))], user=sellers[code],
                                          client_uuid=f"demo-report-order-{number}"))
    for index, qty, damaged in RETURNS:
        original = orders[index]
        sales.return_lines(original, [(original.lines[0], Decimal(qty))], user=original.cashier,
                           refund_method="cash", damaged=damaged, approver=_manager_of(original.store))
    for number, (code, name, qty) in enumerate(WRITE_OFFS, start=1):
        write_off(stores[code], by_name[name], qty, user=sellers[code], document=("write_off", f"DEMO-WO-{number}"))
    for number, (code, name, difference) in enumerate(COUNTS, start=1):
        store, sku = stores[code], by_name[name]
        on_hand, _reserved = level_at(store, sku)
        adjust_to_count(store, sku, on_hand + Decimal(difference), user=sellers[code],
                        document=("count", f"DEMO-COUNT-{number}"))


def _manager_of(store: Store) -> User:
    """The store's manager, who approves the demo's refunds with their PIN as at a real till."""
    managers = db.session.scalars(select(User).where(User.role == Role.STORE_MANAGER.value).order_by(User.id))
    return next(user for user in managers if sales.may_discount(user, store))
