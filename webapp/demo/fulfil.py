"""The demo's online orders at 文三路 (HZ01), one at each step of fulfilment, for the store's queue."""
from webapp.auth.models import User
from webapp.demo.products import DemoSku
from webapp.sales.online import services as online
from webapp.stores.models import Store

PAID = "134567890123450001"  # the sandbox provider takes it
# (lines, delivery address or None, pay at pickup, the steps taken)
ORDERS = [
    ([("可口可乐 汽水 330ml", 6), ("乐事 薯片 美国经典原味 70g", 2)], None, False, []),
    ([("蒙牛 纯牛奶 250ml", 12)], None, True, []),
    ([("农夫山泉 饮用天然水 550ml", 12), ("康师傅 红烧牛肉面 桶装 110g", 4)], "文三路 100 号 3 单元 501", False,
     ["start"]),
    ([("光明 优倍 高品质鲜牛奶 950ml", 2), ("可口可乐 汽水 330ml", 2)], None, False, ["start", "ready"]),
    ([("乐事 薯片 美国经典原味 70g", 1)], None, False, ["start", "ready", "hand_over"]),
]


def place_online_orders(stores: dict[str, Store], skus: list[DemoSku], customer: User, picker: User) -> int:
    by_name = {item.name: item.sku for item in skus}
    store = stores["HZ01"]
    for number, (lines, address, at_pickup, steps) in enumerate(ORDERS, start=1):
        delivery = online.Delivery(address, store.district, fee=store.delivery_fee) if address else None
        order = online.place_order(store, customer, [(by_name[name], qty) for name, qty in lines],
                                   phone=customer.phone, contact_name=customer.display_name,
                                   checkout_key=f"demo-fulfil-{number}", delivery=delivery, pay_at_pickup=at_pickup)
        if not at_pickup:
            online.pay(order, "wechat", PAID)
        for step in steps:
            {"start": online.start_picking, "ready": online.mark_ready, "hand_over": online.hand_over}[step](
                order, picker)
    return len(ORDERS)
