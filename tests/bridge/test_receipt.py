import pytest
from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st

from bridge.devices.escpos_tables import PAPERS, PROFILES
from bridge.devices.printer import receipt_bytes, render
from bridge.devices.receipt import Code, Cut, Text, as_text, layout
from bridge.devices.textwidth import TextMetrics
from bridge.errors import InvalidReceipt

GB = TextMetrics("gb18030")


def printed(receipt, paper="58mm", profile="zh-gb18030") -> bytes:
    printer = Dummy(profile="default")
    render(
        layout(receipt, PAPERS[paper], TextMetrics(PROFILES[profile].encoding)), printer, PROFILES[profile]
    )
    return printer.output


def test_a_58mm_receipt_is_exactly_these_bytes(small_receipt, small_receipt_58mm):
    assert printed(small_receipt) == small_receipt_58mm


def test_every_line_of_an_80mm_receipt_fits_48_columns_and_amounts_line_up(receipt):
    text = as_text(layout(receipt, PAPERS["80mm"], GB), 48, GB)
    lines = text.splitlines()
    assert all(GB.width(line) <= 48 for line in lines)
    item = next(line for line in lines if line.startswith("可口可乐"))
    assert item == "可口可乐 330ml" + " " * 6 + "       2" + "     3.50" + "       7.00"
    assert GB.width(item) == 48
    apples = next(line for line in lines if line.startswith("散装苹果"))
    assert GB.width(apples) == 48 and apples.endswith("3.01")
    assert "会员: 138****0000" in lines


def test_a_long_name_wraps_inside_its_column_on_80mm(small_receipt):
    receipt = {
        **small_receipt,
        "lines": [
            {
                "name": "农夫山泉饮用天然水550ml整箱装24瓶",
                "qty": "1",
                "unit_price": "36.00",
                "amount": "36.00",
            }
        ],
    }
    ops = layout(receipt, PAPERS["80mm"], GB)
    texts = [op.text for op in ops if isinstance(op, Text)]
    first = next(t for t in texts if t.startswith("农夫山泉"))
    assert first.endswith("36.00") and GB.width(first) == 48
    assert GB.width(first[: first.index(" ")]) <= 20
    assert any(t.startswith("整箱装") or "24瓶" in t for t in texts[texts.index(first) + 1 :])


def test_the_receipt_number_prints_as_a_barcode_when_asked(small_receipt):
    ops = layout({**small_receipt, "code": "barcode"}, PAPERS["80mm"], GB)
    assert Code("barcode", "R0001") in ops and ops[-1] == Cut()
    assert b"\x1dkI" in printed({**small_receipt, "code": "barcode"}, "80mm")  # GS k, CODE128


def test_a_number_a_barcode_cannot_carry_prints_as_a_qr_code_instead(small_receipt):
    def code(number, paper):
        ops = layout({**small_receipt, "number": number, "code": "barcode"}, PAPERS[paper], GB)
        return next(op for op in ops if isinstance(op, Code))

    assert code("单号一", "80mm") == Code("qr", "单号一")  # not ASCII
    assert code("R\t1", "80mm") == Code("qr", "R\t1")  # not printable
    assert code("R" * 14, "58mm") == Code("barcode", "R" * 14)  # 14 characters fit 58 mm paper ...
    assert code("R" * 15, "58mm") == Code("qr", "R" * 15)  # ... 15 do not
    assert code("R" * 23, "80mm") == Code("barcode", "R" * 23)
    assert code("R" * 24, "80mm") == Code("qr", "R" * 24)
    out = printed({**small_receipt, "number": "单号一", "code": "barcode"}, "80mm")
    assert b"\x1dk" not in out and b"1P0" + "单号一".encode() in out  # QR data is UTF-8
    assert out.endswith(b"\x1dV\x00")  # the whole receipt, cut


def test_a_brace_in_a_barcode_is_sent_doubled_not_as_a_code_set_change(small_receipt):
    out = printed({**small_receipt, "number": "R{1}", "code": "barcode"}, "80mm")
    assert b"\x1dkI\x07{BR{{1}" in out  # GS k 73, 7 bytes: {B (set B), R, {{ (a "{"), 1, }


def test_a_number_too_long_even_for_a_qr_code_is_refused(small_receipt):
    assert layout({**small_receipt, "number": "R" * 321}, PAPERS["58mm"], GB)  # version 11, 61 modules
    with pytest.raises(InvalidReceipt, match="at most 321 bytes"):
        layout({**small_receipt, "number": "R" * 322}, PAPERS["58mm"], GB)
    with pytest.raises(InvalidReceipt, match="nor as a QR code"):
        layout({**small_receipt, "number": "R" * 793, "code": "barcode"}, PAPERS["80mm"], GB)
    with pytest.raises(InvalidReceipt, match="not valid Unicode"):
        layout({**small_receipt, "number": "R\ud800"}, PAPERS["58mm"], GB)  # JSON lets a lone surrogate in
    with pytest.raises(InvalidReceipt, match="empty"):
        layout({**small_receipt, "number": ""}, PAPERS["58mm"], GB)
    assert layout({**small_receipt, "number": "R" * 1000, "code": "none"}, PAPERS["58mm"], GB)  # no code


def test_what_python_escpos_cannot_encode_is_an_invalid_receipt_not_half_a_receipt():
    ops = [Text("单号: 单号一"), Code("barcode", "单号一"), Cut()]  # as layout() once let through
    with pytest.raises(InvalidReceipt, match="cannot be printed"):
        receipt_bytes(ops, PROFILES["zh-gb18030"])
    with pytest.raises(InvalidReceipt):
        receipt_bytes([Text("x"), Code("qr", "\ud800"), Cut()], PROFILES["zh-gb18030"])


def test_amounts_sent_as_floats_are_refused_not_rounded(small_receipt):
    with pytest.raises(InvalidReceipt, match="decimal string"):
        layout({**small_receipt, "change": 3.0}, PAPERS["58mm"], GB)
    with pytest.raises(InvalidReceipt, match="not a decimal"):
        layout({**small_receipt, "change": "3,00"}, PAPERS["58mm"], GB)


def test_a_receipt_without_a_number_is_refused(small_receipt):
    with pytest.raises(InvalidReceipt, match="number"):
        layout({k: v for k, v in small_receipt.items() if k != "number"}, PAPERS["58mm"], GB)


def test_a_latin_printer_gets_single_byte_text_and_no_chinese_mode():
    out = printed(
        {"number": "R9", "lines": [{"name": "Cola", "qty": "1", "unit_price": "3.50", "amount": "3.50"}]},
        "80mm",
        "latin",
    )
    assert out.startswith(b"\x1b@\x1bt\x00")
    assert b"Cola" in out and b"\x1c&" not in out


text_strategy = st.text(alphabet=st.sampled_from("abc XYZ 0123 .-货通便利店苹果¥×·"), max_size=60)


@given(text_strategy, st.integers(min_value=2, max_value=48))
def test_wrapped_text_never_runs_past_the_paper(text, columns):
    lines = GB.wrap(text, columns)
    assert "".join(lines) == text
    assert all(GB.width(line) <= columns for line in lines)


@given(text_strategy, text_strategy, st.integers(min_value=4, max_value=48))
def test_two_things_on_a_line_never_run_past_the_paper(left, right, columns):
    for line in GB.spread(left, right, columns):
        assert GB.width(line) <= max(columns, GB.width(right))
