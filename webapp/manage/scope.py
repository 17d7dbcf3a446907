"""Which stores a dashboard page covers: one store, or all the stores the signed-in person may read.

HQ reads the whole chain (``store_ids`` None: every store, the SQL needs no filter) or one store;
a store manager or franchisee reads their own stores, all of them together or one.
``?store=<id>`` picks one store, ``?store=all`` (or nothing) all of them; a store the person
may not read is refused with 403.
"""
from dataclasses import dataclass

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.extensions import db
from webapp.stores.models import Store, StoreKind
from webapp.stores.queries import all_stores


@dataclass(frozen=True)
class Scope:
    stores: list[Store]  # the stores the person may pick from (trading stores, not the HQ warehouse)
    store: Store | None  # the one store picked, or None for all of them
    chain: bool  # HQ reading all stores: no filter at all

    @property
    def store_ids(self) -> list[int] | None:
        """The stores to read: None means the whole chain (no filter)."""
        if self.store is not None:
            return [self.store.id]
        return None if self.chain else [s.id for s in self.stores]

    @property
    def is_several(self) -> bool:
        return self.store is None and len(self.stores) > 1

    @property
    def name(self):
        if self.store is not None:
            return self.store.name
        return _l("Whole chain") if self.chain else _l("All my stores")

    @property
    def arg(self) -> str:
        """The ?store= value that means this scope."""
        return str(self.store.id) if self.store is not None else "all"


def readable_stores() -> list[Store]:
    stores = all_stores() if current_user.is_hq else list(current_user.stores)
    return [s for s in stores if s.kind != StoreKind.HQ_WAREHOUSE]


def current_scope() -> Scope:
    stores = readable_stores()
    chosen = request.args.get("store", "")
    if chosen.isdigit() and len(chosen) < 10:
        store = db.session.get(Store, int(chosen))
        if store is None:
            abort(404)
        if not current_user.can_access_store(store.id):
            abort(403)
        return Scope(stores, store, False)
    if chosen not in ("", "all"):
        abort(404)
    if len(stores) == 1 and not current_user.is_hq:
        return Scope(stores, stores[0], False)
    if not stores and not current_user.is_hq:
        abort(403)  # staff always belong to a store; nothing to read otherwise
    return Scope(stores, None, current_user.is_hq)


def one_store(scope: Scope) -> Store | None:
    """The store a per-store view shows: the one picked, or the only one there is."""
    if scope.store is not None:
        return scope.store
    return scope.stores[0] if len(scope.stores) == 1 else None
