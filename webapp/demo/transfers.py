"""A transfer on its way from the distribution centre to the first store, and a lot close to its date.

Both go through the services: the transfer is created, filled and sent
(FEFO for the milk), so HZ01 finds it under 调拨 → 在途 and can receive it by
scanning; the yoghurt lot expires the day after tomorrow, so it heads
HZ01's near-expiry list and alerts, ready for a markdown suggestion.
"""
from datetime import timedelta

from webapp.auth.models import User
from webapp.clock import business_day
from webapp.demo.products import DemoSku
from webapp.stock.services import receive
from webapp.stock.transfers import services as transfers
from webapp.stores.models import Store

# What the warehouse sends to the first store: product name, quantity.
ON_ITS_WAY = [
    ("可口可乐 汽水 330ml", "24"),
    ("农夫山泉 饮用天然水 550ml", "24"),
    ("光明 优倍 高品质鲜牛奶 950ml", "6"),
]
NEAR_EXPIRY = ("光明 如实 原味发酵乳 135g", "8", "DEMO-NEAR")


def create_transfers(stores: dict[str, Store], skus: list[DemoSku], users: dict[str, User]) -> None:
    by_name = {item.name: item for item in skus}
    admin = users["admin"]
    transfer = transfers.create(stores["HQ"], stores["HZ01"], user=admin, note="周末补货")
    for name, qty in ON_ITS_WAY:
        transfers.add_line(transfer, by_name[name].sku, qty)
    transfers.send(transfer, user=admin)

    name, qty, lot = NEAR_EXPIRY
    item = by_name[name]
    receive(stores["HZ01"], item.sku, qty, item.cost, user=users["manager"], document=("receipt", "DEMO-NEAR"),
            lot_code=lot, expiry=business_day() + timedelta(days=2))
