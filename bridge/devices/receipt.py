"""A receipt (小票) document laid out in printer columns.

The document is the JSON dict the page sends with `print` (see docs/bridge.md). Money and quantities
are decimal strings and are printed as given: the till computes, the printer lays out. `layout()`
gives a list of operations (lines of text, a code, the cut) that a printer or the simulator renders.

A receipt is checked here, before a byte of it goes to the printer (a printer that gets half a
receipt prints half a receipt), and that includes the code under it. The number prints as a CODE128
barcode only where one can carry it: printable ASCII, and narrow enough for the paper (at most 14
characters on 58 mm, 23 on 80 mm). Any other number asked for as a barcode prints as a QR code
instead: the receipt still carries a code that scans to its number, and the sale is not held up by
the format of its number. A number too long even for a QR code across the paper is refused
(InvalidReceipt).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bridge.devices.escpos_tables import BARCODE_MODULE_DOTS, QR_SIZE, Paper
from bridge.devices.textwidth import TextMetrics
from bridge.errors import InvalidReceipt

LABELS = {
    "number": "单号",
    "time": "时间",
    "cashier": "收银员",
    "item": "商品",
    "qty": "数量",
    "price": "单价",
    "amount": "金额",
    "change": "找零",
    "member": "会员",
    "points_earned": "本次积分",
    "points_balance": "积分余额",
}
CODES = frozenset({"qr", "barcode", "none"})
DECIMAL = re.compile(r"-?\d+(\.\d+)?")
# The data bytes a QR code of version 1, 2, … 40 holds (byte mode, error correction L); version v is
# 17 + 4v modules across.
QR_CAPACITY = (
    17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858,
    929, 1003, 1091, 1171, 1273, 1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431,
    2563, 2699, 2809, 2953,
)  # fmt: skip

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Text:
    text: str
    style: str = "normal"  # a key of escpos_tables.STYLES


@dataclass(frozen=True)
class Code:
    symbology: str  # "qr" | "barcode"
    data: str


@dataclass(frozen=True)
class Cut:
    pass


Op = Text | Code | Cut


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidReceipt(f"{where} must be text")
    return value


def _decimal(value: Any, where: str) -> str:
    """Amounts and quantities are decimal strings (or integers); a float is refused, never rounded."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidReceipt(f'{where} must be a decimal string such as "12.50", not {type(value).__name__}')
    text = str(value)
    if not DECIMAL.fullmatch(text):
        raise InvalidReceipt(f"{where} is not a decimal: {text!r}")
    return text


