"""The member's card through one till sale: read once, changed in memory, written once.

A till sale with a member — paid partly with stored value and points, earning points and growth — would
read and write the card at every step if each went on its own (the debit, the spend, the earning).
``checkout.complete_sale`` opens a *tab* on the card instead (``tab_for``):

- one SELECT reads the card (under a row lock on PostgreSQL, ``FOR UPDATE OF member_cards``; SQLite has
  one writer), the chain's settings and the member's lots with points left, nearest expiry first;
- the providers of the two member tenders find the open tab (``cards.open_tab``) and take their part on
  it, checked against what was read: a member short of balance or points is declined, nothing written;
- ``points.earn_for_sale`` puts the sale's earning on it (growth, tier, points, the points owed paid first);
- ``close`` writes it all, one statement each: the card (a compare-and-set UPDATE on the principal and
  bonus that were read), the lots spent (one guarded UPDATE, a CASE per lot), the earned lot, the points
  ledger rows, the stored-value ledger rows.

The rules are those of ``wallet.debit`` (principal first, then bonus), ``points.spend`` (nearest expiry
first; points owed cannot be spent) and ``points.earn_for_sale``; every change is a ledger row, so the
ledgers still sum to the card and to the lots. Two tills on the last ¥100 or the last points: the second
reads the card after the first has committed, and is declined.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import and_, case, insert, null, select, update
from sqlalchemy.orm.attributes import set_committed_value

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members import points
from webapp.members.cards import card_of, keep, settings
from webapp.members.errors import InsufficientBalance, InsufficientPoints
from webapp.members.models import (
    ZERO,
    MemberCard,
    MemberSettings,
    PointsEntry,
    PointsKind,
    PointsLot,
    StoredValueEntry,
    ValueKind,
)
from webapp.sales.models import Order, OrderKind

_cards, _lots = MemberCard.__table__, PointsLot.__table__
_points_entries, _value_entries = PointsEntry.__table__, StoredValueEntry.__table__


class Tab:
    """What one sale does to the member's card, kept in memory until ``close``."""

    def __init__(self, order: Order, card: MemberCard, chain: MemberSettings, lots: list[tuple[int, int]],
                 answer=None):
        self.order, self.card, self.chain = order, card, chain
        self.answer = answer  # what the caller asked along with the read (``tab_for(ask=...)``)
        self.lots = [[lot_id, left] for lot_id, left in lots]  # [id, points left], nearest expiry first
        self.principal = self.bonus = ZERO  # what the sale changes
        self.growth = self.owed = 0
        self.tier = card.tier
        self.spent: dict[int, int] = {}  # lot id → points taken from it
        self.points_rows: list[dict] = []
        self.value_rows: list[dict] = []
        self.earned: dict | None = None  # the earned lot's row
        self.now = utcnow()

    @property
    def balance(self) -> Decimal:
        return self.card.principal + self.principal + self.card.bonus + self.bonus

    def debit(self, amount: Decimal, reference: str) -> None:
        """Stored value: principal first, then bonus; ``InsufficientBalance`` (nothing taken) when short."""
        if self.balance < amount:
            raise InsufficientBalance(balance=self.balance, amount=amount)
        from_principal = min(self.card.principal + self.principal, amount)
        self.principal -= from_principal
        self.bonus -= amount - from_principal
        self.value_rows.append({
            "customer_id": self.card.customer_id, "kind": ValueKind.SPEND.value, "principal": -from_principal,
            "bonus": -(amount - from_principal), "reference": reference[:64], "original_id": None,
            "order_id": self.order.id, "store_id": None, "user_id": None, "reason": "", "created_at": self.now})

    def spend(self, wanted: int, reference: str) -> None:
        """Points: from the lots expiring first; ``InsufficientPoints`` (nothing taken) when the member has
        fewer (the points they owe count against them)."""
        have = sum(left for _, left in self.lots) - self.card.points_owed - self.owed
        if have < wanted:
            raise InsufficientPoints(points=have, wanted=wanted)
        left_to_take = wanted
        for lot in self.lots:
            if not left_to_take:
                break
            part = min(lot[1], left_to_take)
            if not part:
                continue
            lot[1] -= part
            left_to_take -= part
            self.spent[lot[0]] = self.spent.get(lot[0], 0) + part
            self.points_rows.append(self._points_row(lot[0], PointsKind.SPEND, -part, reference))

    def earn(self, order: Order, by_points: Decimal) -> int:
        """The sale's points and growth (``points.earning``), the points owed paid first from them."""
        earned = points.earning(order, self.card.tier, self.chain, by_points)
        self.growth += earned.growth
        self.tier = points.tier_for(self.card.growth + self.growth)
        if earned.points <= 0:
            return 0
        owed = min(self.card.points_owed + self.owed, earned.points)
        self.owed -= owed
        self.earned = {"customer_id": self.card.customer_id, "points": earned.points,
                       "left": earned.points - owed, "order_id": order.id, "base": earned.base,
                       "tier_multiplier": earned.tier_multiplier, "earned_at": self.now,
                       "expires_at": points.add_months(self.now, self.chain.points_months)}
        self.points_rows.append(self._points_row(None, PointsKind.EARN, earned.points, f"E-{order.number}"))
        return earned.points

    def close(self) -> None:
        """Write what the sale did to the card, its lots and both ledgers (see the module's docstring)."""
        card = self.card
        if self.principal or self.bonus or self.growth or self.owed or self.tier != card.tier:
            done = db.session.execute(
                update(_cards).where(_cards.c.customer_id == card.customer_id, _cards.c.principal == card.principal,
                                     _cards.c.bonus == card.bonus)
                .values(principal=_cards.c.principal + self.principal, bonus=_cards.c.bonus + self.bonus,
                        growth=_cards.c.growth + self.growth, points_owed=_cards.c.points_owed + self.owed,
                        tier=self.tier))
            if done.rowcount != 1:  # changed since it was read: only without the row lock
                raise InsufficientBalance(balance=card.balance, amount=-(self.principal + self.bonus))
            for name, value in (("principal", card.principal + self.principal), ("bonus", card.bonus + self.bonus),
                                ("growth", card.growth + self.growth), ("points_owed", card.points_owed + self.owed),
                                ("tier", self.tier)):
                set_committed_value(card, name, value)  # as the UPDATE wrote them
        if self.spent:
            part = case(self.spent, value=_lots.c.id)
            done = db.session.execute(update(_lots).where(_lots.c.id.in_(self.spent), _lots.c.left >= part)
                                      .values(left=_lots.c.left - part))
            if done.rowcount != len(self.spent):  # a lot changed meanwhile (expired, taken back)
                raise InsufficientPoints(points=points.balance(card.customer_id), wanted=sum(self.spent.values()))
        if self.earned is not None:
            lot_id = db.session.execute(insert(_lots).values(self.earned).returning(_lots.c.id)).scalar_one()
            for row in self.points_rows:
                if row["kind"] == PointsKind.EARN.value:
                    row["lot_id"] = lot_id
        if self.points_rows:
            db.session.execute(insert(_points_entries).values(self.points_rows))
        if self.value_rows:
            db.session.execute(insert(_value_entries).values(self.value_rows))

    def _points_row(self, lot_id: int | None, kind: PointsKind, amount: int, reference: str) -> dict:
        return {"customer_id": self.card.customer_id, "lot_id": lot_id, "kind": kind.value, "points": amount,
                "reference": reference[:64], "undoes": None, "order_id": self.order.id, "created_at": self.now}


