"""Stored value (储值): top-ups with recharge rules, spending as a tender, refunds, a manager's adjustment.

The rules, as the member page shows them:

- A top-up of at least a rule's amount gets its bonus (充500送50; the largest rule reached). Principal
  (the money paid in) and bonus are kept apart, in the card and in every ledger row.
- Spending takes the principal first, then the bonus. A purchase refunded gives back the bonus it
  took first, then its principal (the reverse order), never more than it took.
- A top-up refunded gives back the principal still on the card (at most the top-up's) and takes back
  its bonus (at most what is left of the bonus).
- The balance may not go above the chain's cap (¥5,000 by default) by a top-up; it never expires.
- A top-up is a liability, not a sale: it is an order of kind ``topup`` with no lines, which sales
  reports leave out; its money comes in through the payment path like any other.

Every change is a ``StoredValueEntry`` row; the card's principal and bonus are always their sums.
A debit is a compare-and-set UPDATE on the card row read under a row lock (PostgreSQL ``FOR UPDATE``;
SQLite's one writer), so two tills spending the last ¥100 at once: exactly one succeeds.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from webapp.auth.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.members.cards import card_of, keep, open_tab, settings
from webapp.members.errors import (
    AboveBalanceCap,
    AdjustBelowZero,
    InsufficientBalance,
    InvalidRechargeRule,
    InvalidTopUp,
    MemberRequired,
    NotATopUp,
    ReasonRequired,
    TopUpRefunded,
)
from webapp.members.models import ZERO, MemberCard, RechargeRule, StoredValueEntry, ValueKind
from webapp.numbers import money
from webapp.sales import tenders
from webapp.sales.cart import check_till
from webapp.sales.errors import DuplicateRequest
from webapp.sales.models import Order, OrderKind, OrderStatus, PaymentStatus
from webapp.sales.numbering import next_order_number
from webapp.sales.providers import PaymentResult
from webapp.sales.tenders import TakenAt, Tender, completed_with
from webapp.stores.models import Store

_cards = MemberCard.__table__


# ---------------------------------------------------------------- recharge rules


def bonus_for(amount: Decimal) -> Decimal:
    """The bonus a top-up of ``amount`` gets: the largest active rule it reaches."""
    found = db.session.scalar(select(RechargeRule.bonus).where(RechargeRule.active, RechargeRule.threshold <= amount)
                              .order_by(RechargeRule.threshold.desc()).limit(1))
    return found or ZERO


def rules() -> list[RechargeRule]:
    return list(db.session.scalars(select(RechargeRule).where(RechargeRule.active).order_by(RechargeRule.threshold)))


def save_rule(threshold, bonus) -> RechargeRule:
    threshold, bonus = money(threshold), money(bonus)
    if threshold <= 0 or bonus < 0:
        raise InvalidRechargeRule()
    rule = RechargeRule(threshold=threshold, bonus=bonus, active=True)
    db.session.add(rule)
    db.session.flush()
    return rule


def retire_rule(rule: RechargeRule) -> None:
    rule.active = False
    db.session.flush()


# ---------------------------------------------------------------- top-ups


def top_up(customer: User, amount, payments: list[Tender], *, store: Store, user: User, register=None, shift=None,
           client_uuid: str) -> Order:
    """Take ``amount`` through the payment path and put it, with its bonus, on the member's card.

    The same ``client_uuid`` again returns the top-up made."""
    done = completed_with(client_uuid)
    if done is not None:
        return done
    amount = money(amount)
    if amount <= 0:
        raise InvalidTopUp(amount=amount)
    check_till(store, register, shift)
    card = card_of(customer, store)
    bonus = bonus_for(amount)
    _check_cap(card, amount + bonus)
    try:
        with db.session.begin_nested():
            order = Order(number=next_order_number(store), channel="pos", kind=OrderKind.TOPUP.value,
                          status=OrderStatus.OPEN.value, store_id=store.id, cashier_id=user.id,
                          customer_id=customer.id, client_uuid=client_uuid, subtotal=amount, total=amount,
                          register_id=register.id if register else None, shift_id=shift.id if shift else None)
            db.session.add(order)
            db.session.flush()
    except IntegrityError:  # the same top-up, completed meanwhile by a retry
        done = completed_with(client_uuid)
        if done is None:
            raise DuplicateRequest() from None
        return done
    planned = tenders.plan(order, payments, at=TakenAt.TOPUP)
    with tenders.taking(order, planned) as take:
        take()
        _credit(customer.id, amount, bonus, ValueKind.TOP_UP, f"T-{order.number}", order=order, store=store,
                cap=settings().balance_cap)
        order.status, order.completed_at = OrderStatus.COMPLETED.value, utcnow()
        db.session.flush()
    return order


def top_up_entry(order: Order) -> StoredValueEntry | None:
    return db.session.scalar(select(StoredValueEntry).where(StoredValueEntry.reference == f"T-{order.number}"))


def top_up_refund_of(order: Order) -> Order | None:
    return db.session.scalar(select(Order).where(Order.original_order_id == order.id,
                                                 Order.kind == OrderKind.TOPUP.value,
                                                 Order.status == OrderStatus.COMPLETED.value))


def refund_preview(order: Order) -> tuple[Decimal, Decimal]:
    """What refunding this top-up would do now: (principal given back, bonus taken back)."""
    entry = top_up_entry(order)
    card = db.session.get(MemberCard, order.customer_id)
    return min(entry.principal, card.principal), min(entry.bonus, card.bonus)


def refund_top_up(topup: Order, *, user: User, register=None, shift=None, client_uuid: str) -> Order:
    """Give back the top-up's principal still on the card, the way it was paid; take back its bonus."""
    done = completed_with(client_uuid)
    if done is not None:
        return done
    entry = top_up_entry(topup) if topup.kind == OrderKind.TOPUP and topup.original_order_id is None else None
    if entry is None or topup.status != OrderStatus.COMPLETED:
        raise NotATopUp(number=topup.number)
    store = register.store if register is not None else topup.store
    check_till(store, register, shift)
    card = _locked_card(topup.customer_id)
    if top_up_refund_of(topup) is not None:
        raise TopUpRefunded(number=topup.number)
    principal, bonus = min(entry.principal, card.principal), min(entry.bonus, card.bonus)
    back = Order(number=next_order_number(store), channel="pos", kind=OrderKind.TOPUP.value,
                 status=OrderStatus.OPEN.value, store_id=store.id, cashier_id=user.id,
                 customer_id=topup.customer_id, original_order_id=topup.id, client_uuid=client_uuid,
                 register_id=register.id if register else None, shift_id=shift.id if shift else None,
                 subtotal=principal, total=principal)
    db.session.add(back)
    db.session.flush()
    _move(card, -principal, -bonus, ValueKind.TOP_UP_REFUND, f"TR-{topup.number}", order=back, store=store,
          original_id=entry.id)
    left = principal
    paid = [p for p in topup.payments if p.status == PaymentStatus.SUCCEEDED and p.amount > 0]
    for payment in sorted(paid, key=lambda p: (p.method == "cash", p.id)):
        part = min(left, tenders.unrefunded(back, payment))
        if part > 0:
            given = tenders.refund(back, payment, part, f"R-{back.number}-{payment.id}")
            if given.status == PaymentStatus.DECLINED:  # the provider refused: cash instead
                given.method, given.status = "cash", PaymentStatus.SUCCEEDED.value
            left -= part
    if left > 0:
        tenders.cash_back(back, left)
    back.status, back.completed_at = OrderStatus.COMPLETED.value, utcnow()
    db.session.flush()
    return back


