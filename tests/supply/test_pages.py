"""The supply screens: a franchisee orders from suggestions and receives; HQ reviews, approves, ships, keeps accounts."""
import re
from decimal import Decimal

from webapp.extensions import db
from webapp.stock import services as stock
from webapp.supply import account, receiving
from webapp.supply.models import EntryKind, OrderStatus, StoreOrder


def test_a_franchisee_orders_from_suggestions_and_submits(hq, stock_hq, franchise, make_sku, login, client):
    store, sku = franchise(), make_sku(name="可口可乐")
    stock_hq(sku, 50)
    stock.sell(store, sku, 14, user=hq.admin, document=("sale", "1"))
    login(store.owner)
    page = client.get("/supply", follow_redirects=True)
    assert "可口可乐" not in page.get_data(as_text=True) and "从建议生成订货单" in page.get_data(as_text=True)
    started = client.post(f"/supply/stores/{store.id}/orders", data={"from": "suggestions"})
    assert started.status_code == 303
    draft = db.session.scalar(db.select(StoreOrder).where(StoreOrder.store_id == store.id))
    shown = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "可口可乐" in shown and "7 天售出" in shown
    client.post(f"/supply/stores/{store.id}/orders/{draft.id}/lines/{sku.id}", data={"quantity": "30"})
    assert client.post(f"/supply/stores/{store.id}/orders/{draft.id}/submit", data={"note": "周末"}).status_code == 303
    db.session.refresh(draft)
    assert draft.status == OrderStatus.SUBMITTED and draft.lines[0].asked == Decimal("30")


