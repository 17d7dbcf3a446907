"""The members reports, read from the orders when asked (exact by construction), for the whole chain
(``store_ids`` None) or some stores:

- members: who bought, new (first purchase in the last 30 days), active (bought in the last 60 days),
  sleeping (nothing for 60 days or more);
- repeat-purchase rate (复购率) per month and store: of the members who bought at the store in the month,
  the share who bought there at least twice that month (the chain's row counts a member once, any store);
- referral results: invites by state, coupons given and used.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from webapp.clock import local_time
from webapp.extensions import db
from webapp.outreach.models import MemberCoupon, MessageKind, Referral, ReferralState
from webapp.outreach.tags import sql
from webapp.promotions.models import CouponState, CouponUse
from webapp.sales.models import Order
from webapp.stores.models import Store

NEW_DAYS, SLEEPING_DAYS, MONTHS = 30, 60, 12
SALES = "o.kind = 'sale' AND o.status = 'completed' AND o.customer_id IS NOT NULL"


def _stores(store_ids, params: dict) -> str:
    if store_ids is None:
        return ""
    params.update({f"s{i}": s for i, s in enumerate(store_ids)})
    return " AND o.store_id IN (" + (", ".join(f":s{i}" for i in range(len(store_ids))) or "NULL") + ")"


def members(store_ids, now: datetime) -> dict[str, int]:
    params = {"new": now - timedelta(days=NEW_DAYS), "active": now - timedelta(days=SLEEPING_DAYS)}
    where = _stores(store_ids, params)
    row = sql(f"""
        SELECT COUNT(*), COALESCE(SUM(CASE WHEN first_at >= :new THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN last_at >= :active THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN last_at < :active THEN 1 ELSE 0 END), 0)
        FROM (SELECT o.customer_id, MIN(o.completed_at) AS first_at, MAX(o.completed_at) AS last_at
              FROM orders o WHERE {SALES}{where} GROUP BY o.customer_id) AS bought""", **params).one()
    return {"members": row[0], "new": row[1], "active": row[2], "sleeping": row[3]}


@dataclass
class RepeatRow:
    month: str
    store: str
    members: int
    repeaters: int

    @property
    def rate(self) -> Decimal:
        if not self.members:
            return Decimal("0.0")
        return (Decimal(self.repeaters * 100) / self.members).quantize(Decimal("0.1"))


def _month(dialect: str) -> str:
    minutes = int(local_time().utcoffset().total_seconds() // 60)
    if dialect == "sqlite":
        return f"strftime('%Y-%m', datetime(o.completed_at, '{minutes:+d} minutes'))"
    return f"to_char(o.completed_at + INTERVAL '{minutes} minutes', 'YYYY-MM')"


def repeat_rate(store_ids, now: datetime) -> list[RepeatRow]:
    """Newest month first; per month the chain (or the stores together) first, then each store."""
    params = {"since": now - timedelta(days=31 * MONTHS)}
    where = _stores(store_ids, params)
    month = _month(db.session.get_bind().dialect.name)
    per_store = sql(f"""
        SELECT month, store_id, COUNT(*), SUM(CASE WHEN times >= 2 THEN 1 ELSE 0 END) FROM (
          SELECT {month} AS month, o.store_id AS store_id, o.customer_id, COUNT(*) AS times
          FROM orders o WHERE {SALES}{where} AND o.completed_at >= :since
          GROUP BY {month}, o.store_id, o.customer_id) AS visits
        GROUP BY month, store_id""", **params).all()
    together = sql(f"""
        SELECT month, COUNT(*), SUM(CASE WHEN times >= 2 THEN 1 ELSE 0 END) FROM (
          SELECT {month} AS month, o.customer_id, COUNT(*) AS times
          FROM orders o WHERE {SALES}{where} AND o.completed_at >= :since
          GROUP BY {month}, o.customer_id) AS visits
        GROUP BY month""", **params).all()
    names = dict(db.session.execute(select(Store.id, Store.name)).all())
    rows = [RepeatRow(m, "", n, r) for m, n, r in together]
    rows += [RepeatRow(m, names.get(s, "?"), n, r) for m, s, n, r in per_store]
    return sorted(rows, key=lambda row: (row.month, row.store == "", row.store), reverse=True)


def referral_results(store_ids) -> dict:
    query = select(Referral.state, func.count()).group_by(Referral.state)
    if store_ids is not None:
        query = query.join(Order, Order.id == Referral.first_order_id).where(Order.store_id.in_(store_ids))
    states = dict(db.session.execute(query).all())
    given = select(MemberCoupon.coupon_id).where(MemberCoupon.reason == MessageKind.REFERRAL.value)
    used = db.session.scalar(select(func.count(func.distinct(CouponUse.coupon_id))).where(
        CouponUse.coupon_id.in_(given), CouponUse.state == CouponState.REDEEMED.value)) or 0
    coupons = db.session.scalar(select(func.count()).select_from(given.subquery())) or 0
    return {"invited": sum(states.values()), "states": {s.value: states.get(s.value, 0) for s in ReferralState},
            "coupons": coupons, "used": used}
