"""Tags computed from what members bought, kept fresh by ``flask outreach tags`` (nightly) and the
managers' "recompute now" button; manual tags given by hand.

Set-based: each tag family is one ``INSERT … SELECT`` over the orders (window functions pick each member's
favourites), never a loop per member, so a million members take well under two minutes on either database
(``python -m bench.bench_tags``). The computed rows are deleted and written again in the caller's
transaction: readers see the old tags or the new ones, never half. The work is ``STEPS``, a list of small
functions run in order, each writing one family (a new family is one more function in the list).

Behaviour is the completed sale orders with a customer; money is net of their returns (a return carries
its original's customer).

RFM segments (recency = days since the last order, frequency = orders, money = spent; "top spenders" are
the top fifth of members by money: every member who spent at least what the member at the fifth's edge
spent, so members who spent the same are never split):

- ``new`` 新客: one order, within the last 30 days;
- ``high_value`` 高价值: bought within 60 days, 3 orders or more, a top spender;
- ``loyal`` 忠实客: bought within 60 days, 3 orders or more;
- ``promising`` 潜力客: bought within 60 days;
- ``at_risk`` 流失风险: last bought 60–180 days ago, and was a regular (3+ orders) or a top spender;
- ``to_wake`` 需唤醒: last bought 60–180 days ago;
- ``lost`` 已流失: nothing for more than 180 days.

"Often bought together" is per pair of products, not per member: counted over a bounded window, the
newest ``TOGETHER_ORDERS`` sales, those of the last year, so its cost stays the same however
many members and orders there are (a small shop's whole year; a big chain's last weeks, which also follow
the season).
"""
import sqlite3
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, bindparam, delete, func, select, text

from webapp.catalog.models import Category, Product
from webapp.clock import local_time, utcnow
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.outreach import brand_tags
from webapp.outreach.models import MemberManualTag, MemberProfile, MemberTag, OftenBoughtTogether

NEW_DAYS, ACTIVE_DAYS, LOST_DAYS, REGULAR_ORDERS = 30, 60, 180, 3
TOP_SHARE = 5  # the top fifth by money are "top spenders"
TOGETHER_DAYS, TOGETHER_ORDERS, TOGETHER_TOP, TOGETHER_MIN = 365, 200_000, 4, 2

SEGMENTS = {
    "high_value": _l("High value (高价值)"),
    "loyal": _l("Loyal (忠实客)"),
    "promising": _l("Promising (潜力客)"),
    "new": _l("New (新客)"),
    "at_risk": _l("At risk of leaving (流失风险)"),
    "to_wake": _l("Needs waking up (需唤醒)"),
    "lost": _l("Lost (已流失)"),
}
WEEKDAYS = {1: _l("Monday"), 2: _l("Tuesday"), 3: _l("Wednesday"), 4: _l("Thursday"), 5: _l("Friday"),
            6: _l("Saturday"), 7: _l("Sunday")}
MANUAL_LIMIT = 30
MANUAL = "manual:"


class TagInvalid(DomainError, ValueError):
    message = _l("A tag needs a name of 1 to %(limit)s characters, without \":\" (got \"%(tag)s\").")


SALES = "o.kind = 'sale' AND o.status = 'completed' AND o.customer_id IS NOT NULL"


@dataclass
class Run:
    """What every step of one recompute knows: its moment and the database's dialect."""

    now: datetime
    dialect: str

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"


Step = Callable[[Run], int]
# Scratch tables the steps make (temporary, this connection's); dropped after the run.
SCRATCH = ("member_bought", "order_products")
timings: dict[str, tuple[float, float]] = {}  # each step's seconds (wall, this process's CPU) in the last run


