"""The rule book is kept in memory: another process's change is seen within a second, the saving process's
at once, and one request never prices with two versions."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event, text

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.promotions import editing, rules
from webapp.promotions.services import Channel, price_cart


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(rules.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def sent():
    """The statements sent while the test runs."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield statements
    event.remove(Engine, "before_cursor_execute", count)


def _started_elsewhere(promotion) -> None:
    """Another server process starts the promotion: its own connection, nothing this process hears of."""
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE promotions SET status = 'active', updated_at = :at WHERE id = :id"),
                           {"at": utcnow() + timedelta(seconds=5), "id": promotion.id})


def _price(store, sku) -> Decimal:
    return price_cart(store, Channel.SHOP, [(sku, Decimal(1))]).total


def test_a_promotion_started_in_another_process_is_seen_within_a_second(make_store, make_sku, make_promotion,
                                                                         clock, sent):
    store, sku = make_store(), make_sku(price="10.00")
    promotion = make_promotion("percent", percent="20", sku_ids=[sku.id], active=False)
    db.session.commit()
    assert _price(store, sku) == Decimal("10.00")
    db.session.commit()
    _started_elsewhere(promotion)

    clock[0] += rules.CHECK_SECONDS - 0.1
    sent.clear()
    assert _price(store, sku) == Decimal("10.00")  # within the bound: priced from memory, no question asked
    assert not [s for s in sent if "promotions" in s], sent
    db.session.commit()

    clock[0] += 0.1
    assert _price(store, sku) == Decimal("8.00")  # the bound is up: asked once, and the change is there


def test_the_process_that_starts_a_promotion_prices_with_it_at_once(make_store, make_sku, make_promotion, clock):
    store, sku = make_store(), make_sku(price="10.00")
    promotion = make_promotion("percent", percent="20", sku_ids=[sku.id], active=False)
    db.session.commit()
    assert _price(store, sku) == Decimal("10.00")
    db.session.commit()

    editing.start(promotion)
    assert _price(store, sku) == Decimal("8.00")  # the saving transaction prices with what it wrote
    db.session.commit()
    assert _price(store, sku) == Decimal("8.00")  # and, committed, every request of this process: no wait
    db.session.commit()

    editing.stop(promotion)
    db.session.commit()
    assert _price(store, sku) == Decimal("10.00")


def test_a_change_rolled_back_is_never_priced_with(make_store, make_sku, make_promotion, clock):
    store, sku = make_store(), make_sku(price="10.00")
    promotion = make_promotion("percent", percent="20", sku_ids=[sku.id], active=False)
    db.session.commit()
    editing.start(promotion)
    db.session.rollback()
    assert _price(store, sku) == Decimal("10.00")


def test_one_request_never_prices_with_two_versions(make_store, make_sku, make_promotion, clock):
    store, sku = make_store(), make_sku(price="10.00")
    promotion = make_promotion("percent", percent="20", sku_ids=[sku.id], active=False)
    db.session.commit()
    assert _price(store, sku) == Decimal("10.00")
    db.session.commit()
    _started_elsewhere(promotion)
    clock[0] += rules.CHECK_SECONDS / 2
    assert _price(store, sku) == Decimal("10.00")  # a request's first pricing, within the bound, pins the book
    clock[0] += 5 * rules.CHECK_SECONDS
    assert _price(store, sku) == Decimal("10.00")  # the same transaction: the same book, however late it is
    db.session.commit()
    assert _price(store, sku) == Decimal("8.00")  # the next one asks again
