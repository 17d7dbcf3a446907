"""The ledger's invariants under any sequence of operations (hypothesis state machine).

- every level equals the sum of its moves;
- stock is conserved: all moves of a SKU sum to zero over all places;
- available never goes below zero in a store that forbids negative stock, except
  where a count found fewer goods than were reserved (reality wins; the shortfall shows);
- a reservation ends consumed or released, once.
"""
import os
from decimal import Decimal

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from webapp.catalog.services import VariantInput, save_product
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.stock import queries, services
from webapp.stock.models import Location, Reservation, ReservationStatus, StockLevel, StockMove, Usage
from webapp.stores.services import save_store

quantities = st.integers(min_value=1, max_value=9).map(Decimal)


class Ledger(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        _empty()
        self.strict = save_store(None, code="STRICT", name="不许负库存", allow_negative_stock=False)
        self.lenient = save_store(None, code="LENIENT", name="允许负库存", allow_negative_stock=True)
        self.stores = [self.strict, self.lenient]
        self.skus = [
            save_product(None, name=f"商品{i}", tracking=tracking,
                         variants=[VariantInput(code=f"P{i}", list_price="5.00")]).skus[0]
            for i, tracking in enumerate(["none", "lot"])
        ]
        self.reservations: list[Reservation] = []
        self.counted_short: set[int] = set()  # SKUs a count found below their reservations
        self.lot_number = 0

    def _lot(self, sku):
        if sku.product.tracking == "none":
            return None
        self.lot_number += 1
        return f"L{self.lot_number % 3}"  # a few lots, received more than once

    @rule(store=st.integers(0, 1), sku=st.integers(0, 1), qty=quantities)
    def receive(self, store, sku, qty):
        sku = self.skus[sku]
        services.receive(self.stores[store], sku, qty, "2.00", user=None, document=("r", "1"),
                         lot_code=self._lot(sku))

    @rule(store=st.integers(0, 1), sku=st.integers(0, 1), qty=quantities)
    def sell(self, store, sku, qty):
        self._try(services.sell, self.stores[store], self.skus[sku], qty, user=None, document=("s", "1"))

    @rule(store=st.integers(0, 1), sku=st.integers(0, 1), qty=quantities)
    def reserve(self, store, sku, qty):
        made = self._try(services.reserve, self.stores[store], self.skus[sku], qty, document=("o", "1"))
        self.reservations += made or []

    @precondition(lambda self: self.reservations)
    @rule(index=st.integers(0, 50), consume=st.booleans())
    def close_reservation(self, index, consume):
        reservation = self.reservations[index % len(self.reservations)]
        if consume:
            self._try(services.consume, reservation, user=None)
        else:
            self._try(services.release, reservation)

    @rule(store=st.integers(0, 1), sku=st.integers(0, 1), qty=quantities)
    def write_off(self, store, sku, qty):
        self._try(services.write_off, self.stores[store], self.skus[sku], qty, user=None, document=("w", "1"))

    @rule(store=st.integers(0, 1), sku=st.integers(0, 1), counted=st.integers(0, 20))
    def count(self, store, sku, counted):
        if self.skus[sku].product.tracking == "none":
            services.adjust_to_count(self.stores[store], self.skus[sku], counted, user=None, document=("c", "1"))
            if queries.level_at(self.stores[store], self.skus[sku])[1] > counted:
                self.counted_short.add(self.skus[sku].id)

    @rule(sku=st.integers(0, 1), qty=quantities, forward=st.booleans())
    def transfer(self, sku, qty, forward):
        source, destination = (self.strict, self.lenient) if forward else (self.lenient, self.strict)
        self._try(services.transfer, self.skus[sku], qty, services.shelf(source), services.shelf(destination),
                  user=None, document=("t", "1"))

    def _try(self, action, *args, **kwargs):
        try:
            with db.session.begin_nested():
                return action(*args, **kwargs)
        except DomainError:
            return None

    @invariant()
    def every_level_equals_the_sum_of_its_moves(self):
        for level in db.session.scalars(select(StockLevel).execution_options(populate_existing=True)):
            assert level.on_hand == queries.level_from_moves(level.location_id, level.sku_id, level.lot_id)

    @invariant()
    def stock_is_conserved(self):
        # Each move takes from one place what it gives another; the virtual places hold the rest.
        for sku in self.skus:
            real = services.chain_on_hand(sku)
            virtual = db.session.scalar(
                select(func.coalesce(func.sum(StockMove.quantity), 0))
                .where(StockMove.sku_id == sku.id,
                       StockMove.from_location_id.in_(_virtual()))) - db.session.scalar(
                select(func.coalesce(func.sum(StockMove.quantity), 0))
                .where(StockMove.sku_id == sku.id, StockMove.to_location_id.in_(_virtual())))
            assert real == virtual

    @invariant()
    def a_strict_store_never_shows_negative_available(self):
        shelf = services.shelf(self.strict)
        for level in db.session.scalars(select(StockLevel).where(StockLevel.location_id == shelf.id)
                                        .execution_options(populate_existing=True)):
            assert level.on_hand - level.reserved >= 0 or level.sku_id in self.counted_short

    @invariant()
    def reserved_equals_the_active_reservations(self):
        for level in db.session.scalars(select(StockLevel).execution_options(populate_existing=True)):
            active = sum((r.quantity for r in db.session.scalars(
                select(Reservation).where(Reservation.level_id == level.id,
                                          Reservation.status == ReservationStatus.ACTIVE.value))), Decimal(0))
            assert level.reserved == active

    def teardown(self):
        db.session.rollback()


def _virtual():
    return select(Location.id).where(Location.usage.not_in([Usage.INTERNAL.value, Usage.TRANSIT.value]))


def _empty():
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())


Ledger.TestCase.settings = settings(max_examples=int(os.environ.get("LEDGER_EXAMPLES", 40)), stateful_step_count=30, deadline=None,
                                    suppress_health_check=list(HealthCheck))


def test_ledger_invariants_hold_for_any_sequence(app):
    Ledger.TestCase().runTest()
