"""A member applying stored value and points to an online order, and the cancel that gives them back
(SQLite file; PostgreSQL too when TEST_DATABASE_URL is set).

    .venv/bin/python -m bench.bench_member_online_pay
    scripts/with-postgres.sh .venv/bin/python -m bench.bench_member_online_pay

Prints, over ORDERS orders of ORDERS members (each with ¥100 of stored value and 1,000 points): the
wall-clock and CPU time (median, p95) of applying ¥20 of stored value and 500 points to a ¥35 order (10 × ¥3.50)
(``members.online_pay.apply``, through the payment path, committed), the SQL statements it executes,
and the same for the customer's cancel that gives both back.
"""
import os
import statistics
import tempfile
import time
import uuid
from decimal import Decimal

from sqlalchemy import event, insert

from bench.data import make_catalogue
from webapp import create_app
from webapp.auth.models import Role, User
from webapp.catalog.models import SKU
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import cards, online_pay
from webapp.members.models import MemberCard, PointsLot
from webapp.sales.online import services as online
from webapp.sales.online.models import OnlineOrder

ORDERS = int(os.environ.get("BENCH_ORDERS", 300))
FIRST_PHONE = 13_100_000_000


def main(url: str, label: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        store = make_catalogue(ORDERS)
        store.online_pickup = True
        members = make_members(ORDERS)
        cards.settings()
        orders = []
        for n, member_id in enumerate(members):
            member = db.session.get(User, member_id)
            placed = online.place_order(store, member, [(db.session.get(SKU, n + 1), Decimal("10"))],
                                        phone=member.phone, checkout_key=uuid.uuid4().hex)
            orders.append((placed.id, member_id))
            if n % 50 == 49:
                db.session.commit()
        db.session.commit()
        applied = timed(label, "apply ¥20 stored value + 500 points", orders,
                        lambda o, m: online_pay.apply(o, m, stored_value="20.00", points="500"))
        cancelled = timed(label, "cancel, both given back", orders,
                          lambda o, m: online.cancel(o, by_customer=True))
        card = db.session.get(MemberCard, members[0])
        assert card.balance == Decimal("100.00") and applied and cancelled
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def make_members(count: int) -> list[int]:
    now = utcnow()
    db.session.execute(insert(User.__table__), [
        {"username": f"c{FIRST_PHONE + n}", "phone": str(FIRST_PHONE + n), "display_name": "", "password_hash": "!",
         "role": Role.CUSTOMER.value, "active": True, "created_at": now} for n in range(count)])
    ids = list(db.session.scalars(db.select(User.id).where(User.role == Role.CUSTOMER.value).order_by(User.id)))
    db.session.execute(insert(MemberCard.__table__), [
        {"customer_id": i, "tier": "regular", "growth": 0, "principal": Decimal("100.00"), "bonus": Decimal("0"),
         "points_owed": 0, "enrolled_at": now} for i in ids])
    db.session.execute(insert(PointsLot.__table__), [
        {"customer_id": i, "points": 1000, "left": 1000, "base": Decimal("0"), "earned_at": now,
         "expires_at": now.replace(year=now.year + 1)} for i in ids])
    db.session.commit()
    return ids


def timed(label: str, what: str, orders: list[tuple[int, int]], step) -> bool:
    walls, cpus, counts = [], [], []
    seen = [0]
    last: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen[0] += 1
        last.append(" ".join(statement.split())[:110])

    for order_id, member_id in orders:
        db.session.expunge_all()
        order, member = db.session.get(OnlineOrder, order_id), db.session.get(User, member_id)
        _ = order.order.payments, order.order.lines
        seen[0] = 0
        last.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        wall, cpu = time.perf_counter(), time.process_time()
        step(order, member)
        db.session.commit()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        event.remove(db.engine, "before_cursor_execute", count)
        counts.append(seen[0])
    print(f"{label}: {what}, {len(orders)} orders: wall median {statistics.median(walls) * 1000:.2f} ms, "
          f"p95 {statistics.quantiles(walls, n=20)[18] * 1000:.2f} ms; CPU median "
          f"{statistics.median(cpus) * 1000:.2f} ms; {statistics.median(counts):.0f} SQL statements (median)")
    if os.environ.get("BENCH_SHOW"):
        print("\n".join("    " + line for line in last))
    return True


if __name__ == "__main__":
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        main(f"sqlite:///{folder}/memberpay.db", "SQLite")
    if os.environ.get("TEST_DATABASE_URL"):
        main(os.environ["TEST_DATABASE_URL"], "PostgreSQL")
