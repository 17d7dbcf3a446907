"""The receipt (小票) document the till sends to the bridge's ``print`` command.

The format is the bridge's (docs/bridge.md, "The receipt document";
bridge/devices/receipt.py lays it out): money and quantities as decimal
strings, never floats; the server computes, the printer lays out.
"""
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.clock import local_time
from webapp.numbers import FEN, round_money
from webapp.promotions.services import Applied, savings_of
from webapp.sales.models import Order, OrderKind, PaymentMethod

DEFAULT_WIDTH = 80


def method_label(method: str) -> str:
    """The words for a payment method as stored on a payment row (templates use this as a global)."""
    return PaymentMethod(method).label


def receipt_document(order: Order, *, applied: list[Applied] | None = None) -> dict:
    """A sale's or a return's receipt, for 58 or 80 mm paper as the register is set, in the shop's
    language (the chain's default locale), whatever language the cashier's screen is in.

    ``applied``: the promotions stored with the sale (``savings_of``), when the caller has read them."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _document(order, applied)


def _document(order: Order, applied: list[Applied] | None) -> dict:
    width = order.register.receipt_width if order.register is not None else DEFAULT_WIDTH
    store, cashier = order.store, order.cashier
    document = {
        "number": order.number,
        "paper": f"{width}mm",
        "store": {"name": store.name, "lines": [text for text in (store.address, store.phone) if text]},
        "time": local_time(order.completed_at or order.created_at).strftime("%Y-%m-%d %H:%M"),
        "cashier": cashier.name if cashier else "",
        "lines": [_line(line, order.is_return) for line in order.lines],
        "discounts": _discounts(order, applied),
        "totals": [{"label": _total_label(order), "amount": _money(order.total)}],
        "payments": [{"method": method_label(p.method), "amount": _money(p.tendered or p.amount)}
                     for p in order.payments if p.status == "succeeded"],
        # A 58 mm roll is too narrow for a Code 128 of the order number: a QR code there.
        "code": "barcode" if width == 80 else "qr",
        "footer": _approval(order) + member_lines(order) + [_("Keep your receipt for returns. Thank you!")],
        "labels": {"number": _("No."), "time": _("Time"), "cashier": _("Cashier"), "item": _("Item"),
                   "qty": _("Qty"), "price": _("Price"), "amount": _("Amount"), "change": _("Change")},
    }
    cash = [p for p in order.payments if p.method == PaymentMethod.CASH and p.tendered is not None]
    if cash:
        document["change"] = _money(sum((p.change for p in cash), Decimal("0")))
    return document


def _total_label(order: Order) -> str:
    if order.kind == OrderKind.TOPUP:
        return _("Top-up refunded") if order.original_order_id else _("Stored value topped up")
    return _("Refund total") if order.is_return else _("Total")


def member_lines(order: Order) -> list[str]:
    """The member's lines on a receipt: points earned (or taken back) by it, the points and balance now."""
    if order.customer_id is None:
        return []
    from webapp.members.receipts import receipt_lines  # members sits beside sales: named only when needed

    return receipt_lines(order)


def _approval(order: Order) -> list[str]:
    approver = order.refund_approved_by
    return [_("Refund approved by %(name)s", name=approver.name)] if approver else []


def _line(line, is_return: bool) -> dict:
    """A sale's line at its price before promotions; the promotions follow as discounts."""
    name = line.sku.display_name + (f" {line.serial}" if line.serial else "")
    return {"name": name, "qty": _quantity(line.quantity), "unit_price": _money(line.unit_price),
            "amount": _money(line.amount if is_return else round_money(line.unit_price * line.quantity))}


def _discounts(order: Order, applied: list[Applied] | None) -> list[dict]:
    rows = []
    if not order.is_return:
        rows = [{"name": _("Promotion: %(name)s", name=promotion.name), "amount": _money(-promotion.saving)}
                for promotion in (savings_of(order) if applied is None else applied)]
    rows += [{"name": _("Discount: %(item)s", item=line.sku.display_name), "amount": _money(-line.line_discount)}
             for line in order.lines if line.line_discount]
    if order.order_discount:
        rows.append({"name": _("Order discount"), "amount": _money(-order.order_discount)})
    return rows


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(FEN))


def _quantity(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value)
