"""The WeChat side of the WeChat channel's tests.

FakeWeChatApi: a fake WeChat Official Account API on loopback: the access-token endpoint and the
customer-service message endpoint (https://developers.weixin.qq.com/doc/offiaccount/), recording every call.
Tokens it issued stay valid until `revoke_tokens()`; after that WeChat's "invalid credential" (40001) comes back.

Platform: what WeChat's servers send to the webhook: XML messages signed, and in safe mode encrypted, the
documented way (signature = sha1 of the sorted token, timestamp, nonce; encryption by wechatpy's WeChatCrypto)."""
from __future__ import annotations

import hashlib
import itertools
import threading
import time
import uuid
from typing import Any, Dict, List, Optional, Set, Tuple

import requests
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto

from tests.fakes.recording_server import Call, RecordingServer

ACCOUNT = "gh_kvisa_account"  # the Official Account's own id: ToUserName of what users send
TOKEN_PATH = "/cgi-bin/token"
SEND_PATH = "/cgi-bin/message/custom/send"


class FakeWeChatApi(RecordingServer):
    def __init__(self, port: int = 0):
        self._numbers = itertools.count(1)
        self._valid: Set[str] = set()
        self._accepted: List[Call] = []
        self._tokens_lock = threading.Lock()
        self._failures: List[Tuple[int, str]] = []
        super().__init__(self._respond, port)

    def fail_sends(self, count: int, errcode: int = -1, errmsg: str = "system error") -> None:
        """The next `count` customer-service sends are refused with this error (-1: WeChat is busy)."""
        with self._tokens_lock:
            self._failures = [(errcode, errmsg)] * count

    def revoke_tokens(self) -> None:
        """Every token issued so far becomes invalid, as when the token is fetched again elsewhere."""
        with self._tokens_lock:
            self._valid.clear()

    def token_calls(self, mark: int = 0) -> List[Call]:
        return [c for c in self.since(mark) if c.path == TOKEN_PATH]

    def sent_texts(self, openid: Optional[str] = None, mark: int = 0) -> List[str]:
        """The texts of the customer-service messages accepted (to openid), in order; mark: as for since()."""
        calls = self.since(mark)
        with self._tokens_lock:
            accepted = [c for c in self._accepted if any(c is call for call in calls)]
        return [c.json["text"]["content"] for c in accepted if openid in (None, c.json["touser"])]

    def _respond(self, call: Call) -> Tuple[int, Any]:
        if call.path == TOKEN_PATH:
            params = call.params()
            if params.get("grant_type") != "client_credential" or not params.get("appid") \
                    or not params.get("secret"):
                return 200, {"errcode": 40013, "errmsg": "invalid appid"}
            token = f"FAKE_ACCESS_TOKEN_{next(self._numbers)}"
            with self._tokens_lock:
                self._valid.add(token)
            return 200, {"access_token": token, "expires_in": 7200}
        if call.path == SEND_PATH:
            with self._tokens_lock:
                if call.query.get("access_token") not in self._valid:
                    return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
            with self._tokens_lock:
                failure = self._failures.pop(0) if self._failures else None
            if failure:
                return 200, {"errcode": failure[0], "errmsg": failure[1]}
            body = call.json
            if not isinstance(body, dict) or not body.get("touser") or body.get("msgtype") != "text" \
                    or not isinstance(body.get("text"), dict) or not body["text"].get("content"):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}
            with self._tokens_lock:
                self._accepted.append(call)
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404, "errmsg": "not found"}


def start() -> FakeWeChatApi:
    return FakeWeChatApi().start()


# --- WeChat's servers calling the channel's webhook -------------------------------------------------------

_msg_ids = itertools.count(int(time.time()) * 1000)


def next_msg_id() -> int:
    return next(_msg_ids)


