"""Tags computed from what members bought, kept fresh by ``flask outreach tags`` (nightly) and the
managers' "recompute now" button; manual tags given by hand.

Set-based: each tag family is one ``INSERT … SELECT … GROUP BY`` over the orders, never a loop per member,
so a million members take a minute or two on either database (``python -m bench.bench_tags``). The
computed rows are deleted and written again in the caller's transaction: readers see the old tags or the
new ones, never half.

Behaviour is the completed sale orders with a customer; money is net of their returns (a return carries
its original's customer).

RFM segments (recency = days since the last order, frequency = orders, money = spent; "top spenders" are
the top fifth of members by money):

- ``new`` 新客: one order, within the last 30 days;
- ``high_value`` 高价值: bought within 60 days, 3 orders or more, a top spender;
- ``loyal`` 忠实客: bought within 60 days, 3 orders or more;
- ``promising`` 潜力客: bought within 60 days;
- ``at_risk`` 流失风险: last bought 60–180 days ago, and was a regular (3+ orders) or a top spender;
- ``to_wake`` 需唤醒: last bought 60–180 days ago;
- ``lost`` 已流失: nothing for more than 180 days.
"""
import time
from contextlib import contextmanager
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
TOGETHER_DAYS, TOGETHER_TOP, TOGETHER_MIN = 365, 4, 2

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


def recompute(now: datetime | None = None) -> dict[str, int]:
    """Rebuild every computed tag, the members' figures and the co-purchase counts; returns row counts
    (and leaves each step's seconds in ``timings``, for the benchmark)."""
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    counts: dict[str, int] = {}
    timings.clear()

    def step(name: str, work) -> None:
        started = time.perf_counter()
        counts[name] = work()
        timings[name] = time.perf_counter() - started

    month = "strftime('%m', birthday)" if dialect == "sqlite" else "to_char(birthday, 'MM')"
    with _roomy(dialect):
        step("members", lambda: _figures(now, dialect))
        _clear("member_tags", dialect)
        step("rfm", lambda: _insert("SELECT customer_id, 'rfm:' || segment FROM member_figures"))
        step("bought", _bought)
        step("category", lambda: _insert(_favourite("category_id", "SUM(amount)", "category", 2, 1)))
        step("product", lambda: _insert(_favourite("product_id", "SUM(orders)", "product", 1, TOGETHER_MIN)))
        step("brand", lambda: brand_tags.favourite_brands("member_bought"))
        sql("DROP TABLE member_bought")
        step("weekday", lambda: _insert(_usual(_local_part(dialect, "weekday"), "weekday")))
        step("hour", lambda: _insert(_usual(_local_part(dialect, "hour"), "hour")))
        step("birthday", lambda: _insert(f"SELECT customer_id, 'birthday:' || {month} FROM member_profiles "
                                         "WHERE birthday IS NOT NULL"))
        step("together", lambda: refresh_together(now))
    db.session.flush()
    return counts


timings: dict[str, float] = {}


@contextmanager
def _roomy(dialect: str):
    """Room to sort in memory while recomputing: SQLite a bigger page cache, PostgreSQL more work_mem."""
    if dialect != "sqlite":
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


def _clear(table: str, dialect: str) -> None:
    """Empty a computed table at once (SQLite's DELETE without WHERE and PostgreSQL's TRUNCATE drop its pages
    instead of deleting row by row)."""
    sql(f"DELETE FROM {table}" if dialect == "sqlite" else f"TRUNCATE {table}")


def _insert(select_sql: str) -> int:
    return sql(f"INSERT INTO member_tags (customer_id, tag) {select_sql}").rowcount


def _figures(now: datetime, dialect: str) -> int:
    """Each member's figures and RFM segment in one statement (the top fifth by money: NTILE). The average
    ticket is rounded half up to the fen in whole numbers (the sums cast to integers: PostgreSQL's are numeric)."""
    _clear("member_figures", dialect)
    return sql("""
        INSERT INTO member_figures (customer_id, orders, spent, average_ticket, first_order_at, last_order_at,
                                    segment, computed_at)
        SELECT customer_id, orders, spent, (2 * spent + orders) / (2 * orders), first_at, last_at, CASE
          WHEN orders = 1 AND first_at >= :new THEN 'new'
          WHEN last_at >= :active AND orders >= :regular AND fifth = 1 THEN 'high_value'
          WHEN last_at >= :active AND orders >= :regular THEN 'loyal'
          WHEN last_at >= :active THEN 'promising'
          WHEN last_at >= :lost AND (orders >= :regular OR fifth = 1) THEN 'at_risk'
          WHEN last_at >= :lost THEN 'to_wake'
          ELSE 'lost' END, :now
        FROM (SELECT bought.*, NTILE(:share) OVER (ORDER BY spent DESC) AS fifth
              FROM (SELECT o.customer_id AS customer_id,
                           CAST(SUM(CASE WHEN o.kind = 'sale' THEN 1 ELSE 0 END) AS BIGINT) AS orders,
                           CAST(SUM(CASE WHEN o.kind = 'sale' THEN o.total ELSE -o.total END) AS BIGINT) AS spent,
                           MIN(o.completed_at) AS first_at,
                           MAX(CASE WHEN o.kind = 'sale' THEN o.completed_at END) AS last_at
                    FROM orders o WHERE o.status = 'completed' AND o.customer_id IS NOT NULL
                    GROUP BY o.customer_id) AS bought
              WHERE orders > 0) AS ranked
        """, now=now, new=now - timedelta(days=NEW_DAYS), active=now - timedelta(days=ACTIVE_DAYS),
        lost=now - timedelta(days=LOST_DAYS), regular=REGULAR_ORDERS, share=TOP_SHARE).rowcount


