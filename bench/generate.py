"""A chain's year, fast: the seed case's data for the dashboard's and the reports' benchmarks.

    .venv/bin/python -m bench.generate --database-url sqlite:////tmp/chain.db [--lines 1000000] [--replace]
    .venv/bin/python -m bench.generate --database-url postgresql://…/huotong --lines 1000000

What it makes (defaults: the seed case of docs/DESIGN "Scale"):
- 120 stores (a few franchise), each with its shelf, and the chain's virtual places;
- 26,000 SKUs in 12 categories, each with a valid EAN-13 barcode, a price and an average cost;
- a year of completed orders up to now, about 2.5 lines each, ``--lines`` order lines in all: till
  sales (92 %) and online orders handed over or delivered (8 %), more on weekends, a seasonal swell
  (summer, the weeks before the Spring Festival), busy at breakfast, lunch and after work; bigger
  stores sell more; popular SKUs sell most (a skewed pick from each store's range of 2,000 SKUs);
- one payment per order (WeChat Pay, Alipay, cash, card), and a return for 0.6 % of the sales;
- the ledger to match: for each store and SKU an opening receipt a year ago, a sale (or hand-over)
  move for every line and a return move back; levels equal the sum of their moves (the ledger's
  invariant), and some SKUs end at zero (out of stock).

Rows go in with SQLAlchemy Core inserts, many rows per statement (multi-row VALUES), with their ids set here, so nothing is read back; PostgreSQL's id sequences are moved past them at the end.
The database must be empty (``--replace`` drops and recreates every table first).
"""
import argparse
import math
import random
import sys
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, Column, MetaData, Table, func, insert, select, text

from webapp import create_app
from webapp.catalog.barcodes import with_check_digit
from webapp.catalog.models import SKU, Barcode, Category, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.numbers import Money, Quantity
from webapp.sales.models import Order, OrderLine, Payment
from webapp.sales.online.models import OnlineOrder
from webapp.stock.models import Location, StockLevel, StockMove, Usage
from webapp.stores.models import Store

STORES, SKUS, RANGE = 120, 26_000, 2_000  # a store's range: the SKUs it stocks
LINES_PER_ORDER = 2.5
ONLINE_SHARE, RETURN_SHARE = 0.08, 0.006
CATEGORIES = ["饮料", "零食", "乳品", "粮油", "日用品", "个护", "冷冻", "酒水", "调味", "烘焙", "生鲜", "文具"]
METHODS = [("wechat", 55), ("alipay", 30), ("cash", 12), ("card", 3)]
HOURS = [0, 0, 0, 0, 0, 0, 1, 5, 9, 6, 5, 7, 10, 8, 5, 4, 5, 8, 10, 9, 7, 5, 2, 1]  # weight per local hour
OFFSET = timedelta(hours=8)  # Asia/Shanghai


def main(argv=None) -> None:
    args = parse(argv)
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        started = time.perf_counter()
        prepare(args.replace)
        counts = generate(args.lines, args.stores, args.skus, random.Random(args.seed))
        print(f"generated in {time.perf_counter() - started:.0f} s:",
              ", ".join(f"{n:,} {name}" for name, n in counts.items()))


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--lines", type=int, default=1_000_000, help="order lines in all (default 1,000,000)")
    p.add_argument("--stores", type=int, default=STORES)
    p.add_argument("--skus", type=int, default=SKUS)
    p.add_argument("--seed", default="huotong-chain")
    p.add_argument("--replace", action="store_true", help="drop every table and start from an empty schema")
    return p.parse_args(argv)


def prepare(replace: bool) -> None:
    import webapp.models  # noqa: F401  (every table)

    if replace:
        db.drop_all()
    db.create_all()
    if db.session.scalar(select(func.count()).select_from(Store)):
        sys.exit("The database has stores already: use an empty one, or --replace.")


_RAW: dict = {}


def raw_table(model) -> tuple[Table, dict[str, int]]:
    """The model's table with its Money and Quantity columns as the plain integers they are stored as
    (fen, thousandths), and each such column's scale: the rows skip the Decimal checks of the column
    types, which would take most of the time for millions of values (the values are exact already)."""
    if model not in _RAW:
        table = model.__table__
        scales = {c.name: 100 if isinstance(c.type, Money) else 1000 for c in table.columns
                  if isinstance(c.type, (Money, Quantity))}
        columns = [Column(c.name, BigInteger if c.name in scales else c.type, primary_key=c.primary_key,
                          default=_default(c, scales.get(c.name))) for c in table.columns]
        _RAW[model] = (Table(table.name, MetaData(), *columns), scales)
    return _RAW[model]


