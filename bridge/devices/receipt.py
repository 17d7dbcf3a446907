"""A receipt (小票) document laid out in printer columns.

The document is the JSON dict the page sends with `print` (see docs/bridge.md). Money and quantities
are decimal strings and are printed as given: the till computes, the printer lays out. `layout()`
gives a list of operations (lines of text, a code, the cut) that a printer or the simulator renders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bridge.devices.escpos_tables import Paper
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


def _rows(receipt: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    rows = receipt.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidReceipt(f"{key} must be a list of objects")
    return rows


class _Layout:
    def __init__(self, receipt: Mapping[str, Any], paper: Paper, metrics: TextMetrics) -> None:
        if not isinstance(receipt, Mapping):
            raise InvalidReceipt("the receipt must be an object")
        self.r = receipt
        self.paper = paper
        self.m = metrics
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
            self.ops.append(Code(code, number))
        for text in self.r.get("footer", []):
            self.lines([self.m.center(p, cols) for p in self.m.wrap(_text(text, "footer"), cols)])
        self.ops.append(Cut())
        return self.ops

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


def layout(receipt: Mapping[str, Any], paper: Paper, metrics: TextMetrics) -> list[Op]:
    """The receipt as printer operations, for one paper width. Raises InvalidReceipt."""
    return _Layout(receipt, paper, metrics).build()


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
