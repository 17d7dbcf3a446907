"""Scale labels from the fresh counter's scale: weight or price inside an EAN-13."""
from decimal import Decimal

import pytest

from webapp.catalog import scale_labels
from webapp.catalog.barcodes import with_check_digit


def test_a_weight_label_gives_the_plu_and_the_weight_to_the_gram():
    code = with_check_digit("211000100235")  # PLU 10001, 235 g
    assert scale_labels.is_scale_label(code)
    assert scale_labels.parse(code) == scale_labels.ScaleLabel("10001", weight_kg=Decimal("0.235"))


def test_a_price_label_gives_the_plu_and_the_price_to_the_fen():
    code = with_check_digit("231000201299")  # PLU 10002, ¥12.99
    assert scale_labels.parse(code) == scale_labels.ScaleLabel("10002", price=Decimal("12.99"))


def test_a_label_with_a_wrong_check_digit_is_refused():
    code = with_check_digit("211000100235")
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(scale_labels.BadScaleLabel):
        scale_labels.parse(wrong)


def test_ordinary_barcodes_are_not_scale_labels():
    assert not scale_labels.is_scale_label("6921168509256")
    assert not scale_labels.is_scale_label("21000")


def test_a_chain_can_define_its_own_patterns():
    patterns = {"28": (scale_labels.WEIGHT, 4, 6)}  # 28 PPPP WWWWWW C
    code = with_check_digit("280042001500")
    assert scale_labels.parse(code, patterns) == scale_labels.ScaleLabel("0042", weight_kg=Decimal("1.500"))
    assert not scale_labels.is_scale_label(with_check_digit("211000100235"), patterns)
