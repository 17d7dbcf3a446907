"""Senders for the outboxes (member messages here, order notifications in ``webapp.sales.notify``),
shaped like the real services' APIs and chosen by ``NOTIFICATION_SENDER``:

- ``aliyun_sms``: Aliyun SMS ``SendSms`` (RPC style, API version 2017-05-25, HMAC-SHA1 signature over the
  sorted, percent-encoded parameters). Config ``ALIYUN_SMS``: ``access_key_id``, ``access_key_secret``,
  ``sign_name``, ``template_code`` (an approved template with one variable, ``${content}``), ``endpoint``
  (default ``https://dysmsapi.aliyuncs.com/``). Success is ``{"Code": "OK"}``.
- ``wechat``: WeChat subscribe message ``cgi-bin/message/subscribe/send`` with an access token from
  ``cgi-bin/token`` (kept until it expires). Config ``WECHAT``: ``appid``, ``secret``, ``template_id``,
  ``field`` (the template's text field, default ``thing1``: at most 20 characters), ``page``, ``endpoint``
  (default ``https://api.weixin.qq.com``). The member's openid is looked up by phone (``MemberProfile``).
  Success is ``{"errcode": 0}``.

Each raises ``SendFailed`` on an answer that is not success, so the outbox keeps the message for the next run.
"""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from webapp.auth.models import User
from webapp.extensions import db
from webapp.outreach.models import MemberProfile
from webapp.sales.notify import register_sender

TIMEOUT = 10


class SendFailed(Exception):
    pass


def _call(request: urllib.request.Request) -> dict:
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 (https endpoints from config)
        return json.loads(answer.read().decode("utf-8"))


def percent(value: str) -> str:
    """Aliyun's percent-encoding: RFC 3986, with space as %20 and ~ left as it is."""
    return urllib.parse.quote(value, safe="~")


def aliyun_signature(params: dict, secret: str, method: str = "POST") -> str:
    query = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent('/')}&{percent(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsSender:
    def __init__(self, access_key_id: str, access_key_secret: str, sign_name: str, template_code: str,
                 endpoint: str = "https://dysmsapi.aliyuncs.com/"):
        self.key, self.secret, self.sign_name, self.template = access_key_id, access_key_secret, sign_name, template_code
        self.endpoint = endpoint

    def send(self, phone: str, body: str) -> None:
        params = {
            "AccessKeyId": self.key, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou", "SignName": self.sign_name, "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0", "TemplateCode": self.template,
            "TemplateParam": json.dumps({"content": body}, ensure_ascii=False),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, self.secret)
        data = urllib.parse.urlencode(params, quote_via=urllib.parse.quote).encode()
        answer = _call(urllib.request.Request(self.endpoint, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded"}))
        if answer.get("Code") != "OK":
            raise SendFailed(f"Aliyun SMS {answer.get('Code')}: {answer.get('Message')}")


class WeChatSubscribeSender:
    _tokens: dict[str, tuple[str, float]] = {}  # appid → (access token, expires at)

    def __init__(self, appid: str, secret: str, template_id: str, field: str = "thing1", page: str = "",
                 endpoint: str = "https://api.weixin.qq.com", openid_of=None):
        self.appid, self.secret, self.template, self.field, self.page = appid, secret, template_id, field, page
        self.endpoint, self.openid_of = endpoint.rstrip("/"), openid_of or openid_by_phone

    def token(self) -> str:
        cached = self._tokens.get(self.appid)
        if cached and cached[1] > time.time():
            return cached[0]
        query = urllib.parse.urlencode({"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        answer = _call(urllib.request.Request(f"{self.endpoint}/cgi-bin/token?{query}"))
        if "access_token" not in answer:
            raise SendFailed(f"WeChat token {answer.get('errcode')}: {answer.get('errmsg')}")
        self._tokens[self.appid] = (answer["access_token"], time.time() + int(answer.get("expires_in", 7200)) - 300)
        return answer["access_token"]

    def send(self, phone: str, body: str) -> None:
        openid = self.openid_of(phone)
        if not openid:
            raise SendFailed(f"no WeChat openid for {phone}")
        message = {"touser": openid, "template_id": self.template, "page": self.page,
                   "data": {self.field: {"value": body[:20]}}}
        url = f"{self.endpoint}/cgi-bin/message/subscribe/send?access_token={urllib.parse.quote(self.token())}"
        answer = _call(urllib.request.Request(url, data=json.dumps(message, ensure_ascii=False).encode(),
                                              method="POST", headers={"Content-Type": "application/json"}))
        if answer.get("errcode") in (40001, 42001):  # the token expired early: fetch a new one next time
            self._tokens.pop(self.appid, None)
        if answer.get("errcode") != 0:
            raise SendFailed(f"WeChat {answer.get('errcode')}: {answer.get('errmsg')}")


def openid_by_phone(phone: str) -> str:
    return db.session.scalar(select(MemberProfile.wechat_openid).join(User, User.id == MemberProfile.customer_id)
                             .where(User.phone == phone).limit(1)) or ""


register_sender("aliyun_sms", lambda: AliyunSmsSender(**current_app.config["ALIYUN_SMS"]))
register_sender("wechat", lambda: WeChatSubscribeSender(**current_app.config["WECHAT"]))
