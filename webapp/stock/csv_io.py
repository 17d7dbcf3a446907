"""Opening stock from CSV: each row is a receipt through the ledger, all or nothing."""
from datetime import date

from flask_babel import lazy_gettext as _l

from webapp.catalog.errors import UnknownCode
from webapp.catalog.scanning import find
from webapp.csvfile import import_rows, read_rows
from webapp.errors import DomainError
from webapp.stock import services
from webapp.stores.queries import store_by_code

COLUMNS = ["store", "sku", "quantity", "unit_cost", "lot", "expiry"]
REQUIRED = ["store", "sku", "quantity", "unit_cost"]


class UnknownStore(DomainError):
    message = _l("There is no store with code %(code)s.")


class BadDate(DomainError):
    message = _l("%(value)s is not a date like 2026-12-31.")


def import_opening_stock(data: bytes, *, user, document_id: str) -> int:
    def import_row(row):
        store = store_by_code(row["store"])
        if store is None:
            raise UnknownStore(code=row["store"])
        sku = find(row["sku"])
        if sku is None:
            raise UnknownCode(code=row["sku"])
        services.receive(store, sku, row["quantity"], row["unit_cost"], user=user,
                         document=("opening", document_id), lot_code=row.get("lot") or None,
                         expiry=_date(row.get("expiry", "")))

    return import_rows(read_rows(data, REQUIRED), import_row)


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadDate(value=text) from None
