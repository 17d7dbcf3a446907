"""A report as one table: its columns, its rows, and the same table as a CSV file.

The page and the CSV export are made from the same Table, so they always
agree. In the CSV, numbers are plain and exact ("1234.50", "2.5"), a SKU takes
two columns (code and name), and the headers are in the user's language.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.csvfile import csv_response

NO_SALES = _l("no sales")
NO_CATEGORY = _l("No category")


class Kind(StrEnum):
    SKU = "sku"
    TEXT = "text"  # a category path (None: no category)
    WEEK = "week"  # a week's Monday
    MONTH = "month"  # a month's first day
    QUANTITY = "quantity"
    MONEY = "money"
    PERCENT = "percent"  # None: no sales value to divide by
    DAYS = "days"  # None: no sales


@dataclass(frozen=True)
class Column:
    label: object  # a lazy string
    kind: Kind


@dataclass
class Table:
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    totals: list | None = None  # a last row of totals (None in the label column)


def csv_file(filename: str, table: Table):
    header = []
    for column in table.columns:
        header += [_("SKU"), _("Product")] if column.kind == Kind.SKU else [str(column.label)]
    rows = [_csv_cells(table.columns, row) for row in table.rows]
    if table.totals:
        rows.append(_csv_cells(table.columns, table.totals, total=True))
    return csv_response(filename, header, rows)


def _csv_cells(columns: list[Column], row: list, total: bool = False) -> list[str]:
    cells = []
    for column, cell in zip(columns, row, strict=True):
        if total and cell is None:
            cells += ["", _("Total")] if column.kind == Kind.SKU else [_("Total")]
        elif column.kind == Kind.SKU:
            cells += [text_cell(cell.code), text_cell(cell.display_name)]
        else:
            cells.append(csv_cell(column.kind, cell))
    return cells


def csv_cell(kind: Kind, value) -> str:
    if kind == Kind.DAYS:
        return str(NO_SALES) if value is None else str(value)
    if kind == Kind.PERCENT:  # None: nothing sold for money
        return "" if value is None else str(value)
    if kind == Kind.TEXT:
        return str(NO_CATEGORY) if value is None else text_cell(value)
    if kind == Kind.WEEK:
        return value.isoformat()
    if kind == Kind.MONTH:
        return value.strftime("%Y-%m")
    if kind == Kind.QUANTITY:
        return plain(value)
    return str(value)


def text_cell(text: str) -> str:
    """A name as Excel shows it, never run: a leading =, +, - or @ would start a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def plain(value: Decimal) -> str:
    """A quantity without trailing zeros or exponent: 3, 2.5, 0.125."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def tenths(value: Decimal) -> str:
    """Days on screen: 1,234.5."""
    return format_decimal(value, format="#,##0.0")


def week_end(monday: date) -> date:
    return monday + timedelta(days=6)


def totals(rows: Iterable[list], columns: list[Column]) -> list:
    """Sums of the quantity and money columns; None elsewhere."""
    rows = list(rows)
    return [sum((row[i] for row in rows), Decimal("0")) if c.kind in (Kind.QUANTITY, Kind.MONEY) else None
            for i, c in enumerate(columns)]
