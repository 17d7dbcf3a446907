"""One finished count and a few write-offs in the first shop, through the count and write-off services.

The count is a cycle count of the tea drinks: most match, one shelf has two more
than the system says, one two fewer, and the manager approved it.
"""
from webapp.auth.models import User
from webapp.catalog.models import Category
from webapp.demo.products import DemoSku
from webapp.extensions import db
from webapp.stock.counts import queries as count_queries
from webapp.stock.counts import services as counts
from webapp.stock.counts.models import Scope
from webapp.stock.write_offs import services as write_offs
from webapp.stores.models import Store

STORE = "HZ01"
CATEGORY = "茶饮料"  # under 饮料
DIFFERENCES = {"康师傅 冰红茶 500ml": 2, "统一 绿茶 500ml": -2}
# reason, [(SKU, quantity)], note
WRITE_OFFS = [
    ("damaged", [("维他 柠檬茶 250ml", "2")], "补货时纸盒压破"),
    ("expired", [("王老吉 凉茶 310ml", "1")], "临期未售出"),
    ("used", [("维达 超韧抽纸 3层100抽×3包", "1")], "收银台自用"),
]


def count_and_write_off(stores: dict[str, Store], skus: list[DemoSku], users: dict[str, User]) -> None:
    store, manager, staff = stores[STORE], users["manager"], users["cashier"]
    by_name = {item.name: item.sku for item in skus}
    category = db.session.query(Category).filter_by(name=CATEGORY).one()
    count = counts.start_count(store, user=manager, scope=Scope.CATEGORY, category=category)
    for number, sku in enumerate(s.sku for s in skus if s.sku.product.category_id == category.id):
        on_hand = count_queries.on_hand(store, sku, None)
        if on_hand <= 0:
            continue
        counts.record(count, sku.code, on_hand + DIFFERENCES.get(sku.display_name, 0),
                      user=staff if number % 2 else manager, place="饮料货架" if number % 3 else "后仓")
    counts.approve(count, user=manager)
    for reason, lines, note in WRITE_OFFS:
        write_off = write_offs.start(store, user=manager)
        for name, qty in lines:
            write_offs.add_line(write_off, by_name[name].code, qty)
        write_offs.post(write_off, user=manager, reason=reason, note=note)
