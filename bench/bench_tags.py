"""Recomputing members' tags for a million members (issue #13: ≤ 2 minutes on SQLite and PostgreSQL).

Bulk-inserts members (customer accounts), a catalogue in categories, and each member's completed sales
(1–3 orders of 1–3 lines, spread over a year; a few returns), then times ``outreach.tags.recompute``:
figures, RFM segments, favourite categories and products, usual weekday and hour, birthday months and the
often-bought-together counts, each family one set-based statement. Prints the figures.

    python -m bench.bench_tags                                  # SQLite file in a temp dir, 1,000,000 members
    python -m bench.bench_tags --database-url postgresql+psycopg://…/bench --members 1000000
"""
import argparse
import os
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from bench.generate import bulk
from webapp import create_app
from webapp.auth.models import User
from webapp.catalog.models import SKU, Category, Product
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.outreach import tags
from webapp.outreach.models import MemberProfile, MemberTag
from webapp.sales.models import Order, OrderLine
from webapp.stores.services import save_store

BATCH = 20_000
PRODUCTS, CATEGORIES = 500, 25


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--members", type=int, default=1_000_000)
    args = p.parse_args(argv)
    url = args.database_url or f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'bench_tags.db')}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        import webapp.models  # noqa: F401

        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        orders, lines = generate(args.members, random.Random(13))
        print(f"generated {args.members:,} members, {orders:,} orders, {lines:,} lines "
              f"in {time.perf_counter() - started:.0f} s ({db.engine.dialect.name})", flush=True)
        started = time.perf_counter()
        counts = tags.recompute()
        db.session.commit()
        took = time.perf_counter() - started
        total = db.session.scalar(select(func.count()).select_from(MemberTag))
        print(f"recompute: {took:.1f} s for {counts['members']:,} members who bought; {total:,} tag rows")
        print("  ", ", ".join(f"{name} {n:,} rows in {tags.timings[name]:.1f} s" for name, n in counts.items()))
        print(f"  {'OK' if took <= 120 else 'TOO SLOW'}: target ≤ 120 s")


def generate(members: int, rng: random.Random) -> tuple[int, int]:
    store = save_store(None, code="BENCH", name="压测店")
    db.session.add_all(Category(id=c + 1, name=f"品类{c + 1}") for c in range(CATEGORIES))
    db.session.flush()
    bulk(Product, [{"id": n + 1, "name": f"商品{n + 1}", "initials": "", "category_id": n % CATEGORIES + 1,
                    "unit": "piece", "weighed": False, "tracking": "none", "active": True,
                    "created_at": utcnow()} for n in range(PRODUCTS)])
    prices = [Decimal(rng.randrange(100, 5000)) / 100 for _ in range(PRODUCTS)]
    bulk(SKU, [{"id": n + 1, "product_id": n + 1, "code": f"T{n:05d}", "attributes": {}, "list_price": prices[n],
                "cost": Decimal("1.00"), "active": True} for n in range(PRODUCTS)])
    db.session.commit()
    now, order_id, line_id = utcnow(), 0, 0
    for start in range(0, members, BATCH):
        users, profiles, orders, lines = [], [], [], []
        for m in range(start, min(start + BATCH, members)):
            user_id = m + 1
            phone = f"1{m + 3000000000:010d}"
            users.append({"id": user_id, "username": f"c{phone}", "display_name": "", "phone": phone,
                          "password_hash": "!", "role": "customer", "active": True, "created_at": now})
            if m % 4 == 0:
                profiles.append({"customer_id": user_id, "birthday": date(1970 + m % 40, m % 12 + 1, m % 28 + 1),
                                 "opted_out": False, "wechat_openid": "", "created_at": now})
            favourite = rng.randrange(PRODUCTS)
            for _o in range(rng.randint(1, 3)):
                order_id += 1
                at = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
                total = Decimal(0)
                for _l in range(rng.randint(1, 3)):
                    line_id += 1
                    product = favourite if rng.random() < 0.5 else rng.randrange(PRODUCTS)
                    total += prices[product]
                    lines.append({"id": line_id, "order_id": order_id, "sku_id": product + 1, "quantity": Decimal(1),
                                  "unit_price": prices[product], "regular_price": prices[product],
                                  "priced_amount": prices[product], "line_discount": Decimal(0),
                                  "order_discount_share": Decimal(0), "amount": prices[product]})
                orders.append(_order(order_id, user_id, store.id, total, at, "sale", None))
                if rng.random() < 0.02:  # a return of the whole order
                    order_id += 1
                    orders.append(_order(order_id, user_id, store.id, total, at + timedelta(days=1), "return",
                                         order_id - 1))
        bulk(User, users)
        bulk(MemberProfile, profiles)
        bulk(Order, orders)
        bulk(OrderLine, lines)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        for table in ("users", "orders", "order_lines"):
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT MAX(id) FROM {table}))"))
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return order_id, line_id


def _order(order_id, customer_id, store_id, total, at, kind, original):
    return {"id": order_id, "number": f"B-{order_id}", "channel": "pos", "kind": kind, "status": "completed",
            "store_id": store_id, "customer_id": customer_id, "original_order_id": original, "subtotal": total,
            "discount": Decimal(0), "order_discount": Decimal(0), "total": total, "created_at": at,
            "completed_at": at}


if __name__ == "__main__":
    main()
