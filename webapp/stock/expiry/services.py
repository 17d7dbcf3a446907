"""Markdown suggestions for lots close to their date, and HQ's near-expiry settings."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.catalog.models import Category
from webapp.catalog.queries import store_price
from webapp.clock import business_day, utcnow
from webapp.extensions import db
from webapp.numbers import round_money
from webapp.stock.expiry.errors import AlreadyDecided, AlreadyExpired, BadDays, NotOnShelf
from webapp.stock.expiry.models import ExpiryWindow, MarkdownSuggestion, StockSettings, SuggestionStatus
from webapp.stock.expiry.queries import near_expiry
from webapp.stock.models import Lot
from webapp.stores.models import Store

# Days left → percent off: the closer the date, the deeper the markdown.
MARKDOWN_STEPS = ((1, 50), (3, 30), (None, 20))

# Called with (suggestion, user) when a markdown is accepted: the promotions room (above this one) answers
# by pricing the lot's SKU at the store (``webapp.promotions.markdowns``).
on_accept: list = []


def percent_off(days_left: int) -> int:
    for within, percent in MARKDOWN_STEPS:
        if within is None or days_left <= within:
            return percent
    raise AssertionError("the last step takes every day")


def suggest_markdown(store: Store, lot: Lot, *, user, today: date | None = None) -> MarkdownSuggestion:
    """Record a suggested promotion for a near-expiry lot; tapping twice keeps the one suggestion."""
    today = today or business_day()
    item = next((n for n in near_expiry(store, today) if n.lot.id == lot.id), None)
    if item is None:
        raise NotOnShelf(code=lot.code)
    if item.expired:
        raise AlreadyExpired(code=lot.code)
    if item.suggestion is not None:
        return item.suggestion
    percent = percent_off(item.days_left)
    own = store_price(store.id, lot.sku_id)
    price = own.price if own else lot.sku.list_price
    suggestion = MarkdownSuggestion(
        store_id=store.id, sku_id=lot.sku_id, lot_id=lot.id, percent_off=percent,
        price=round_money(price * (100 - percent) / Decimal(100)), suggested_by_id=user.id if user else None)
    try:
        with db.session.begin_nested():
            db.session.add(suggestion)
    except IntegrityError:  # tapped twice at once: the other tap's suggestion stands
        return db.session.scalar(select(MarkdownSuggestion).where(
            MarkdownSuggestion.store_id == store.id, MarkdownSuggestion.lot_id == lot.id,
            MarkdownSuggestion.status == SuggestionStatus.SUGGESTED.value))
    return suggestion


def decide(suggestion: MarkdownSuggestion, accept: bool, *, user) -> None:
    """The manager accepts or dismisses, once."""
    status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.DISMISSED
    done = db.session.execute(
        update(MarkdownSuggestion)
        .where(MarkdownSuggestion.id == suggestion.id, MarkdownSuggestion.status == SuggestionStatus.SUGGESTED.value)
        .values(status=status.value, decided_by_id=user.id if user else None, decided_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    if done.rowcount != 1:
        db.session.refresh(suggestion)
        raise AlreadyDecided(status=suggestion.status)
    if accept:
        for answer in on_accept:
            answer(suggestion, user)


def save_settings(*, expiry_days: int, overstock_days: int, sales_window_days: int,
                  windows: dict[int, int | None]) -> None:
    """HQ's settings: chain defaults and days per category (None: the category follows the default)."""
    for value in (expiry_days, overstock_days, sales_window_days, *[d for d in windows.values() if d is not None]):
        _check_days(value)
    if sales_window_days < 1:
        raise BadDays(days=sales_window_days)
    row = db.session.scalar(select(StockSettings).order_by(StockSettings.id).limit(1).with_for_update())
    if row is None:
        row = StockSettings()
        db.session.add(row)
    row.expiry_days, row.overstock_days, row.sales_window_days = expiry_days, overstock_days, sales_window_days
    existing = {w.category_id: w for w in db.session.scalars(select(ExpiryWindow))}
    for category_id, days in windows.items():
        if db.session.get(Category, category_id) is None:
            continue
        if days is None:
            if category_id in existing:
                db.session.delete(existing[category_id])
        elif category_id in existing:
            existing[category_id].days = days
        else:
            db.session.add(ExpiryWindow(category_id=category_id, days=days))
    db.session.flush()


def _check_days(days) -> None:
    if not isinstance(days, int) or not 0 <= days <= 365:
        raise BadDays(days=days)
