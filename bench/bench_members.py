"""Members at the till with 1,000,000 members (SQLite file; PostgreSQL too when TEST_DATABASE_URL is set).

    .venv/bin/python -m bench.bench_members
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_members

Prints: member lookup by member code and by phone (p50/p95/p99 over 1,000 lookups each, through
``webapp.members.cards.find_member``, in-process; target p95 ≤ 10 ms), the same through the till's view
(naming the member on a sale: lookup, re-pricing and the sale panel), and the SQL statements a 3-line
sale with a member, paid with points, stored value and cash, executes to complete (target ≤ 12).
"""
import os
import random
import statistics
import tempfile
import time
import uuid
from decimal import Decimal

from sqlalchemy import event, insert

from bench.data import make_catalogue
from webapp import create_app
from webapp.auth.models import Role, User
from webapp.auth.services import save_user
from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import cards
from webapp.members.models import MemberCard, PointsLot
from webapp.pos import services as pos
from webapp.pos.models import Register, Shift
from webapp.sales import services as sales
from webapp.sales.models import Order
from webapp.stores.models import Store

MEMBERS = int(os.environ.get("BENCH_MEMBERS", 1_000_000))
LOOKUPS = 1_000
COMPLETIONS = 30
BATCH = 20_000
FIRST_PHONE = 13_000_000_000


def main(url: str, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        store = make_catalogue(100)
        began = time.perf_counter()
        first_id = make_members(MEMBERS)
        print(f"{label}: {MEMBERS:,} members made in {time.perf_counter() - began:.1f} s")
        register = pos.save_register(None, store=store, name="1号收银台")
        cashier = save_user(None, username="bench", display_name="", role=Role.CASHIER, stores=[store],
                            password="bench-pass-1")
        shift = pos.open_shift(register, cashier, "0")
        db.session.commit()
        lookups(label, first_id)
        through_the_till(app, label, register.id, shift.id)
        statements(label, store.id, register.id, shift.id, cashier.id, first_id)
        db.drop_all()
        db.engine.dispose()


def make_members(count: int) -> int:
    """Customers with a member card, bulk-inserted; returns the first one's id."""
    now = utcnow()
    users, cards_ = User.__table__, MemberCard.__table__
    first = None
    for start in range(0, count, BATCH):
        rows = [{"username": f"c{FIRST_PHONE + n}", "phone": str(FIRST_PHONE + n), "display_name": "",
                 "password_hash": "!", "role": Role.CUSTOMER.value, "active": True, "created_at": now}
                for n in range(start, min(start + BATCH, count))]
        db.session.execute(insert(users), rows)
        if first is None:
            first = db.session.scalar(db.select(User.id).where(User.username == f"c{FIRST_PHONE}"))
        db.session.execute(insert(cards_), [
            {"customer_id": first + n, "tier": "regular", "growth": 0, "principal": Decimal("0"),
             "bonus": Decimal("0"), "points_owed": 0, "enrolled_at": now} for n in range(start, min(start + BATCH, count))])
        db.session.commit()
    return first


def _quantiles(timings: list[float]) -> str:
    cuts = statistics.quantiles(timings, n=100)
    return f"p50 {cuts[49] * 1000:.2f} ms, p95 {cuts[94] * 1000:.2f} ms, p99 {cuts[98] * 1000:.2f} ms"


def lookups(label: str, first_id: int) -> None:
    rng = random.Random(13)
    for kind in ("phone", "code"):
        timings = []
        for _ in range(LOOKUPS):
            n = rng.randrange(MEMBERS)
            db.session.expunge_all()  # each lookup in a fresh session, as each request has
            text = str(FIRST_PHONE + n) if kind == "phone" else cards.member_code(_stub(first_id + n))
            began = time.perf_counter()
            found = cards.find_member(text)
            timings.append(time.perf_counter() - began)
            assert found.phone == str(FIRST_PHONE + n)
            db.session.rollback()
        print(f"{label}: member lookup by {kind}, {LOOKUPS} lookups: {_quantiles(timings)} (target p95 ≤ 10 ms)")


def _stub(customer_id: int) -> User:
    return User(id=customer_id)


def through_the_till(app, label: str, register_id: int, shift_id: int) -> None:
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-pass-1"})
    page = client.get(f"/pos/registers/{register_id}").get_data(as_text=True)
    order_id = page.split("/pos/orders/")[1].split("/")[0]
    rng, timings = random.Random(17), []
    for _ in range(200):
        phone = str(FIRST_PHONE + rng.randrange(MEMBERS))
        began = time.perf_counter()
        answer = client.post(f"/pos/orders/{order_id}/member", data={"member": phone},
                             headers={"HX-Request": "true"})
        timings.append(time.perf_counter() - began)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:200]
    print(f"{label}: naming a member on a sale through the till's view (lookup, re-price, panel): "
          f"{_quantiles(timings)}")


def statements(label: str, store_id: int, register_id: int, shift_id: int, cashier_id: int, first_id: int) -> None:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    counts, walls, cpus = [], [], []
    for attempt in range(COMPLETIONS):
        db.session.expunge_all()
        store, register = db.session.get(Store, store_id), db.session.get(Register, register_id)
        shift, cashier = db.session.get(Shift, shift_id), db.session.get(User, cashier_id)
        member = db.session.get(User, first_id + attempt)
        card = db.session.get(MemberCard, member.id)
        card.principal = Decimal("100.00")
        db.session.add(PointsLot(customer_id=member.id, points=1000, left=1000, earned_at=utcnow(),
                                 expires_at=utcnow().replace(year=utcnow().year + 1)))
        order = sales.open_sale(store, register, shift, cashier)
        sales.name_member(order, member)
        for sku_id in (attempt * 3 + 1, attempt * 3 + 2, attempt * 3 + 3):
            sales.add_item(order, db.session.get(SKU, sku_id), 1)
        cards.settings()
        db.session.commit()
        order_id = order.id
        db.session.expunge_all()
        cashier = db.session.get(User, cashier_id)
        order = db.session.get(Order, order_id)
        _ = [line.sku.product for line in order.lines], order.store, order.shift, order.payments, order.customer
        seen.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        wall, cpu = time.perf_counter(), time.process_time()
        sales.complete_sale(order, [sales.Tender("points", "1.00"), sales.Tender("stored_value", "5.00"),
                                    sales.Tender("cash", "10.00")], user=cashier, client_uuid=str(uuid.uuid4()))
        db.session.commit()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(seen))
    print(f"{label}: completing a 3-line sale with a member, paid with points + stored value + cash, "
          f"executes {counts[-1]} SQL statements (target ≤ 12)")
    print(f"{label}: that completion + commit, median of {COMPLETIONS}: wall {statistics.median(walls) * 1000:.2f} ms, "
          f"CPU {statistics.median(cpus) * 1000:.2f} ms (load {os.getloadavg()[0]:.2f})")
    for statement in seen:
        print("    " + " ".join(statement.split())[:120])


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        main(f"sqlite:///{folder}/members.db", "SQLite")
    if os.environ.get("TEST_DATABASE_URL"):
        main(os.environ["TEST_DATABASE_URL"], "PostgreSQL")
