"""The receipt document is exactly what the bridge prints: decimal strings, the till's paper width."""
from decimal import Decimal

from bridge.devices.escpos_tables import PAPERS
from bridge.devices.receipt import Code, as_text, layout
from bridge.devices.textwidth import TextMetrics
from tests.conftest import manager_of
from webapp.sales import services as sales
from webapp.sales.receipts import receipt_document
from webapp.sales.services import Tender


def paid_sale(till, stocked, make_user):
    cola = stocked(till.store, price="3.50", name="可口可乐")
    apples = stocked(till.store, qty="5.000", price="12.80", name="散装苹果", weighed=True, unit="kg")
    order = till.sale()
    line = sales.add_item(order, cola, 2)
    sales.add_item(order, apples, "0.235")
    sales.apply_line_discount(order, line, "0.50", user=make_user(stores=[till.store]))
    return sales.complete_sale(order, [Tender("cash", "20.00")], user=till.cashier,
                               client_uuid=f"r-{order.number}")


def test_a_receipt_carries_lines_discounts_totals_payments_and_change_as_text(make_till, stocked, make_user):
    till = make_till(name="货通便利店", address="杭州市人民路1号", phone="0571-8888")
    order = paid_sale(till, stocked, make_user)
    receipt = receipt_document(order)
    assert receipt["number"] == order.number and receipt["paper"] == "80mm"
    assert receipt["store"] == {"name": "货通便利店", "lines": ["杭州市人民路1号", "0571-8888"]}
    assert receipt["cashier"] == "李四"
    assert receipt["lines"] == [
        {"name": "可口可乐", "qty": "2", "unit_price": "3.50", "amount": "7.00"},
        {"name": "散装苹果", "qty": "0.235", "unit_price": "12.80", "amount": "3.01"},
    ]
    assert [d["amount"] for d in receipt["discounts"]] == ["-0.50"]
    assert [t["amount"] for t in receipt["totals"]] == ["9.51"]
    assert [p["amount"] for p in receipt["payments"]] == ["20.00"] and receipt["change"] == "10.49"
    assert (receipt["code"], receipt["time"][:2]) == ("barcode", "20")


def test_the_bridge_lays_the_receipt_out_on_both_paper_widths(make_till, stocked, make_user):
    metrics = TextMetrics("gb18030")
    for width in (58, 80):
        till = make_till(width=width)
        receipt = receipt_document(paid_sale(till, stocked, make_user))
        ops = layout(receipt, PAPERS[receipt["paper"]], metrics)
        text = as_text(ops, PAPERS[receipt["paper"]].columns, metrics)
        assert "9.51" in text and "10.49" in text
        [code] = [op for op in ops if isinstance(op, Code)]
        assert code.data == receipt["number"]
        assert code.symbology == ("qr" if width == 58 else "barcode")  # Code 128 is too wide for 58 mm


def test_a_return_receipt_shows_the_refund(till, stocked):
    order = till.sale()
    line = sales.add_item(order, stocked(till.store, price="4.00"), 2)
    sales.complete_sale(order, [Tender("cash", "8.00")], user=till.cashier, client_uuid="r-2")
    refund = sales.return_lines(order, [(line, 1)], user=till.cashier, shift=till.shift, register=till.register,
                                approver=manager_of(till.store))
    receipt = receipt_document(refund)
    assert [(row["qty"], row["amount"]) for row in receipt["lines"]] == [("1", "4.00")]
    assert [t["amount"] for t in receipt["totals"]] == ["4.00"]
    assert [p["amount"] for p in receipt["payments"]] == ["-4.00"]
    assert Decimal(receipt["totals"][0]["amount"]) == refund.total
