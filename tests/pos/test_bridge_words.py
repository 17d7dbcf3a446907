"""The bridge speaks error codes; the till shows them in the cashier's language."""
import json
import re

from bridge import errors
from webapp.pos.bridge_words import BRIDGE_ERRORS

ZH = {"Accept-Language": "zh-CN"}


def test_every_error_code_the_bridge_can_send_has_words_at_the_till():
    codes = {cls.code for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.BridgeError)}
    assert codes <= set(BRIDGE_ERRORS)


def test_the_till_page_carries_the_bridges_error_words_in_chinese(client, till, login):
    login(till.cashier)
    html = client.get(f"/pos/registers/{till.register.id}", headers=ZH).get_data(as_text=True)
    block = re.search(r"<div hidden id=\"bridge-error-words\" data-json='(.*?)'></div>", html, re.S)
    words = json.loads(block.group(1))
    assert words["paper_out"] == "打印机缺纸。" and words["device_gone"] == "设备已被拔出。"
