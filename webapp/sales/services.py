"""The sales services, in one place for the views.

Ringing up lives in ``cart``, discounts in ``discounts``, paying in ``checkout``,
returns in ``returns``; none commits: the request commits once.
"""
from webapp.sales.cart import (
    add_item,
    name_member,
    open_sale,
    remove_line,
    reprice,
    resume,
    set_quantity,
    suspend,
    void,
)
from webapp.sales.checkout import complete_sale
from webapp.sales.discounts import DISCOUNT_ROLES, apply_line_discount, apply_order_discount, may_discount
from webapp.sales.returns import RefundMethod, return_lines
from webapp.sales.tenders import Tender
from webapp.sales.tenders import check as check_payment

__all__ = [
    "DISCOUNT_ROLES", "Tender", "RefundMethod", "add_item", "apply_line_discount", "apply_order_discount", "name_member",
    "check_payment", "complete_sale", "may_discount", "open_sale", "remove_line", "reprice", "resume",
    "return_lines", "set_quantity", "suspend", "void",
]