def test_a_quantity_not_in_packs_is_rounded_up_and_the_store_is_told(hq, franchise, make_sku, pack, login, client):
    store, sku = franchise(), make_sku(name="矿泉水", barcode="6901234567892")
    pack(sku, 24)
    login(store.owner)
    client.post(f"/supply/stores/{store.id}/orders", data={"from": "blank"})
    draft = db.session.scalar(db.select(StoreOrder).where(StoreOrder.store_id == store.id))
    answer = client.post(f"/supply/stores/{store.id}/orders/{draft.id}/lines",
                         data={"code": "6901234567892", "quantity": "10"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "取整为 24" in answer.get_data(as_text=True)


def test_bad_input_gets_a_clear_message_never_a_500(hq, franchise, make_sku, login, client):
    store, sku = franchise(), make_sku()
    login(store.owner)
    client.post(f"/supply/stores/{store.id}/orders", data={"from": "blank"})
    draft = db.session.scalar(db.select(StoreOrder).where(StoreOrder.store_id == store.id))
    url = f"/supply/stores/{store.id}/orders/{draft.id}"
    for data in ({"code": "nope", "quantity": "1"}, {"code": "\x00", "quantity": "1"}, {"code": "x" * 500},
                 {"code": sku.code, "quantity": "-3"}, {"code": sku.code, "quantity": "abc"},
                 {"code": sku.code, "quantity": "1" * 30}):
        answer = client.post(f"{url}/lines", data=data, headers={"HX-Request": "true"})
        assert answer.status_code == (400 if "\x00" in data["code"] else 422), data  # NUL: the one input guard
        assert "toast" in answer.get_data(as_text=True)
    assert client.post(f"{url}/submit", headers={"HX-Request": "true"}).status_code == 422  # no lines
    assert client.get(f"/supply/stores/{store.id}/statement?start=2026-13-01&end=x").status_code == 200
    assert client.get(f"/supply/stores/{store.id}/statement?start=2026-12-31&end=2026-01-01").status_code == 422
    assert client.get(f"/supply/stores/{store.id}/catalogue?page=-4&q=x").status_code == 200
    assert client.get(f"/supply/stores/{store.id}/catalogue?q=%00").status_code == 400  # the one input guard


def test_hq_sees_the_pro_rata_proposal_approves_and_ships(hq, stock_hq, franchise, make_sku, submitted, login,
                                                          client):
    sku = make_sku(name="薯片")
    stock_hq(sku, 30)
    stores = [franchise() for _ in range(3)]
    orders = [submitted(s, [(sku, n)]) for s, n in zip(stores, (10, 20, 30), strict=True)]
    login(hq.admin)
    page = client.get("/supply/hq").get_data(as_text=True)
    assert all(o.number in page for o in orders)
    # One "recommend to a store" form, in the page's body: not three, not in its <title> or <head>.
    assert page.count('id="recommend"') == 1 and "<section" not in page.split("</head>")[0]
    review = client.get(f"/supply/hq/orders/{orders[2].id}").get_data(as_text=True)
    assert "按申请量比例分配" in review and ">15.000<" not in review
    assert client.post(f"/supply/hq/orders/{orders[2].id}/approve").status_code == 303
    db.session.refresh(orders[2])
    assert orders[2].lines[0].approved == Decimal("15")
    again = client.post(f"/supply/hq/orders/{orders[2].id}/approve", headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert client.get(f"/supply/hq/orders/{orders[2].id}/picking").status_code == 200
    assert client.post(f"/supply/hq/orders/{orders[2].id}/ship").status_code == 303
    assert client.post(f"/supply/hq/orders/{orders[2].id}/ship", headers={"HX-Request": "true"}).status_code == 409
    db.session.refresh(orders[2])
    assert orders[2].status == OrderStatus.SHIPPED


def test_the_franchisee_receives_by_scanning_and_sees_the_credit_note(hq, stock_hq, franchise, make_sku, shipped,
                                                                      login, client):
    sku = make_sku(barcode="6920000000012")
    stock_hq(sku, 30)
    store = franchise()
    order = shipped(store, [(sku, 3)])
    login(store.owner)
    url = f"/supply/stores/{store.id}/orders/{order.id}"
    for _ in range(2):
        assert client.post(f"{url}/scan", data={"code": "6920000000012"}, headers={"HX-Request": "true"}).status_code == 200
    assert client.post(f"{url}/receive").status_code == 303
    account_page = client.get(f"/supply/stores/{store.id}/account").get_data(as_text=True)
    assert "贷项通知" in account_page and "发票" in account_page
    statement = client.get(f"/supply/stores/{store.id}/statement?start=2000-01-01&end=2100-01-01&format=csv")
    assert statement.status_code == 200 and "期末余额" in statement.get_data(as_text=True)


def test_hq_records_payments_terms_and_settings(hq, franchise, make_sku, login, client):
    store = franchise()
    sku = make_sku()
    login(hq.admin)
    assert client.get("/supply/hq/accounts").status_code == 200
    assert client.post(f"/supply/hq/accounts/{store.id}/payments", data={"amount": "50.00", "reference": "T1"}).status_code == 303
    assert client.post(f"/supply/hq/accounts/{store.id}/payments", data={"amount": "50.00", "reference": "T1"},
                       headers={"HX-Request": "true"}).status_code == 409
    assert account.balance(store) == Decimal("-50.00")
    assert client.post(f"/supply/hq/accounts/{store.id}/payments", data={"amount": "-1"},
                       headers={"HX-Request": "true"}).status_code == 422
    assert client.post(f"/supply/hq/accounts/{store.id}/terms", data={"credit_limit": "800", "payment_days": "45"}).status_code == 303
    assert client.post(f"/supply/hq/accounts/{store.id}/terms", data={"credit_limit": "-1", "payment_days": "x"},
                       headers={"HX-Request": "true"}).status_code == 422
    assert client.get("/supply/hq/settings").status_code == 200
    assert client.post("/supply/hq/settings", data={"allocation_rule": "days_of_cover", "lead_time_days": "3",
                                                    "low_below": "10"}).status_code == 303
    assert client.post("/supply/hq/settings", data={"allocation_rule": "nope"}, headers={"HX-Request": "true"}).status_code == 422
    assert client.post("/supply/hq/settings/prices", data={"code": sku.code, "price": "2.20", "store_id": store.id,
                                                           "pack_size": "6"}).status_code == 303
    assert client.post("/supply/hq/settings/tiers", data={"threshold": "1000", "percent": "2"}).status_code == 303
    assert client.post("/supply/hq/settings/groups", data={"name": "华东加盟"}).status_code == 303
    assert [e.kind for e in account.entries_of(store)] == [EntryKind.PAYMENT.value]


def test_a_franchisee_is_refused_every_other_store_and_every_hq_route(hq, stock_hq, franchise, make_sku, shipped,
                                                                      login, client):
    sku = make_sku()
    stock_hq(sku, 30)
    mine, theirs = franchise(), franchise()
    their_order = shipped(theirs, [(sku, 2)])
    line = their_order.lines[0]
    login(mine.owner)
    s, o = theirs.id, their_order.id
    refused_store = [("get", f"/supply/stores/{s}"), ("post", f"/supply/stores/{s}/orders"),
                     ("get", f"/supply/stores/{s}/orders/{o}"), ("post", f"/supply/stores/{s}/orders/{o}/lines"),
                     ("post", f"/supply/stores/{s}/orders/{o}/lines/{sku.id}"),
                     ("post", f"/supply/stores/{s}/orders/{o}/submit"), ("post", f"/supply/stores/{s}/orders/{o}/scan"),
                     ("post", f"/supply/stores/{s}/orders/{o}/lines/{line.id}/count"),
                     ("post", f"/supply/stores/{s}/orders/{o}/receive"), ("get", f"/supply/stores/{s}/catalogue"),
                     ("post", f"/supply/stores/{s}/catalogue/add"), ("get", f"/supply/stores/{s}/account"),
                     ("get", f"/supply/stores/{s}/statement")]
    refused_hq = [("get", "/supply/hq"), ("post", "/supply/hq/approve-all"), ("post", "/supply/hq/recommend"), ("get", f"/supply/hq/orders/{o}"),
                  ("post", f"/supply/hq/orders/{o}/approve"), ("post", f"/supply/hq/orders/{o}/reject"),
                  ("post", f"/supply/hq/orders/{o}/direct"), ("get", f"/supply/hq/orders/{o}/picking"),
                  ("post", f"/supply/hq/orders/{o}/ship"), ("get", "/supply/hq/accounts"),
                  ("post", f"/supply/hq/accounts/{s}/payments"), ("post", f"/supply/hq/accounts/{s}/terms"),
                  ("post", f"/supply/hq/accounts/{s}/rebate"), ("get", "/supply/hq/settings"),
                  ("post", "/supply/hq/settings"), ("post", "/supply/hq/settings/tiers"),
                  ("post", "/supply/hq/settings/groups"), ("post", "/supply/hq/settings/prices")]
    covered = {re.sub(r"/\d+", "/<n>", url) for _m, url in refused_store + refused_hq}
    every = {re.sub(r"<[^>]+>", "<n>", rule.rule) for rule in client.application.url_map.iter_rules()
             if rule.endpoint.startswith("supply.") and rule.endpoint != "supply.index"}
    assert every == covered  # every supply route but the one that sends each user to their own store
    for method, url in refused_store + refused_hq:
        assert getattr(client, method)(url).status_code == 403, url
    # Their order under my store's address is not found either.
    assert client.get(f"/supply/stores/{mine.id}/orders/{o}").status_code == 404
    assert client.post(f"/supply/stores/{mine.id}/orders/{o}/receive").status_code == 404
    db.session.refresh(their_order)
    assert their_order.status == OrderStatus.SHIPPED and receiving  # untouched


def test_notes_and_reasons_with_control_characters_are_cleaned_or_refused(hq, stock_hq, franchise, make_sku,
                                                                          submitted, login, client):
    store, sku = franchise(), make_sku()
    stock_hq(sku, 10)
    login(store.owner)
    client.post(f"/supply/stores/{store.id}/orders", data={"from": "blank"})
    draft = db.session.scalar(db.select(StoreOrder).where(StoreOrder.store_id == store.id))
    client.post(f"/supply/stores/{store.id}/orders/{draft.id}/lines", data={"code": sku.code, "quantity": "2"})
    # A NUL byte is refused by the one input guard, and nothing is submitted; other control characters are cleaned.
    assert client.post(f"/supply/stores/{store.id}/orders/{draft.id}/submit", data={"note": "周\x00末"}).status_code == 400
    db.session.refresh(draft)
    assert draft.status == OrderStatus.DRAFT
    assert client.post(f"/supply/stores/{store.id}/orders/{draft.id}/submit", data={"note": "周\x01末"}).status_code == 303
    db.session.refresh(draft)
    assert draft.note == "周末"
    other = submitted(franchise(), [(sku, 1)])
    login(hq.admin)
    too_long = client.post(f"/supply/hq/orders/{other.id}/reject", data={"reason": "x" * 201},
                           headers={"HX-Request": "true"})
    assert too_long.status_code == 422
    assert client.post(f"/supply/hq/orders/{other.id}/reject", data={"reason": "\x02\x01"},
                       headers={"HX-Request": "true"}).status_code == 422
    assert client.post(f"/supply/hq/orders/{other.id}/reject", data={"reason": "重复\x01"}).status_code == 303
    db.session.refresh(other)
    assert (other.status, other.reason) == (OrderStatus.REJECTED, "重复")


def test_hq_recommends_a_line_into_a_stores_draft_which_the_store_confirms(hq, franchise, make_sku, pack, login,
                                                                           client):
    store, sku = franchise(), make_sku()
    pack(sku, 6)
    login(hq.admin)
    assert client.post("/supply/hq/recommend", data={"store_id": store.id, "code": sku.code, "quantity": "10"}).status_code == 303
    assert client.post("/supply/hq/recommend", data={"store_id": store.id, "code": "nope", "quantity": "1"},
                       headers={"HX-Request": "true"}).status_code == 422
    assert client.post("/supply/hq/recommend", data={"store_id": hq.id, "code": sku.code, "quantity": "1"}).status_code == 404
    draft = db.session.scalar(db.select(StoreOrder).where(StoreOrder.store_id == store.id))
    assert (draft.status, draft.lines[0].asked, draft.note) == (OrderStatus.DRAFT, Decimal("12"), "总部推荐订货")
    login(store.owner)
    assert client.post(f"/supply/stores/{store.id}/orders/{draft.id}/submit").status_code == 303