def _default(column, scale):
    if column.default is None:
        return None
    value = column.default.arg
    if column.default.is_callable:
        return value  # a function of the insert's context, as SQLAlchemy wrapped it
    return int(value * scale) if scale else value


def bulk(model, rows: list[dict]) -> None:
    """Core INSERTs of many rows: SQLAlchemy sends them as multi-row ``INSERT … VALUES (…), (…)`` statements
    ("insertmanyvalues", as many rows per statement as the database takes), compiled once per table."""
    if not rows:
        return
    table, scales = raw_table(model)
    for row in rows:
        for name, scale in scales.items():
            if row.get(name) is not None:
                row[name] = int(row[name] * scale)
    db.session.connection().execute(insert(table), rows)


def generate(lines: int, stores: int, skus: int, rng: random.Random) -> dict[str, int]:
    now = utcnow().replace(microsecond=0)
    year_ago = now - timedelta(days=365)
    shelves, customer, supplier = places(stores)
    catalogue(skus, rng)
    ranges = {store_id: rng.sample(range(1, skus + 1), min(RANGE, skus)) for store_id in shelves}
    # A store's size (some sell four times what others do) and a SKU's popularity (a skewed pick).
    size = {store_id: rng.uniform(0.5, 2.0) for store_id in shelves}
    store_ids, store_weights = list(size), list(size.values())
    prices = {sku_id: price for sku_id, price in db.session.execute(select(SKU.id, SKU.list_price))}
    costs = {sku_id: cost for sku_id, cost in db.session.execute(select(SKU.id, SKU.cost))}

    times = order_times(int(lines / LINES_PER_ORDER), year_ago, now, rng)
    out = Batches()
    sold: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    returns: list[tuple[dict, dict]] = []
    customer_id = customer_user()
    line_id = 0
    for order_id, at in enumerate(times, start=1):
        store_id = rng.choices(store_ids, store_weights)[0]
        range_ = ranges[store_id]
        is_online = rng.random() < ONLINE_SHARE
        number = f"G{store_id:03d}-{order_id:08d}"
        count = max(1, min(8, round(rng.expovariate(1 / LINES_PER_ORDER) + 0.5)))
        total = Decimal("0.00")
        first_line = None
        for sku_id in {range_[min(len(range_) - 1, int(rng.paretovariate(1.1)) - 1)] if rng.random() < 0.6
                       else rng.choice(range_) for _ in range(count)}:
            line_id += 1
            qty = Decimal(rng.choice((1, 1, 1, 2, 2, 3)))
            amount = prices[sku_id] * qty
            total += amount
            line = {"id": line_id, "order_id": order_id, "sku_id": sku_id, "quantity": qty,
                    "unit_price": prices[sku_id], "regular_price": prices[sku_id], "priced_amount": amount,
                    "line_discount": Decimal("0.00"), "order_discount_share": Decimal("0.00"), "amount": amount,
                    "unit_cost": costs[sku_id], "original_line_id": None}
            out.add(OrderLine, line)
            first_line = first_line or line
            sold[(store_id, sku_id)] += qty
            out.add(StockMove, move(sku_id, shelves[store_id], customer, qty, costs[sku_id],
                                    "handover" if is_online else "sale", number, at))
        created = at - timedelta(minutes=rng.randint(20, 180)) if is_online else at - timedelta(seconds=40)
        sale = {"id": order_id, "number": number, "channel": "shop" if is_online else "pos", "kind": "sale",
                "status": "completed", "store_id": store_id, "original_order_id": None, "subtotal": total,
                "discount": Decimal("0.00"), "order_discount": Decimal("0.00"), "total": total,
                "created_at": created, "completed_at": at}
        out.add(Order, sale)
        method = rng.choices([m for m, _w in METHODS], [w for _m, w in METHODS])[0]
        if is_online and method not in ("wechat", "alipay"):
            method = "wechat"
        out.add(Payment, payment(order_id, method, total, created))
        if is_online:
            out.add(OnlineOrder, online_order(order_id, customer_id, created, at, rng))
        if rng.random() < RETURN_SHARE:
            returns.append((sale, first_line))
        if order_id % 20_000 == 0:
            out.flush()

    order_id = len(times)
    for sale, line in returns:
        order_id += 1
        line_id += 1
        at = min(now, sale["completed_at"] + timedelta(hours=rng.randint(1, 96)))
        number = f"R{sale['store_id']:03d}-{order_id:08d}"
        amount = line["unit_price"]
        out.add(Order, {"id": order_id, "number": number, "channel": "pos", "kind": "return",
                        "status": "completed", "store_id": sale["store_id"], "original_order_id": sale["id"],
                        "subtotal": amount, "discount": Decimal("0.00"), "order_discount": Decimal("0.00"),
                        "total": amount, "created_at": at, "completed_at": at})
        out.add(OrderLine, {"id": line_id, "order_id": order_id, "sku_id": line["sku_id"], "quantity": Decimal(1),
                            "unit_price": amount, "regular_price": amount, "priced_amount": amount,
                            "line_discount": Decimal("0.00"), "order_discount_share": Decimal("0.00"),
                            "amount": amount, "unit_cost": line["unit_cost"], "original_line_id": line["id"]})
        out.add(Payment, payment(order_id, "cash", -amount, at))
        sold[(sale["store_id"], line["sku_id"])] -= 1
        out.add(StockMove, move(line["sku_id"], customer, shelves[sale["store_id"]], Decimal(1), line["unit_cost"],
                                "return", number, at))

    for store_id, range_ in ranges.items():
        for sku_id in range_:
            on_hand = Decimal(rng.choice((0, 0, 3, 8, 12, 20, 40, 60)))  # what is left now; some are out
            received = on_hand + sold.get((store_id, sku_id), Decimal(0))
            out.add(StockLevel, {"location_id": shelves[store_id], "sku_id": sku_id, "lot_id": None,
                                 "on_hand": on_hand, "reserved": Decimal(0)})
            if received:
                out.add(StockMove, move(sku_id, supplier, shelves[store_id], received, costs[sku_id], "receipt",
                                        f"OPEN-{store_id}", year_ago))
    out.flush()
    move_sequences_on()
    db.session.commit()
    with db.engine.connect() as connection:  # the planner's statistics, as a database in use has them
        connection.execute(text("ANALYZE"))
        connection.commit()
    return {"stores": stores, "SKUs": skus, **out.counts}