@contextmanager
def tab_for(order: Order, ask=None) -> Iterator[Tab | None]:
    """The open tab on the card of the sale's member for the block (None: no member, nothing opened).
    The caller calls ``close`` at the end of its work; leaving by an error writes nothing. ``ask``: a
    scalar SQL expression of the caller's, answered in the same statement (``Tab.answer``)."""
    if order.customer_id is None or order.kind != OrderKind.SALE:
        yield None
        return
    tab = _read(order, ask)
    tabs = db.session.info.setdefault("member_tabs", {})
    tabs[order.customer_id] = tab
    try:
        yield tab
    finally:
        tabs.pop(order.customer_id, None)


def _read(order: Order, ask=None) -> Tab:
    """The card (locked), the chain's settings and the live lots, in one statement (with ``ask``'s answer)."""
    now = utcnow()
    statement = (
        select(MemberCard, MemberSettings, PointsLot.id, PointsLot.left, ask if ask is not None else null())
        .select_from(MemberCard)
        .outerjoin(MemberSettings, MemberSettings.id == 1)
        .outerjoin(PointsLot, and_(PointsLot.customer_id == MemberCard.customer_id, PointsLot.left > 0,
                                   PointsLot.expires_at > now))
        .where(MemberCard.customer_id == order.customer_id)
        .order_by(PointsLot.expires_at, PointsLot.id)
        .with_for_update(of=MemberCard).execution_options(populate_existing=True))
    rows = db.session.execute(statement).all()
    if not rows or rows[0][1] is None:  # a first visit: the card or the chain's settings made now
        if not rows:
            card_of(order.customer, order.store)
        settings()
        rows = db.session.execute(statement).all()
    card, chain = keep(rows[0][0]), keep(rows[0][1])
    return Tab(order, card, chain, [(lot_id, left) for _, _, lot_id, left, _ in rows if lot_id is not None],
               rows[0][4])
