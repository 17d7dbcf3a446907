"""The till's device settings (bridge address, pairing, devices, test print, drawer) and the page the
link `huotong-bridge pair` prints opens."""
import json
import re

from bridge.__main__ import PAIR_PATH
from bridge.devices.escpos_tables import PAPERS
from bridge.devices.receipt import as_text, layout
from bridge.devices.textwidth import TextMetrics
from webapp.auth.models import Role
from webapp.pos.bridge_views import test_receipt as make_test_receipt

ZH = {"Accept-Language": "zh-CN"}


def test_the_till_menu_leads_to_the_device_settings(till, login):
    client = login(till.cashier)
    page = client.get(f"/pos/registers/{till.register.id}", headers=ZH).get_data(as_text=True)
    assert f'href="/pos/registers/{till.register.id}/bridge">设备</a>' in page


def test_the_settings_show_the_bridge_the_devices_and_the_tests(till, login):
    client = login(till.cashier)
    response = client.get(f"/pos/registers/{till.register.id}/bridge", headers=ZH)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for words in ("设备设置", "硬件桥地址", "配对码，或 huotong-bridge pair 打印的链接", "扫码枪", "电子秤", "打印机", "钱箱",
                  "测试打印", "打开钱箱", 'src="/static/js/bridge.js?v=', 'src="/static/js/till_settings.js?v='):
        assert words in page, words
    for kind in ("connection", "scanner", "scale", "printer", "drawer"):
        assert f'data-bridge-status="{kind}"' in page
    words = json.loads(re.search(r"id=\"bridge-settings-words\" data-json='(.*?)'", page, re.S).group(1))
    assert "huotong-bridge pair --origin http://localhost" in words["refused"]
    assert words["absent"].startswith("硬件桥未连接")


def test_the_test_receipt_prints_on_the_tills_paper(make_till):
    metrics = TextMetrics("gb18030")
    for width in (58, 80):
        till = make_till(width=width)
        receipt = make_test_receipt(till.register, till.cashier)
        assert receipt["paper"] == f"{width}mm" and receipt["number"].startswith("TEST-")
        text = as_text(layout(receipt, PAPERS[receipt["paper"]], metrics), PAPERS[receipt["paper"]].columns, metrics)
        assert "打印测试" in text and till.register.name in text


def test_only_the_stores_staff_open_a_tills_settings(till, make_store, make_user, login, client):
    assert client.get(f"/pos/registers/{till.register.id}/bridge").status_code == 302  # to the sign-in
    login(make_user(role=Role.CASHIER, stores=[make_store()]))
    assert client.get(f"/pos/registers/{till.register.id}/bridge").status_code == 403
    assert client.get("/pos/registers/999999/bridge").status_code == 404


def test_the_pairing_link_opens_a_page_that_stores_the_pairing(client):
    """`huotong-bridge pair` prints <origin>/pos/bridge/pair#bridge-token=…: a page that loads the bridge
    client (which stores the token from the fragment) and says what happened, even before signing in."""
    response = client.get(PAIR_PATH, headers=ZH)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'src="/static/js/bridge.js?v=' in page and 'src="/static/js/till_settings.js?v=' in page
    assert "配对硬件桥" in page and "data-pair-result" in page and 'data-bridge-status="connection"' in page
    words = json.loads(re.search(r"id=\"bridge-settings-words\" data-json='(.*?)'", page, re.S).group(1))
    assert words["paired_link"].startswith("已通过链接配对")