def signature(*parts: str) -> str:
    """WeChat's signature: sha1 of the sorted strings, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def text_xml(openid: str, content: str, msg_id: Optional[int] = None) -> str:
    msg_id = next_msg_id() if msg_id is None else msg_id
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def event_xml(openid: str, event: str, create_time: Optional[int] = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event></xml>")


def media_xml(openid: str, kind: str) -> str:
    extra = {"image": "<PicUrl><![CDATA[http://example.com/a.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>",
             "voice": "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>",
             "video": "<MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId>",
             "location": "<Location_X>39.9</Location_X><Location_Y>116.4</Location_Y><Scale>15</Scale>"
                         "<Label><![CDATA[Beijing]]></Label>",
             "link": "<Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description>"
                     "<Url><![CDATA[http://example.com]]></Url>"}[kind]
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{extra}"
            f"<MsgId>{next_msg_id()}</MsgId></xml>")


class Platform:
    """Sends to the channel what WeChat's servers would send."""

    def __init__(self, url: str, token: str, crypto: Optional[WeChatCrypto] = None):
        self.url, self.token, self.crypto = url, token, crypto

    def query(self, good_signature: bool = True, timestamp: Optional[int] = None,
              nonce: Optional[str] = None) -> Dict[str, str]:
        """Signed query parameters; `timestamp` (default: now) and `nonce` (default: a new one) as given."""
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = uuid.uuid4().hex[:10] if nonce is None else nonce
        sign = signature(self.token, timestamp, nonce) if good_signature else "0" * 40
        return {"signature": sign, "timestamp": timestamp, "nonce": nonce, "openid": "ignored"}

    def post(self, xml: Any, safe: Optional[bool] = None, good_signature: bool = True,
             good_msg_signature: bool = True, timestamp: Optional[int] = None,
             nonce: Optional[str] = None) -> requests.Response:
        params = self.query(good_signature, timestamp, nonce)
        body = xml.encode() if isinstance(xml, str) else xml
        encrypt = self.crypto is not None if safe is None else safe  # by default as the channel expects
        if encrypt:
            envelope = self.crypto.encrypt_message(body.decode(), params["nonce"], params["timestamp"])
            encrypted = fromstring(envelope).findtext("Encrypt")
            params["msg_signature"] = (signature(self.token, params["timestamp"], params["nonce"], encrypted)
                                       if good_msg_signature else "0" * 40)
            params["encrypt_type"] = "aes"
            body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]>" \
                   f"</Encrypt></xml>".encode()
        return requests.post(self.url, params=params, data=body, headers={"Content-Type": "text/xml"},
                             timeout=30)

    def post_envelope(self, body: str, encrypted: str = "") -> requests.Response:
        """Posts body as it is, as a safe-mode message signed over `encrypted` (what its <Encrypt> holds)."""
        params = self.query()
        params.update(encrypt_type="aes",
                      msg_signature=signature(self.token, params["timestamp"], params["nonce"], encrypted))
        return requests.post(self.url, params=params, data=body.encode(), headers={"Content-Type": "text/xml"},
                             timeout=30)

    def reply(self, response: requests.Response) -> Optional[Dict[str, str]]:
        """The passive reply's fields (decrypted in safe mode), or None for `success`."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return None
        root = fromstring(response.content)
        if root.find("Encrypt") is not None:
            assert self.crypto is not None, "encrypted reply outside safe mode"
            inner = self.crypto.decrypt_message(response.text, root.findtext("MsgSignature"),
                                                root.findtext("TimeStamp"), root.findtext("Nonce"))
            root = fromstring(inner.encode())
        return {child.tag: child.text or "" for child in root}

    def say(self, xml: str, **kwargs) -> Optional[str]:
        """Posts and returns the passive reply's text (None for `success`)."""
        fields = self.reply(self.post(xml, **kwargs))
        return None if fields is None else fields["Content"]


# Hostile bodies: entity expansion (billion laughs) and an external entity (XXE).
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                            for i in range(1, 10))
                  + f']><xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o1</FromUserName>'
                    '<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content>'
                    '<MsgId>1</MsgId></xml>')
EXTERNAL_ENTITY = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   f'<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o1</FromUserName>'
                   '<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>')