class Batches:
    """Rows kept per table and written in order (parents first) every so often, to keep memory small."""

    ORDER = (Order, OrderLine, Payment, OnlineOrder, StockLevel, StockMove)
    NAMES = {Order: "orders", OrderLine: "order lines", Payment: "payments", OnlineOrder: "online orders",
             StockLevel: "stock levels", StockMove: "stock moves"}

    def __init__(self):
        self.rows = defaultdict(list)
        self.counts = {name: 0 for name in self.NAMES.values()}

    def add(self, model, row: dict) -> None:
        self.rows[model].append(row)

    def flush(self) -> None:
        for model in self.ORDER:
            rows = self.rows.pop(model, [])
            bulk(model, rows)
            self.counts[self.NAMES[model]] += len(rows)
        print(" ", ", ".join(f"{n:,} {name}" for name, n in self.counts.items()), flush=True)


def payment(order_id: int, method: str, amount: Decimal, at: datetime) -> dict:
    return {"order_id": order_id, "method": method, "amount": amount, "change": Decimal("0.00"), "reference": "",
            "status": "succeeded", "message": "", "created_at": at}


def places(stores: int) -> tuple[dict[int, int], int, int]:
    """The stores and their shelves; the chain's customer and supplier places."""
    bulk(Store, [{"id": n, "code": f"G{n:03d}", "name": f"货通便利 {n:03d} 号店",
                  "kind": "franchise" if n % 6 == 0 else "direct", "city": "杭州", "online_pickup": True,
                  "delivery_radius_m": 3000} for n in range(1, stores + 1)])
    virtual = [{"id": n + 1, "name": usage.value, "usage": usage.value, "store_id": None}
               for n, usage in enumerate(u for u in Usage if u != Usage.INTERNAL)]
    first = len(virtual) + 1
    bulk(Location, virtual + [{"id": first + n, "name": f"G{n + 1:03d} 货架", "usage": Usage.INTERNAL.value,
                               "store_id": n + 1} for n in range(stores)])
    by_usage = {row["usage"]: row["id"] for row in virtual}
    return ({n + 1: first + n for n in range(stores)}, by_usage[Usage.CUSTOMER.value],
            by_usage[Usage.SUPPLIER.value])


