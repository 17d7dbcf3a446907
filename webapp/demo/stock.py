"""Opening stock, warning lines and a few till sales, all through the stock ledger.

Quantities come from a random generator with a fixed seed, so every run
stocks the same shelves. The warehouse holds cases, the shops a few days' worth.
"""
import random
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from webapp.auth.models import User
from webapp.clock import business_day
from webapp.demo.products import LOT, PACKAGED, SERIAL, VARIANT, WEIGHED, DemoSku
from webapp.extensions import db
from webapp.numbers import quantity
from webapp.stock.models import StockRule
from webapp.stock.services import ensure_locations, receive, sell
from webapp.stores.models import Store

OPENING = ("opening", "DEMO")
GRAMS = Decimal("1000")
SERIAL_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

# Opening quantity (grams for weighed goods, per lot for dairy): (shop range, warehouse range).
RANGES = {
    PACKAGED: ((12, 48), (120, 480)),
    VARIANT: ((1, 4), (8, 20)),
    LOT: ((6, 24), (48, 144)),
    SERIAL: ((2, 4), (6, 10)),
    WEIGHED: ((5000, 30000), (60000, 200000)),
}
WARNING_SHARE = 0.2  # about one SKU in five has a warning line in each store

# Best sellers that start just above their warning line; the sales below push them under it.
# store code, SKU, opening quantity, warning line
HOT_ITEMS = [
    ("HZ01", "可口可乐 汽水 330ml", "20", "15"),
    ("HZ01", "本地 上海青", "2.400", "2.000"),
    ("HZ02", "元气森林 苏打气泡水 白桃味 480ml", "12", "10"),
    ("HZ02", "东鹏特饮 维生素功能饮料 500ml", "10", "8"),
    ("HZ03", "农夫山泉 饮用天然水 550ml", "24", "20"),
    ("HZ03", "卫龙 大面筋 102g", "8", "6"),
]

# Till sales: store code, [(SKU, quantity)]; each basket is one document DEMO-n.
SALES = [
    ("HZ01", [("可口可乐 汽水 330ml", "6"), ("乐事 薯片 美国经典原味 70g", "2")]),
    ("HZ01", [("农夫山泉 饮用天然水 550ml", "4"), ("康师傅 红烧牛肉面 桶装 110g", "2"),
              ("本地 上海青", "0.486")]),
    ("HZ01", [("蒙牛 纯牛奶 250ml", "6"), ("山东 西红柿", "1.235"), ("散装 鲜鸡蛋", "0.912")]),
    ("HZ01", [("可口可乐 汽水 330ml", "4"), ("红牛 维生素功能饮料 250ml", "2"),
              ("德芙 丝滑牛奶巧克力 43g", "1")]),
    ("HZ01", [("小米 移动电源 10000mAh 22.5W", "1"), ("货通优选 男士纯棉圆领短袖T恤 L / 白", "1")]),
    ("HZ01", [("光明 优倍 高品质鲜牛奶 950ml", "2"), ("烟台 红富士苹果", "1.652")]),
    ("HZ02", [("元气森林 苏打气泡水 白桃味 480ml", "5"), ("维达 超韧抽纸 3层100抽×3包", "1")]),
    ("HZ02", [("海南 香蕉", "1.128"), ("安慕希 希腊风味酸奶 原味 205g", "4")]),
    ("HZ02", [("东鹏特饮 维生素功能饮料 500ml", "6"), ("双汇 王中王火腿肠 40g×10支", "1")]),
    ("HZ03", [("农夫山泉 饮用天然水 550ml", "12"), ("康师傅 冰红茶 500ml", "6")]),
    ("HZ03", [("南孚 碱性电池 5号 4粒", "2"), ("卫龙 大面筋 102g", "3")]),
    ("HZ03", [("冷鲜 猪五花肉", "0.768"), ("本地 黄瓜", "0.540")]),
]