def _bought() -> int:
    """A scratch table: what each member bought, per product (money, orders), read by the favourites."""
    return sql(f"""
        CREATE TEMPORARY TABLE member_bought AS
        SELECT o.customer_id AS customer_id, s.product_id AS product_id, p.category_id AS category_id,
               SUM(l.amount) AS amount, COUNT(DISTINCT o.id) AS orders
        FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN skus s ON s.id = l.sku_id
             JOIN products p ON p.id = s.product_id
        WHERE {SALES}
        GROUP BY o.customer_id, s.product_id, p.category_id""").rowcount


def _favourite(key: str, weight: str, family: str, keep: int, minimum: int) -> str:
    """The top ``keep`` values of ``key`` per member by ``weight`` (bought in at least ``minimum`` orders)."""
    return f"""
        SELECT customer_id, '{family}:' || thing FROM (
          SELECT customer_id, {key} AS thing,
                 ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY {weight} DESC, {key}) AS place
          FROM member_bought WHERE {key} IS NOT NULL
          GROUP BY customer_id, {key} HAVING SUM(orders) >= {minimum}) AS ranked
        WHERE place <= {keep}"""


def _usual(part: str, family: str) -> str:
    """The member's usual weekday or hour: the most frequent, on 2 orders or more and 40 % of them."""
    return f"""
        SELECT ranked.customer_id, '{family}:' || ranked.value FROM (
          SELECT customer_id, value, COUNT(*) AS times,
                 ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY COUNT(*) DESC, value) AS place
          FROM (SELECT o.customer_id AS customer_id, {part} AS value FROM orders o WHERE {SALES}) AS visits
          GROUP BY customer_id, value) AS ranked
        JOIN member_figures f ON f.customer_id = ranked.customer_id
        WHERE ranked.place = 1 AND ranked.times >= 2 AND 5 * ranked.times >= 2 * f.orders"""


def _local_part(dialect: str, part: str) -> str:
    """The weekday (1 = Monday … 7 = Sunday) or hour of an order in the shop's time zone, as SQL."""
    minutes = int(local_time().utcoffset().total_seconds() // 60)
    if dialect == "sqlite":
        moment = f"datetime(o.completed_at, '{minutes:+d} minutes')"
        if part == "weekday":
            return f"((CAST(strftime('%w', {moment}) AS INTEGER) + 6) % 7 + 1)"
        return f"CAST(strftime('%H', {moment}) AS INTEGER)"
    moment = f"(o.completed_at + INTERVAL '{minutes} minutes')"
    return f"CAST(EXTRACT(ISODOW FROM {moment}) AS INTEGER)" if part == "weekday" \
        else f"CAST(EXTRACT(HOUR FROM {moment}) AS INTEGER)"


def refresh_together(now: datetime) -> int:
    """Co-purchase counts of the last year's sales (till and online, any customer): top 4 per product.
    The orders' products go into a scratch table keyed by order first, so the pairs are one indexed join."""
    db.session.execute(delete(OftenBoughtTogether))  # a few rows per product: no need to truncate
    sql("CREATE TEMPORARY TABLE order_products (order_id BIGINT NOT NULL, product_id BIGINT NOT NULL, "
        "PRIMARY KEY (order_id, product_id))")
    sql("""INSERT INTO order_products (order_id, product_id)
           SELECT DISTINCT l.order_id, s.product_id
           FROM orders o JOIN order_lines l ON l.order_id = o.id JOIN skus s ON s.id = l.sku_id
           WHERE o.kind = 'sale' AND o.status = 'completed' AND o.completed_at >= :since""",
        since=now - timedelta(days=TOGETHER_DAYS))
    result = sql(f"""
        INSERT INTO often_bought_together (product_id, other_id, orders, rank)
        SELECT product_id, other_id, together, place FROM (
          SELECT a.product_id AS product_id, b.product_id AS other_id, COUNT(*) AS together,
                 ROW_NUMBER() OVER (PARTITION BY a.product_id ORDER BY COUNT(*) DESC, b.product_id) AS place
          FROM order_products a JOIN order_products b ON b.order_id = a.order_id AND b.product_id <> a.product_id
          GROUP BY a.product_id, b.product_id HAVING COUNT(*) >= {TOGETHER_MIN}) AS ranked
        WHERE place <= {TOGETHER_TOP}""")
    sql("DROP TABLE order_products")
    return result.rowcount


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
