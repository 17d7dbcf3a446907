"""What this process has just seen sold out: a flash sale's late buyers are told at almost no cost.

When a store's shelf could not hold an online order's line (the guarded UPDATE found too little),
the ledger notes (store, SKU) → what was left, for ``SECONDS``. A checkout in that window whose
line asks for more than that is refused before it reads or writes anything else
(``sales.online.services.check_order``). The guarded UPDATE stays the truth for every order that is
placed: the memo only ever says "sold out", and only for a moment. Stock coming back in this process
(a receipt, a transfer in, a released reservation) forgets the note at once; stock coming back in
another server process is seen when the note runs out.

Per process, no lock: one dict read or write is atomic in CPython.
"""
import time
from dataclasses import dataclass
from decimal import Decimal

SECONDS = 0.5  # long enough for a flash sale's rush, short enough to miss no unit given back elsewhere
MOST = 10_000  # notes kept before the ones run out are dropped


@dataclass(frozen=True)
class Gone:
    """What the refusal said: the SKU, its name, the store's name, what was left."""

    sku_id: int
    name: str
    store: str
    available: Decimal
    until: float


_left: dict[tuple[int, int], Gone] = {}  # (store, SKU) → the last refusal


def note(store, sku, available: Decimal) -> None:
    """The store's shelf had only ``available`` of the SKU for an online order."""
    now = time.monotonic()
    if len(_left) >= MOST:
        for key in [key for key, gone in list(_left.items()) if gone.until <= now]:
            _left.pop(key, None)
    _left[(store.id, sku.id)] = Gone(sku.id, sku.display_name, store.name, available, now + SECONDS)


def noted() -> bool:
    """Is anything noted (then a checkout looks at its lines first)?"""
    return bool(_left)


def short(store_id: int, lines) -> Gone | None:
    """The first of ``lines`` — (SKU id, quantity) — this process has just seen the store's shelf unable
    to hold; None when it knows of none."""
    now = time.monotonic()
    for sku_id, qty in lines:
        known = _left.get((store_id, sku_id))
        if known is not None and known.until > now and known.available < qty:
            return known
    return None


def forget(store_id: int | None, sku_id: int) -> None:
    """Stock of the SKU arrived or came back at the store: what was noted is no longer true."""
    if store_id is not None and _left:
        _left.pop((store_id, sku_id), None)


def forget_all() -> None:
    _left.clear()
