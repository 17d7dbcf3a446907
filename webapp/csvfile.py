"""Reading and writing the CSV files merchants trade with Excel.

Files are written as UTF-8 with a byte-order mark (Excel opens them right)
and read as UTF-8, falling back to GB18030 (what Chinese Excel saves).
"""
import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Response
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError
from webapp.extensions import db

MISSING_COLUMNS = _l("The file lacks the columns: %(columns)s.")
NOT_TEXT = _l("The file is not a CSV text file.")
EXTRA_CELLS = _l("This row has more cells than the header.")
EMPTY_FILE = _l("The file has no rows.")
CELL_TOO_LONG = _l("A cell is longer than %(limit)s characters: is this the right file?")
NOT_CSV = _l("This row cannot be read as CSV (a quote or line break out of place?).")


EXTRA = "\x00extra"  # where DictReader puts cells beyond the header


@dataclass
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    message: str


class ImportRejected(DomainError):
    """Nothing was imported; ``errors`` says which rows and why."""

    message = _l("Nothing was imported: %(count)s rows have errors.")

    def __init__(self, errors: list[RowError]):
        super().__init__(count=len(errors))
        self.errors = errors


def read_rows(data: bytes, required: Iterable[str]) -> list[dict[str, str]]:
    """Rows as dicts of stripped strings; the whole file is refused if columns are missing."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([RowError(1, str(NOT_TEXT))])
    reader = csv.DictReader(io.StringIO(text), restkey=EXTRA, restval="")
    try:
        columns = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in required if c not in columns]
        if missing:
            raise ImportRejected([RowError(1, str(MISSING_COLUMNS % {"columns": ", ".join(missing)}))])
        rows = [{k.strip(): v if k == EXTRA else (v or "").strip() for k, v in row.items()} for row in reader]
    except csv.Error as e:  # a cell beyond the csv module's limit, or broken quoting
        too_long = "field larger than field limit" in str(e)
        message = CELL_TOO_LONG % {"limit": f"{csv.field_size_limit():,}"} if too_long else NOT_CSV
        raise ImportRejected([RowError(max(reader.line_num, 1), str(message))]) from None
    if not rows:
        raise ImportRejected([RowError(1, str(EMPTY_FILE))])
    return rows


def import_rows(rows: list[dict[str, str]], import_row: Callable[[dict[str, str]], object]) -> int:
    """Apply every row, each in a savepoint; if any fails, raise them all and keep none.

    The caller rolls the transaction back on ImportRejected, so a bad file
    imports nothing; the good rows were still tried so every error is listed.
    """
    errors = []
    for number, row in enumerate(rows, start=2):
        if row.get(EXTRA):
            errors.append(RowError(number, str(EXTRA_CELLS)))
            continue
        try:
            with db.session.begin_nested():
                import_row(row)
        except (DomainError, ValueError, TypeError) as e:
            errors.append(RowError(number, str(e)))
    if errors:
        raise ImportRejected(errors)
    return len(rows)


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