def recompute(now: datetime | None = None) -> dict[str, int]:
    """Rebuild every computed tag, the members' figures and the co-purchase counts; returns row counts
    per step (and leaves each step's seconds in ``timings``)."""
    run = Run(now or utcnow(), db.session.get_bind().dialect.name)
    counts: dict[str, int] = {}
    timings.clear()
    with _roomy(run):
        try:
            for name, work in STEPS:
                started, cpu = time.perf_counter(), time.process_time()
                counts[name] = work(run)
                timings[name] = (time.perf_counter() - started, time.process_time() - cpu)
        finally:
            for table in SCRATCH:
                sql(f"DROP TABLE IF EXISTS {table}")
    db.session.flush()
    return counts


@contextmanager
def _roomy(run: Run):
    """Room to sort in memory while recomputing: SQLite a bigger page cache, PostgreSQL more work_mem (both
    for this run only). (SQLite's ``temp_store`` cannot change inside a transaction; its scratch files stay
    in the operating system's cache anyway.)"""
    if not run.sqlite:
        sql("SET LOCAL work_mem = '64MB'")
        yield
        return
    cache = sql("PRAGMA cache_size").scalar()
    sql("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        sql(f"PRAGMA cache_size = {int(cache)}")


def sql(statement: str, **params):
    """Run raw SQL with its parameters; times are bound as the DateTime columns store them."""
    typed = [bindparam(k, type_=DateTime()) for k, v in params.items() if isinstance(v, datetime)]
    return db.session.execute(text(statement).bindparams(*typed), params)


def _clear(table: str, run: Run) -> None:
    """Empty a computed table at once (SQLite's DELETE without WHERE and PostgreSQL's TRUNCATE drop its pages
    instead of deleting row by row)."""
    sql(f"DELETE FROM {table}" if run.sqlite else f"TRUNCATE {table}")


def _insert(select_sql: str, **params) -> int:
    return sql(f"INSERT INTO member_tags (customer_id, tag) {select_sql}", **params).rowcount


# ------------------------------------------------------------------ the steps, in order

def figures(run: Run) -> int:
    """Each member's figures and RFM segment, read from the members' orders index alone (no sort). The
    average ticket is rounded half up to the fen in whole numbers (the sums cast to integers: PostgreSQL's
    are numeric). Segments are first written as if nobody were a top spender; then the top spenders among
    the loyal and those to wake become high value and at risk (one pass, no ranking of a million rows)."""
    _clear("member_figures", run)
    members = sql("""
        INSERT INTO member_figures (customer_id, orders, spent, average_ticket, first_order_at, last_order_at,
                                    segment, computed_at)
        SELECT customer_id, orders, spent, (2 * spent + orders) / (2 * orders), first_at, last_at, CASE
          WHEN orders = 1 AND first_at >= :new THEN 'new'
          WHEN last_at >= :active AND orders >= :regular THEN 'loyal'
          WHEN last_at >= :active THEN 'promising'
          WHEN last_at >= :lost AND orders >= :regular THEN 'at_risk'
          WHEN last_at >= :lost THEN 'to_wake'
          ELSE 'lost' END, :now
        FROM (SELECT o.customer_id AS customer_id,
                     CAST(SUM(CASE WHEN o.kind = 'sale' THEN 1 ELSE 0 END) AS BIGINT) AS orders,
                     CAST(SUM(CASE WHEN o.kind = 'sale' THEN o.total ELSE -o.total END) AS BIGINT) AS spent,
                     MIN(o.completed_at) AS first_at,
                     MAX(CASE WHEN o.kind = 'sale' THEN o.completed_at END) AS last_at
              FROM orders o WHERE o.customer_id IS NOT NULL AND o.status = 'completed'
              GROUP BY o.customer_id) AS bought
        WHERE orders > 0""", now=run.now, new=run.now - timedelta(days=NEW_DAYS),
        active=run.now - timedelta(days=ACTIVE_DAYS), lost=run.now - timedelta(days=LOST_DAYS),
        regular=REGULAR_ORDERS).rowcount
    if members:
        edge = sql("SELECT spent FROM member_figures ORDER BY spent DESC LIMIT 1 OFFSET :place",
                   place=-(-members // TOP_SHARE) - 1).scalar()
        sql("""UPDATE member_figures SET segment = CASE segment WHEN 'loyal' THEN 'high_value' ELSE 'at_risk' END
               WHERE segment IN ('loyal', 'to_wake') AND spent >= :edge""", edge=edge)
    return members


def rfm(run: Run) -> int:
    _clear("member_tags", run)
    return _insert("SELECT customer_id, 'rfm:' || segment FROM member_figures")


def bought(run: Run) -> int:
    """A scratch table: what each member bought, per category and product (money, orders), read by the
    favourites. In SQLite keyed in that order, so the favourite categories need no sort to group and a
    member's products are already their rows (PostgreSQL groups by hashing: no key to keep up). The lines
    are read in their own order, each order found by its key (the join order written down for SQLite:
    ``CROSS JOIN``; PostgreSQL plans it itself)."""
    sql("DROP TABLE IF EXISTS member_bought")
    keyed = ", PRIMARY KEY (customer_id, category_id, product_id)) WITHOUT ROWID" if run.sqlite else ")"
    sql("CREATE TEMPORARY TABLE member_bought (customer_id BIGINT NOT NULL, category_id BIGINT NOT NULL, "
        f"product_id BIGINT NOT NULL, amount BIGINT NOT NULL, orders BIGINT NOT NULL{keyed}")
    rows = sql(f"""
        INSERT INTO member_bought (customer_id, category_id, product_id, amount, orders)
        SELECT o.customer_id, COALESCE(p.category_id, 0), s.product_id, CAST(SUM(l.amount) AS BIGINT),
               COUNT(DISTINCT o.id)
        FROM order_lines l CROSS JOIN orders o CROSS JOIN skus s CROSS JOIN products p
        WHERE o.id = l.order_id AND s.id = l.sku_id AND p.id = s.product_id AND {SALES}
        GROUP BY o.customer_id, COALESCE(p.category_id, 0), s.product_id""").rowcount
    if not run.sqlite:
        sql("ANALYZE member_bought")  # a temporary table has no statistics until asked
    return rows


def favourite_categories(run: Run) -> int:
    """Each member's top 2 categories by money spent in them."""
    return _insert("""
        SELECT customer_id, 'category:' || category_id FROM (
          SELECT customer_id, category_id,
                 ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY SUM(amount) DESC, category_id) AS place
          FROM member_bought WHERE category_id <> 0
          GROUP BY customer_id, category_id) AS ranked
        WHERE place <= 2""")


def favourite_products(run: Run) -> int:
    """Each member's favourite product: the one bought in the most orders, 2 at least."""
    return _insert(f"""
        SELECT customer_id, 'product:' || product_id FROM (
          SELECT customer_id, product_id,
                 ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY orders DESC, product_id) AS place
          FROM member_bought WHERE orders >= {TOGETHER_MIN}) AS ranked
        WHERE place = 1""")


def usual_weekday(run: Run) -> int:
    return _insert(_usual(_local_part(run, "weekday"), "weekday"))


def usual_hour(run: Run) -> int:
    return _insert(_usual(_local_part(run, "hour"), "hour"))


def birthday_months(run: Run) -> int:
    month = "strftime('%m', birthday)" if run.sqlite else "to_char(birthday, 'MM')"
    return _insert(f"SELECT customer_id, 'birthday:' || {month} FROM member_profiles WHERE birthday IS NOT NULL")


def _usual(part: str, family: str) -> str:
    """The member's usual weekday or hour: the most frequent, on 2 orders or more and 40 % of them (the
    values seen once are dropped before ranking: they can never be the usual one)."""
    return f"""
        SELECT ranked.customer_id, '{family}:' || ranked.value FROM (
          SELECT customer_id, value, times,
                 ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY times DESC, value) AS place
          FROM (SELECT customer_id, value, COUNT(*) AS times
                FROM (SELECT o.customer_id AS customer_id, {part} AS value FROM orders o WHERE {SALES}) AS visits
                GROUP BY customer_id, value HAVING COUNT(*) >= 2) AS repeated) AS ranked
        JOIN member_figures f ON f.customer_id = ranked.customer_id
        WHERE ranked.place = 1 AND 5 * ranked.times >= 2 * f.orders"""


def _local_part(run: Run, part: str) -> str:
    """The weekday (1 = Monday … 7 = Sunday) or hour of an order in the shop's time zone, as SQL. SQLite:
    whole seconds since 1970 (a Thursday), shifted to local time, in integers (exact at midnight)."""
    minutes = int(local_time().utcoffset().total_seconds() // 60)
    if run.sqlite:
        epoch = "unixepoch(o.completed_at)" if sqlite3.sqlite_version_info >= (3, 38) \
            else "CAST(strftime('%s', o.completed_at) AS INTEGER)"
        seconds = f"({epoch} + {minutes * 60})"
        return f"(({seconds} / 86400 + 3) % 7 + 1)" if part == "weekday" else f"(({seconds} % 86400) / 3600)"
    moment = f"(o.completed_at + INTERVAL '{minutes} minutes')"
    return f"CAST(EXTRACT(ISODOW FROM {moment}) AS INTEGER)" if part == "weekday" \
        else f"CAST(EXTRACT(HOUR FROM {moment}) AS INTEGER)"


def together(run: Run) -> int:
    return refresh_together(run.now)


def refresh_together(now: datetime) -> int:
    """Co-purchase counts (till and online, any customer) of the newest ``TOGETHER_ORDERS`` sales, those of
    the last year (the first of them found on the primary key read backwards; their lines are then one range
    of the lines' order index): top 4 per product. The orders' products go into a scratch table (SQLite: keyed
    by order first); each pair is counted once (the smaller product first) and written both ways."""
    db.session.execute(delete(OftenBoughtTogether))  # a few rows per product: no need to truncate
    sql("DROP TABLE IF EXISTS order_products")
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    keyed = ", PRIMARY KEY (order_id, product_id)) WITHOUT ROWID" if sqlite else ")"  # PostgreSQL: hash join
    sql(f"CREATE TEMPORARY TABLE order_products (order_id BIGINT NOT NULL, product_id BIGINT NOT NULL{keyed}")
    sales = "o.kind = 'sale' AND o.status = 'completed'"
    first = sql(f"SELECT o.id FROM orders o WHERE {sales} ORDER BY o.id DESC LIMIT 1 OFFSET :skip",
                skip=TOGETHER_ORDERS - 1).scalar() or 0
    sql(f"""INSERT INTO order_products (order_id, product_id)
            SELECT DISTINCT l.order_id, s.product_id
            FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN skus s ON s.id = l.sku_id
            WHERE o.id >= :first AND l.order_id >= :first AND {sales} AND o.completed_at >= :since""",
        since=now - timedelta(days=TOGETHER_DAYS), first=first)
    if not sqlite:
        sql("ANALYZE order_products")  # without statistics it probes an index per row instead
    result = sql(f"""
        INSERT INTO often_bought_together (product_id, other_id, orders, rank)
        WITH pairs AS (
          SELECT a.product_id AS first_id, b.product_id AS second_id, COUNT(*) AS together
          FROM order_products a JOIN order_products b ON b.order_id = a.order_id AND b.product_id > a.product_id
          GROUP BY a.product_id, b.product_id HAVING COUNT(*) >= {TOGETHER_MIN})
        SELECT product_id, other_id, together, place FROM (
          SELECT product_id, other_id, together,
                 ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY together DESC, other_id) AS place
          FROM (SELECT first_id AS product_id, second_id AS other_id, together FROM pairs
                UNION ALL SELECT second_id, first_id, together FROM pairs) AS both_ways) AS ranked
        WHERE place <= {TOGETHER_TOP}""")
    sql("DROP TABLE order_products")
    return result.rowcount


STEPS: list[tuple[str, Step]] = [
    ("members", figures),
    ("rfm", rfm),
    ("bought", bought),
    ("category", favourite_categories),
    ("product", favourite_products),
    ("brand", lambda run: brand_tags.favourite_brands("member_bought")),  # outreach/brand_tags.py
    ("weekday", usual_weekday),
    ("hour", usual_hour),
    ("birthday", birthday_months),
    ("together", together),
]


# ------------------------------------------------------------------ manual tags and reading tags

def manual_name(name: str) -> str:
    name = (name or "").replace("\x00", "").strip()
    if not name or len(name) > MANUAL_LIMIT or ":" in name:
        raise TagInvalid(limit=MANUAL_LIMIT, tag=name[:MANUAL_LIMIT] or "—")
    return name


def add_manual(customer_id: int, name: str) -> str:
    name = manual_name(name)
    if db.session.get(MemberManualTag, (customer_id, name)) is None:
        db.session.add(MemberManualTag(customer_id=customer_id, name=name))
        db.session.flush()
    return f"{MANUAL}{name}"


def remove_manual(customer_id: int, tag: str) -> None:
    db.session.execute(delete(MemberManualTag).where(MemberManualTag.customer_id == customer_id,
                                                     MemberManualTag.name == tag.removeprefix(MANUAL)))


def tags_of(customer_id: int) -> list[str]:
    computed = db.session.scalars(select(MemberTag.tag).where(MemberTag.customer_id == customer_id))
    manual = db.session.scalars(select(MemberManualTag.name).where(MemberManualTag.customer_id == customer_id))
    return sorted([*computed, *(MANUAL + name for name in manual)])


def tag_counts() -> list[tuple[str, int]]:
    """Every tag in use with how many members carry it (the segment editor's choices)."""
    computed = db.session.execute(select(MemberTag.tag, func.count()).group_by(MemberTag.tag)).all()
    manual = db.session.execute(select(MemberManualTag.name, func.count()).group_by(MemberManualTag.name)).all()
    return sorted([*map(tuple, computed), *((MANUAL + name, n) for name, n in manual)])


def profile(customer_id: int, *, make: bool = False) -> MemberProfile | None:
    found = db.session.get(MemberProfile, customer_id)
    if found is None and make:
        found = MemberProfile(customer_id=customer_id)
        db.session.add(found)
        db.session.flush()
    return found


def labels(tags) -> dict[str, str]:
    """What a shop owner reads for each tag (names of categories and products looked up once)."""
    tags = list(tags)
    ids = {family: [int(v) for t in tags if t.startswith(family + ":") and (v := t.split(":", 1)[1]).isdigit()]
           for family in ("category", "product")}
    names = {f"category:{i}": n for i, n in db.session.execute(
        select(Category.id, Category.name).where(Category.id.in_(ids["category"])))} if ids["category"] else {}
    if ids["product"]:
        names.update({f"product:{i}": n for i, n in db.session.execute(
            select(Product.id, Product.name).where(Product.id.in_(ids["product"])))})
    return {tag: label(tag, names) for tag in tags} | brand_tags.labels(tags)


def label(tag: str, names: dict | None = None) -> str:
    family, _sep, value = tag.partition(":")
    names = names or {}
    if family == "rfm" and value in SEGMENTS:
        return str(SEGMENTS[value])
    if family == "category":
        return _("Buys mostly: %(category)s", category=names.get(tag, value))
    if family == "product":
        return _("Favourite: %(product)s", product=names.get(tag, value))
    if family == "weekday" and value.isdigit() and int(value) in WEEKDAYS:
        return _("Usually on %(weekday)s", weekday=WEEKDAYS[int(value)])
    if family == "hour" and value.isdigit():
        return _("Usually around %(hour)s:00", hour=value)
    if family == "birthday" and value.isdigit():
        return _("Birthday in month %(month)s", month=int(value))
    return value or tag