class OpeningStock:
    """Receives every SKU into every store and remembers how much went in."""

    def __init__(self, user: User, today: date) -> None:
        self.user, self.today = user, today
        self.rng = random.Random("huotong-demo/stock")
        self.hot = {(code, name): quantity(qty) for code, name, qty, _ in HOT_ITEMS}
        self.serial_numbers: dict[int, int] = {}
        self.serial_prefix: dict[int, str] = {}
        self.received: dict[tuple[int, int], Decimal] = {}

    def stock(self, store: Store, item: DemoSku) -> None:
        shop_range, warehouse_range = RANGES[item.kind]
        low, high = warehouse_range if store.is_warehouse else shop_range
        amount = self.rng.randint(low, high)
        if item.kind == WEIGHED:
            amount = quantity(Decimal(amount) / GRAMS)
        amount = self.hot.get((store.code, item.name), quantity(amount))
        if item.kind == LOT:
            for code, expiry in self.lots(item):
                self.receive(store, item, amount, lot_code=code, expiry=expiry)
        elif item.kind == SERIAL:
            for _ in range(int(amount)):
                self.receive(store, item, 1, lot_code=self.serial(item))
        else:
            self.receive(store, item, amount)

    def receive(self, store: Store, item: DemoSku, qty, **lot) -> None:
        receive(store, item.sku, qty, item.cost, user=self.user, document=OPENING, **lot)
        key = (store.id, item.sku.id)
        self.received[key] = self.received.get(key, Decimal("0")) + quantity(qty)

    def lots(self, item: DemoSku) -> list[tuple[str, date]]:
        """Two batches: an older one close to its date, a fresher one weeks later."""
        near = min(2 + item.shelf_days // 10, 20)
        batches = []
        for days in (near, near + min(item.shelf_days // 2, 45)):
            expiry = self.today + timedelta(days=days)
            produced = expiry - timedelta(days=item.shelf_days)
            batches.append((f"{produced:%Y%m%d}B1", expiry))
        return batches

    def serial(self, item: DemoSku) -> str:
        sku_id = item.sku.id
        if sku_id not in self.serial_prefix:
            self.serial_prefix[sku_id] = "".join(self.rng.choices(SERIAL_CHARS, k=4))
            self.serial_numbers[sku_id] = self.rng.randint(1000, 9000)
        self.serial_numbers[sku_id] += 1
        return f"{self.serial_prefix[sku_id]}{self.today:%y%m}{self.serial_numbers[sku_id]:05d}"


def open_stock(stores: dict[str, Store], skus: list[DemoSku], user: User) -> dict:
    """Every SKU into the warehouse and every store; returns what each (store, SKU) received."""
    opening = OpeningStock(user, business_day())
    for store in stores.values():
        ensure_locations(store)
        for item in skus:
            opening.stock(store, item)
    return opening.received


def set_warning_lines(stores: dict[str, Store], skus: list[DemoSku], received: dict) -> None:
    rng = random.Random("huotong-demo/warning-lines")
    hot = {(code, name): quantity(line) for code, name, _, line in HOT_ITEMS}
    for store in stores.values():
        for item in skus:
            line = hot.get((store.code, item.name))
            if line is None and rng.random() < WARNING_SHARE:
                line = _quarter(received[(store.id, item.sku.id)], item.kind)
            if line is not None:
                db.session.add(StockRule(store_id=store.id, sku_id=item.sku.id, warning_qty=line))
    db.session.flush()


def _quarter(amount: Decimal, kind: str) -> Decimal:
    step = Decimal("0.1") if kind == WEIGHED else Decimal("1")
    return max(step, (amount / 4).quantize(step, rounding=ROUND_DOWN))


def record_sales(stores: dict[str, Store], skus: list[DemoSku], sellers: dict[str, User]) -> int:
    """The baskets above, sold at the till by someone working in that store."""
    by_name = {item.name: item for item in skus}
    for number, (code, lines) in enumerate(SALES, start=1):
        for name, qty in lines:
            sell(stores[code], by_name[name].sku, qty, user=sellers[code], document=("sale", f"DEMO-{number}"))
    return len(SALES)
