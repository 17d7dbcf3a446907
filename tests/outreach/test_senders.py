"""The SMS and WeChat senders speak the real APIs' shapes, tested against a local fake HTTP server."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webapp.extensions import db
from webapp.outreach import messages, segments, tags
from webapp.outreach.models import MemberMessage
from webapp.outreach.segments import Rule
from webapp.outreach.senders import AliyunSmsSender, SendFailed, WeChatSubscribeSender, aliyun_signature

SECRET = "testsecret"


class FakeApis(BaseHTTPRequestHandler):
    calls: list = []
    answer: dict = {}

    def log_message(self, *args):
        pass

    def _reply(self, body: dict):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # WeChat: cgi-bin/token
        url = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.calls.append(("GET", url.path, query))
        if url.path == "/cgi-bin/token" and query == {"grant_type": "client_credential", "appid": "wxapp",
                                                      "secret": "wxsecret"}:
            return self._reply({"access_token": "TOKEN-1", "expires_in": 7200})
        return self._reply({"errcode": 40013, "errmsg": "invalid appid"})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        if url.path == "/":  # Aliyun SendSms: a signed form
            params = dict(urllib.parse.parse_qsl(body))
            signature = params.pop("Signature")
            self.calls.append(("POST", "/", params))
            if signature != aliyun_signature(params, SECRET):
                return self._reply({"Code": "SignatureDoesNotMatch", "Message": "bad signature"})
            return self._reply(self.answer or {"Code": "OK", "Message": "OK", "BizId": "9", "RequestId": "R"})
        query = dict(urllib.parse.parse_qsl(url.query))
        self.calls.append(("POST", url.path, query, json.loads(body)))
        if query.get("access_token") != "TOKEN-1":
            return self._reply({"errcode": 40001, "errmsg": "invalid credential"})
        return self._reply({"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def fake():
    FakeApis.calls, FakeApis.answer = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApis)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_aliyun_sms_send_sms_is_signed_and_carries_the_text_as_a_template_parameter(fake):
    sender = AliyunSmsSender("AKID", SECRET, "货通", "SMS_123", endpoint=fake + "/")
    sender.send("13900001234", "王芳您好,送您优惠券 ABCD")
    (_method, _path, params), = FakeApis.calls
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert (params["PhoneNumbers"], params["SignName"], params["TemplateCode"]) == ("13900001234", "货通", "SMS_123")
    assert json.loads(params["TemplateParam"]) == {"content": "王芳您好,送您优惠券 ABCD"}
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["AccessKeyId"] == "AKID"


def test_an_aliyun_refusal_raises_so_the_message_stays(fake):
    FakeApis.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"}
    with pytest.raises(SendFailed, match="BUSINESS_LIMIT_CONTROL"):
        AliyunSmsSender("AKID", SECRET, "货通", "SMS_123", endpoint=fake + "/").send("13900001234", "x")
    with pytest.raises(SendFailed, match="SignatureDoesNotMatch"):
        FakeApis.answer = {}
        AliyunSmsSender("AKID", "wrong", "货通", "SMS_123", endpoint=fake + "/").send("13900001234", "x")


def test_wechat_subscribe_message_takes_a_token_then_sends_to_the_openid(fake):
    WeChatSubscribeSender._tokens.clear()
    sender = WeChatSubscribeSender("wxapp", "wxsecret", "TPL1", field="thing1", page="pages/index",
                                   endpoint=fake, openid_of=lambda phone: "OPENID-" + phone[-4:])
    sender.send("13900001234", "生日快乐!送您一张十元优惠券,本月有效")
    sender.send("13900001234", "第二条")
    posts = [c for c in FakeApis.calls if c[0] == "POST"]
    assert len([c for c in FakeApis.calls if c[1] == "/cgi-bin/token"]) == 1  # the token is kept
    _m, path, query, body = posts[0]
    assert path == "/cgi-bin/message/subscribe/send" and query == {"access_token": "TOKEN-1"}
    assert body == {"touser": "OPENID-1234", "template_id": "TPL1", "page": "pages/index",
                    "data": {"thing1": {"value": "生日快乐!送您一张十元优惠券,本月有效"[:20]}}}


def test_wechat_without_an_openid_or_with_a_bad_appid_fails(fake):
    WeChatSubscribeSender._tokens.clear()
    with pytest.raises(SendFailed, match="openid"):
        WeChatSubscribeSender("wxapp", "wxsecret", "TPL1", endpoint=fake, openid_of=lambda p: "").send("139", "x")
    with pytest.raises(SendFailed, match="40013"):
        WeChatSubscribeSender("other", "s", "TPL1", endpoint=fake, openid_of=lambda p: "O").send("139", "x")


def test_the_outbox_sends_through_the_sms_adapter_named_in_the_config(fake, app, monkeypatch, member, bought,
                                                                      make_sku):
    someone = member("王芳")
    bought(someone, (make_sku(), 1))
    tags.recompute()
    monkeypatch.setitem(app.config, "NOTIFICATION_SENDER", "aliyun_sms")
    monkeypatch.setitem(app.config, "ALIYUN_SMS", {"access_key_id": "AKID", "access_key_secret": SECRET,
                                                   "sign_name": "货通", "template_code": "SMS_1",
                                                   "endpoint": fake + "/"})
    segment = segments.save("新客", Rule(all_tags=["rfm:new"]), user=None)
    messages.send_to_segment(segment, "{name}您好", None, user=None)
    assert messages.send_pending() == 1
    assert db.session.scalar(db.select(MemberMessage.sent_at)) is not None
    assert json.loads(FakeApis.calls[0][2]["TemplateParam"])["content"].startswith("王芳您好")
