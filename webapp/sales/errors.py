"""What can go wrong at the till and with orders, in words a shop understands."""
from flask_babel import lazy_gettext as _l

from webapp.errors import DomainError


class OrderNotOpen(DomainError):
    message = _l("Order %(number)s is no longer open.")


class OrderNotSuspended(DomainError):
    message = _l("Order %(number)s is not suspended.")


class ShiftClosed(DomainError):
    message = _l("The shift is closed: open a new shift to go on.")


class WrongTill(DomainError):
    message = _l("This register or shift does not belong to this store.")


class EmptySale(DomainError):
    message = _l("The sale has no items.")


class WholeUnitsOnly(DomainError):
    message = _l("%(name)s is sold in whole units (got %(quantity)s).")
    quantities = ("quantity",)


class SerialRequired(DomainError):
    message = _l("%(name)s has serial numbers: scan the serial number.")


class UnknownSerial(DomainError):
    message = _l("Serial number %(serial)s of %(name)s is not known.")


class SerialAlreadyInSale(DomainError):
    message = _l("Serial number %(serial)s is already in this sale.")


class SerialSold(DomainError):
    message = _l("Serial number %(serial)s was sold on %(day)s, receipt %(number)s: it is not in stock.")


class SerialNotHere(DomainError):
    message = _l("Serial number %(serial)s is not in stock at %(store)s.")


class DiscountNeedsApproval(DomainError):
    message = _l("A discount needs a manager's approval.")


class RefundNeedsApproval(DomainError):
    message = _l("A refund of ¥%(amount)s needs a manager's PIN (this store: refunds above ¥%(limit)s).")


class NotARefundApprover(DomainError):
    message = _l("%(name)s cannot approve refunds in this store.")


class NotAnApprover(DomainError):
    message = _l("%(name)s cannot approve discounts in this store.")


class InvalidDiscount(DomainError, ValueError):
    message = _l("A discount cannot be negative (got %(discount)s).")


class DiscountTooLarge(DomainError):
    message = _l("A discount of %(discount)s is more than the amount of %(limit)s.")


class UnknownPaymentMethod(DomainError, ValueError):
    message = _l("%(method)s is not a way to pay here.")


class InvalidPayment(DomainError, ValueError):
    message = _l("A payment must be more than zero (got %(amount)s).")
    money = ("amount",)


class Underpaid(DomainError):
    message = _l("%(missing)s is still to pay.")
    money = ("missing",)


class Overpaid(DomainError):
    message = _l("The payments are %(extra)s more than the total; only cash gives change.")
    money = ("extra",)


class UnknownPaymentCode(DomainError):
    message = _l("%(code)s is not a WeChat Pay or Alipay payment code: scan the code on the customer's phone again.")


class AmountRequired(DomainError):
    message = _l("A payment code or card reference was entered without its amount: enter the amount, or clear it.")


class PaymentCodeRequired(DomainError):
    message = _l("Scan the customer's payment code or enter the card terminal's reference.")


class PaymentDeclined(DomainError):
    message = _l("The payment was declined: %(reason)s")


class PaymentPending(DomainError):
    message = _l("The payment is not confirmed yet: check it again before taking another payment.")
    keeps_changes = True  # the pending payment is saved, to be checked


class ChargeKept(DomainError):
    message = _l("The payment was declined: %(reason)s. %(amount)s already charged could not be given back; "
                 "it counts toward this sale, so take only the rest.")
    money = ("amount",)
    keeps_changes = True


class LinesPaidFor(DomainError):
    message = _l("Order %(number)s has a payment taken: its items can no longer change.")


class PaymentTaken(DomainError):
    message = _l("Order %(number)s has a payment taken: it cannot be voided.")


class DuplicateRequest(DomainError):
    message = _l("This request was already used for another order.")


class NotReturnable(DomainError):
    message = _l("Order %(number)s is not a completed sale and cannot be returned.")


class NothingToReturn(DomainError):
    message = _l("Pick at least one line to return.")


class ReturnTooMuch(DomainError):
    message = _l("Only %(returnable)s of %(name)s can still be returned (asked for %(requested)s).")
    quantities = ("returnable", "requested")


class MemberRequired(DomainError):
    message = _l("Name the member first: stored value and points are a member's.")