# ---------------------------------------------------------------- spending and refunds (the provider's side)


def balance_of(customer_id: int) -> Decimal:
    card = db.session.get(MemberCard, customer_id)
    return card.balance if card else ZERO


def debit(customer_id: int, amount: Decimal, reference: str, *, order_id: int | None = None) -> StoredValueEntry:
    """Spend ``amount``: principal first, then bonus; refused (nothing changes) when the balance is short."""
    card = _locked_card(customer_id)
    if card is None:
        raise MemberRequired()
    if card.balance < amount:
        raise InsufficientBalance(balance=card.balance, amount=amount)
    from_principal = min(card.principal, amount)
    return _move(card, -from_principal, -(amount - from_principal), ValueKind.SPEND, reference, order_id=order_id)


def credit_back(spend_reference: str, amount: Decimal, reference: str) -> StoredValueEntry | None:
    """Give back ``amount`` of a spend (bonus first, then principal, never more than it took); the same
    ``reference`` again gives back nothing more. None: the spend was never made (rolled back)."""
    again = db.session.scalar(select(StoredValueEntry).where(StoredValueEntry.reference == reference))
    if again is not None:
        return again
    spend = db.session.scalar(select(StoredValueEntry).where(StoredValueEntry.reference == spend_reference,
                                                             StoredValueEntry.kind == ValueKind.SPEND.value))
    if spend is None:
        return None
    back_p, back_b = db.session.execute(
        select(func.coalesce(func.sum(StoredValueEntry.principal), 0), func.coalesce(func.sum(StoredValueEntry.bonus), 0))
        .where(StoredValueEntry.original_id == spend.id)).one()
    bonus_left = -spend.bonus - Decimal(back_b)
    principal_left = -spend.principal - Decimal(back_p)
    if amount > bonus_left + principal_left:
        raise InsufficientBalance(balance=bonus_left + principal_left, amount=amount)
    to_bonus = min(bonus_left, amount)
    card = _locked_card(spend.customer_id)
    return _move(card, amount - to_bonus, to_bonus, ValueKind.REFUND, reference, original_id=spend.id,
                 order_id=spend.order_id)


