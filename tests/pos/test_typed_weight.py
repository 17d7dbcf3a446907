"""Weighed goods without a scale (issue #11, item 9): the cashier types the weight, exact to the gram,
unless the store sells weighed goods only by the scale."""
from decimal import Decimal

import pytest

from tests.pos.test_till_screens import at_till, current_order, scan  # noqa: F401 (at_till is a fixture)
from webapp.extensions import db


@pytest.fixture
def apples(at_till, stocked):  # noqa: F811
    return stocked(at_till.store, name="富士苹果", price="12.80", weighed=True, unit="kg", plu="10001", code="APPLE")


def test_the_weigh_panel_offers_a_typed_weight_and_the_line_is_priced_from_it(client, at_till, apples):  # noqa: F811
    asked = scan(client, at_till, "APPLE").get_data(as_text=True)
    assert "data-weigh-typed" in asked and "没有电子秤？手动输入重量（千克）" in asked
    assert scan(client, at_till, "APPLE", kg="0.456", typed="true").status_code == 200
    [line] = current_order(at_till).lines
    assert (line.quantity, line.amount) == (Decimal("0.456"), Decimal("5.84"))  # ¥5.8368 to the fen


@pytest.mark.parametrize("kg", ["0.4567", "abc", "-1", "0", "1e9", "0.5\x00"])
def test_a_typed_weight_that_is_not_a_weight_is_refused_in_words(client, at_till, apples, kg):  # noqa: F811
    response = scan(client, at_till, "APPLE", kg=kg, typed="true")
    assert 400 <= response.status_code < 500
    assert current_order(at_till) is None or not current_order(at_till).lines


def test_a_store_that_sells_only_by_the_scale_refuses_a_typed_weight(client, at_till, apples):  # noqa: F811
    at_till.store.typed_weights = False
    db.session.commit()
    asked = scan(client, at_till, "APPLE").get_data(as_text=True)
    assert "data-weigh-typed" not in asked
    refused = scan(client, at_till, "APPLE", kg="0.456", typed="true")
    assert refused.status_code == 422 and "只按电子秤的重量销售" in refused.get_data(as_text=True)
    assert scan(client, at_till, "APPLE", kg="0.456", stable="true").status_code == 200  # the scale still works


def test_hq_forbids_typed_weights_on_the_store_form(client, make_store, make_user, login):
    from webapp.auth.models import Role
    store = make_store()
    assert store.typed_weights  # allowed unless a store says no
    login(make_user(Role.HQ_ADMIN))
    page = client.get(f"/admin/stores/{store.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "没有电子秤时，收银员可手动输入称重商品的重量" in page
    form = {"code": store.code, "name": store.name, "kind": "direct", "delivery_radius_m": "0",
            "delivery_fee": "0", "minimum_order": "0", "unpaid_hold_minutes": "15", "refund_approval_above": "0"}
    assert client.post(f"/admin/stores/{store.id}", data=form).status_code == 303  # the box unticked
    db.session.refresh(store)
    assert store.typed_weights is False
    assert client.post(f"/admin/stores/{store.id}", data={**form, "typed_weights": "y"}).status_code == 303
    db.session.refresh(store)
    assert store.typed_weights is True