def catalogue(skus: int, rng: random.Random) -> None:
    bulk(Category, [{"id": n + 1, "name": name, "position": n} for n, name in enumerate(CATEGORIES)])
    products, rows, barcodes = [], [], []
    for n in range(1, skus + 1):
        cost = Decimal(rng.randint(80, 6000)) / 100
        price = (cost * Decimal(rng.uniform(1.15, 1.6))).quantize(Decimal("0.1")) + Decimal("0.00")
        products.append({"id": n, "name": f"{CATEGORIES[n % len(CATEGORIES)]}商品 {n:05d}", "initials": f"sp{n:05d}",
                         "category_id": n % len(CATEGORIES) + 1, "unit": "piece", "weighed": False,
                         "tracking": "none", "active": True})
        rows.append({"id": n, "product_id": n, "code": f"C{n:05d}", "attributes": {}, "list_price": price,
                     "cost": cost, "active": True})
        barcodes.append({"id": n, "sku_id": n, "code": with_check_digit(f"69{n + 10_000_000:010d}"),
                         "symbology": "ean13"})
    bulk(Product, products)
    bulk(SKU, rows)
    bulk(Barcode, barcodes)


def order_times(count: int, start: datetime, end: datetime, rng: random.Random) -> list[datetime]:
    """Completion times over the year: weekly and seasonal swells, and the hours a shop is busy."""
    days = (end - start).days + 1
    first_local_day = (start + OFFSET).date()
    weights = []
    for n in range(days):
        day = first_local_day + timedelta(days=n)
        weekly = 1.3 if day.weekday() >= 5 else 1.0
        seasonal = 1 + 0.15 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 100) / 365)
        festival = 1.5 if (day.month == 1 and day.day >= 15) or (day.month == 2 and day.day <= 5) else 1.0
        weights.append(weekly * seasonal * festival)
    found = []
    for day_index in rng.choices(range(days), weights, k=count):
        hour = rng.choices(range(24), HOURS)[0]
        local = datetime.combine(first_local_day + timedelta(days=day_index), datetime.min.time())
        at = local + timedelta(hours=hour, seconds=rng.randrange(3600)) - OFFSET
        if start <= at <= end:
            found.append(at)
    return sorted(found)


def move(sku_id, source, target, qty, cost, reason, document_id, at) -> dict:
    return {"sku_id": sku_id, "from_location_id": source, "to_location_id": target, "quantity": qty,
            "unit_cost": cost, "reason": reason, "document_type": "order" if reason != "receipt" else "receipt",
            "document_id": document_id, "created_at": at}


def customer_user() -> int:
    from webapp.auth.models import Role, User

    db.session.execute(insert(User).values([{"id": 1, "username": "c-bench", "display_name": "压测顾客",
                                             "role": Role.CUSTOMER.value, "phone": "13900000000",
                                             "password_hash": "!", "active": True}]))
    return db.session.scalar(select(User.id).where(User.username == "c-bench"))


def online_order(order_id: int, customer_id: int, created: datetime, completed: datetime, rng) -> dict:
    delivery = rng.random() < 0.5
    return {"order_id": order_id, "customer_id": customer_id, "status": "delivered" if delivery else "handed_over",
            "fulfilment": "delivery" if delivery else "pickup", "phone": "13900000000",
            "paid_at": created, "pickup_code": f"{rng.randrange(10 ** 6):06d}", "pickup_token": uuid.uuid4().hex,
            "access_token": uuid.uuid4().hex, "checkout_key": uuid.uuid4().hex, "created_at": created,
            "status_changed_at": completed, "delivery_fee": Decimal("0.00"), "pay_at_pickup": False}


def move_sequences_on() -> None:
    """PostgreSQL: the ids were set here, so each table's sequence starts after the last one."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in ("stores", "locations", "categories", "products", "skus", "barcodes", "users", "orders",
                  "order_lines", "payments", "online_orders", "stock_levels", "stock_moves"):
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))


if __name__ == "__main__":
    main()