def barcode_problem(data: str, paper: Paper) -> str | None:
    """Why `data` cannot print as a CODE128 barcode across `paper`; None if it can."""
    if not data.isascii() or not data.isprintable():
        return "a barcode takes only ASCII letters, digits, spaces and punctuation"
    most = (paper.dots // BARCODE_MODULE_DOTS - 35) // 11
    if len(data) > most:
        return f"a barcode across this paper takes at most {most} characters"
    return None


def qr_problem(data: str, paper: Paper, qr_size: int) -> str | None:
    """Why `data` cannot print as a QR code across `paper`; None if it can."""
    try:
        size = len(data.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid Unicode text"
    versions = min((paper.dots // qr_size - 17) // 4, len(QR_CAPACITY))
    most = QR_CAPACITY[versions - 1] if versions > 0 else 0
    if size > most:
        return f"a QR code across this paper takes at most {most} bytes of UTF-8, not {size}"
    return None


def _rows(receipt: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    rows = receipt.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidReceipt(f"{key} must be a list of objects")
    return rows


class _Layout:
    def __init__(self, receipt: Mapping[str, Any], paper: Paper, metrics: TextMetrics, qr_size: int) -> None:
        if not isinstance(receipt, Mapping):
            raise InvalidReceipt("the receipt must be an object")
        self.r = receipt
        self.paper = paper
        self.m = metrics
        self.qr_size = qr_size
        self.labels = {**LABELS, **receipt.get("labels", {})}
        self.ops: list[Op] = []

    def line(self, text: str, style: str = "normal") -> None:
        self.ops.append(Text(text, style))

    def lines(self, texts: Sequence[str], style: str = "normal") -> None:
        for text in texts:
            self.line(text, style)

    def rule(self) -> None:
        self.line("-" * self.paper.columns)

    def pair(self, label: str, value: str, style: str = "normal") -> None:
        self.lines(self.m.spread(label, value, self.paper.columns), style)

    def build(self) -> list[Op]:
        cols = self.paper.columns
        number = _text(self.r.get("number"), "number")
        if not number:
            raise InvalidReceipt("number must not be empty")
        store = self.r.get("store", {})
        if store.get("name"):
            for part in self.m.wrap(_text(store["name"], "store.name"), cols):
                self.line(self.m.center(part, cols), "large")
        for extra in store.get("lines", []):
            self.lines([self.m.center(p, cols) for p in self.m.wrap(_text(extra, "store.lines"), cols)])
        self.rule()
        self.lines(self.m.wrap(f"{self.labels['number']}: {number}", cols))
        for key in ("time", "cashier"):
            if self.r.get(key):
                self.lines(self.m.wrap(f"{self.labels[key]}: {_text(self.r[key], key)}", cols))
        self.rule()
        self.items()
        discounts = _rows(self.r, "discounts")
        if discounts:
            self.rule()
            for i, d in enumerate(discounts):
                self.pair(
                    _text(d.get("name"), f"discounts[{i}].name"),
                    _decimal(d.get("amount"), f"discounts[{i}].amount"),
                )
        self.rule()
        for i, t in enumerate(_rows(self.r, "totals")):
            self.pair(
                _text(t.get("label"), f"totals[{i}].label"),
                _decimal(t.get("amount"), f"totals[{i}].amount"),
                "large",
            )
        for i, p in enumerate(_rows(self.r, "payments")):
            self.pair(
                _text(p.get("method"), f"payments[{i}].method"),
                _decimal(p.get("amount"), f"payments[{i}].amount"),
            )
        if self.r.get("change") is not None:
            self.pair(self.labels["change"], _decimal(self.r["change"], "change"))
        self.member()
        self.rule()
        code = self.r.get("code", "qr")
        if code not in CODES:
            raise InvalidReceipt(f"code must be one of {', '.join(sorted(CODES))}")
        if code != "none":
            self.ops.append(self.code(code, number))
        for text in self.r.get("footer", []):
            self.lines([self.m.center(p, cols) for p in self.m.wrap(_text(text, "footer"), cols)])
        self.ops.append(Cut())
        return self.ops

    def code(self, symbology: str, number: str) -> Code:
        """The code for the number: a barcode if one can carry it, else a QR code (see the top)."""
        qr_why_not = qr_problem(number, self.paper, self.qr_size)
        if symbology == "barcode":
            why_not = barcode_problem(number, self.paper)
            if why_not is None:
                return Code("barcode", number)
            if qr_why_not is not None:
                raise InvalidReceipt(
                    f"the number cannot print as a barcode ({why_not}) nor as a QR code ({qr_why_not})"
                )
            log.warning("receipt %r: %s; its number prints as a QR code instead", number, why_not)
        elif qr_why_not is not None:
            raise InvalidReceipt(f"the number cannot print as a QR code: {qr_why_not}")
        return Code("qr", number)

    def items(self) -> None:
        p, m = self.paper, self.m
        if p.name_columns:
            self.line(
                m.ljust(self.labels["item"], p.name_columns)
                + m.rjust(self.labels["qty"], p.qty_columns)
                + m.rjust(self.labels["price"], p.price_columns)
                + m.rjust(self.labels["amount"], p.amount_columns)
            )
        else:
            self.pair(self.labels["item"], self.labels["amount"])
        for i, item in enumerate(_rows(self.r, "lines")):
            name = _text(item.get("name"), f"lines[{i}].name")
            qty = _decimal(item.get("qty"), f"lines[{i}].qty")
            price = _decimal(item.get("unit_price"), f"lines[{i}].unit_price")
            amount = _decimal(item.get("amount"), f"lines[{i}].amount")
            figures = (
                m.rjust(qty, p.qty_columns)
                + m.rjust(price, p.price_columns)
                + m.rjust(amount, p.amount_columns)
            )
            if p.name_columns and m.width(figures) <= p.columns - p.name_columns:
                names = m.wrap(name, p.name_columns)
                self.line(m.ljust(names[0], p.name_columns) + figures)
                self.lines(names[1:])
            else:
                self.lines(m.wrap(name, p.columns))
                self.pair(f"  {qty} x {price}", amount)

    def member(self) -> None:
        member = self.r.get("member")
        if not member:
            return
        self.rule()
        if member.get("number"):
            self.lines(
                self.m.wrap(
                    f"{self.labels['member']}: {_text(member['number'], 'member.number')}", self.paper.columns
                )
            )
        for key in ("points_earned", "points_balance"):
            if member.get(key) is not None:
                self.pair(self.labels[key], _decimal(member[key], f"member.{key}"))


def layout(
    receipt: Mapping[str, Any], paper: Paper, metrics: TextMetrics, qr_size: int = QR_SIZE
) -> list[Op]:
    """The receipt as printer operations, for one paper width (and a printer that prints QR modules
    `qr_size` dots wide). Raises InvalidReceipt."""
    return _Layout(receipt, paper, metrics, qr_size).build()


def as_text(ops: Sequence[Op], columns: int, metrics: TextMetrics) -> str:
    """What the receipt looks like on paper, as plain text (the simulated printer)."""
    out = []
    for op in ops:
        if isinstance(op, Text):
            out.append(op.text.rstrip())
        elif isinstance(op, Code):
            out.append(metrics.center(f"[{op.symbology.upper()} {op.data}]", columns))
        else:
            out.append("✂" + "-" * (columns - 2))
    return "\n".join(out) + "\n"