def adjust(customer: User, principal, bonus, *, reason: str, user: User) -> StoredValueEntry:
    """A manager's correction of a balance, with the reason (kept with who made it)."""
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ReasonRequired()
    principal, bonus = money(principal or 0), money(bonus or 0)
    card = card_of(customer)
    card = _locked_card(customer.id)
    if card.principal + principal < 0 or card.bonus + bonus < 0:
        raise AdjustBelowZero(principal=card.principal + principal, bonus=card.bonus + bonus)
    return _move(card, principal, bonus, ValueKind.ADJUST, f"A-{customer.id}-{utcnow():%Y%m%d%H%M%S%f}",
                 user=user, reason=reason)


def ledger(customer_id: int, limit: int = 50) -> list[StoredValueEntry]:
    return list(db.session.scalars(select(StoredValueEntry).where(StoredValueEntry.customer_id == customer_id)
                                   .order_by(StoredValueEntry.id.desc()).limit(limit)))


# ---------------------------------------------------------------- inside


def _check_cap(card: MemberCard, adding: Decimal) -> None:
    cap = settings().balance_cap
    if card.balance + adding > cap:
        raise AboveBalanceCap(cap=cap, balance=card.balance, amount=max(ZERO, cap - card.balance))


def _locked_card(customer_id: int) -> MemberCard | None:
    """The card, read fresh under a row lock (PostgreSQL; SQLite has one writer)."""
    return keep(db.session.scalar(select(MemberCard).where(MemberCard.customer_id == customer_id)
                                  .with_for_update().execution_options(populate_existing=True)))


def _credit(customer_id: int, principal: Decimal, bonus: Decimal, kind: ValueKind, reference: str, *,
            cap: Decimal, **facts) -> StoredValueEntry:
    card = _locked_card(customer_id)
    if card.balance + principal + bonus > cap:
        raise AboveBalanceCap(cap=cap, balance=card.balance, amount=max(ZERO, cap - card.balance - bonus))
    return _move(card, principal, bonus, kind, reference, **facts)


def _move(card: MemberCard, principal: Decimal, bonus: Decimal, kind: ValueKind, reference: str, *, order=None,
          order_id=None, store=None, user=None, original_id=None, reason="") -> StoredValueEntry:
    """Change the card by a compare-and-set UPDATE (what was read is what is changed) and write its row."""
    done = db.session.execute(
        update(_cards).where(_cards.c.customer_id == card.customer_id, _cards.c.principal == card.principal,
                             _cards.c.bonus == card.bonus)
        .values(principal=_cards.c.principal + principal, bonus=_cards.c.bonus + bonus))
    if done.rowcount != 1:  # changed since it was read: only without the row lock
        raise InsufficientBalance(balance=card.balance, amount=-(principal + bonus))
    set_committed_value(card, "principal", card.principal + principal)  # as the compare-and-set wrote them
    set_committed_value(card, "bonus", card.bonus + bonus)
    entry = StoredValueEntry(customer_id=card.customer_id, kind=kind.value, principal=principal, bonus=bonus,
                             reference=reference[:64], original_id=original_id,
                             order_id=order.id if order is not None else order_id,
                             store_id=store.id if store is not None else None,
                             user_id=user.id if user is not None else None, reason=reason)
    db.session.add(entry)
    db.session.flush()
    return entry


class StoredValueProvider:
    """Stored value behind the providers' interface: ``auth_code`` is the member's customer id (the payment
    path puts the sale's member there), the transaction id is our own reference."""

    def __init__(self, method: str) -> None:
        self.method = method

    def charge(self, amount: Decimal, auth_code: str, reference: str) -> PaymentResult:
        try:  # refused before anything is written: no savepoint needed
            with db.session.no_autoflush:
                tab = open_tab(int(auth_code))
                if tab is not None:  # a till sale's: taken on its tab, written once with the sale
                    tab.debit(amount, reference)
                else:
                    debit(int(auth_code), amount, reference)
        except (InsufficientBalance, MemberRequired, ValueError) as refused:
            return PaymentResult(PaymentStatus.DECLINED, message=str(refused)[:200])
        return PaymentResult(PaymentStatus.SUCCEEDED, reference, _("Stored value: paid"))

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> PaymentResult:
        try:
            with db.session.no_autoflush, db.session.begin_nested():
                credit_back(transaction_id, amount, reference)
        except InsufficientBalance as refused:
            return PaymentResult(PaymentStatus.DECLINED, message=str(refused)[:200])
        return PaymentResult(PaymentStatus.SUCCEEDED, reference, _("Stored value: given back"))

    def query(self, reference: str) -> PaymentResult:
        found = db.session.scalar(select(StoredValueEntry.id).where(StoredValueEntry.reference == reference))
        if found is None:
            return PaymentResult(PaymentStatus.DECLINED, message=_("Stored value: no such payment"))
        return PaymentResult(PaymentStatus.SUCCEEDED, reference, _("Stored value: paid"))
