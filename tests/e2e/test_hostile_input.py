"""Hostile and malformed input on every channel of the real servers (tests/e2e/conftest.py): REST, socket.io
(the web widget), the Telegram webhook and the WeChat webhook in safe mode.

Each message below goes to each channel in a conversation of its own. For each one we check what a user or an
attacker could break: the HTTP status the channel defines (channels/*.py), what comes back (an answer, the
polite "too long" reply of channels/messages.yml, or nothing), what the tracker store keeps (read straight from
the SQLite file: a refused or ignored message must leave no row), that the events table survives SQL written as
a message, that WeChat's XML reply never carries user text as markup, and that the same conversation is still
answered afterwards. Then the transports themselves: malformed JSON and XML, and fields of the wrong type."""
import contextlib
import itertools
import json
import re
import sqlite3
import time
import uuid

import pytest
import requests
from defusedxml.ElementTree import fromstring

from channels import messages
from channels.admission import MAX_MESSAGE_CHARS
from tests.e2e.conftest import ACTION_PORT, RASA_PORT, WEB_PORT, running_servers
from tests.e2e.test_security import joined, rest_says, widgets  # noqa: F401  (widgets is a fixture)
from tests.e2e.test_telegram_webhook import telegram  # noqa: F401  (a fixture)
from tests.e2e.test_wechat_webhook import User, platform  # noqa: F401  (platform is a fixture)
from tests.fakes.wechat_api import ACCOUNT, signature, text_xml

WAIT = 60  # seconds for an answer that must come
FOLLOW_UP = "what is the K visa?"
TOO_LONG = messages.text("too_long", limit=MAX_MESSAGE_CHARS)
APOLOGY = messages.text("something_went_wrong")
REPLY_TAGS = {"ToUserName", "FromUserName", "CreateTime", "MsgType", "Content"}  # a WeChat text reply
_update_ids = itertools.count(int(time.time()) % 100000 * 1000 + 500)

TEXTS = {
    "empty": "",
    "whitespace": " \t\n \u00a0\u2003\u3000 ",
    "100kb": "I am 29 " * 12_800,  # 102,400 characters, words as a user would paste them
    "just_over_the_limit": "x" * (MAX_MESSAGE_CHARS + 1),
    "control_characters": "I am\x00 29\x01 with a\x02 PhD\x07 in\x08 physics\x0b\x0c\x1b[31m\x1f",
    "emoji_only": "🎓🔬🇨🇳✈️👍🏽👨‍👩‍👧",
    "arabic": "مرحبا، عمري 29 عاما ولدي دكتوراه في الفيزياء",
    "hebrew": "שלום, אני בן 29 עם דוקטורט בפיזיקה",
    "sql_injection": "'; DROP TABLE events; --",
    "script_injection": "<script>alert(1)</script>",
    "chinese": "你好，我29岁，有物理学博士学位",
    "devanagari": "नमस्ते, मेरी उम्र 29 साल है और मेरे पास भौतिकी में पीएचडी है",
    "cyrillic": "Здравствуйте, мне 29 лет, у меня докторская степень по физике",
}
CHANNELS = ("rest", "socketio", "telegram", "wechat")

# What each channel does with a message (channels/*.py, channels/admission.py).
ANSWERED = "answered"  # reaches the assistant, is stored (Rasa strips the text) and gets an answer
IGNORED = "ignored"  # nothing to read: no answer, nothing stored
TOO_LONG_REPLY = "too long"  # over 2,000 characters: the polite reply, nothing stored
REFUSED = "refused"  # the body itself is refused (400): no answer, nothing stored


def outcome(channel, case):
    if case in ("empty", "whitespace") and channel in ("telegram", "wechat"):
        return IGNORED  # REST and socket.io hand even an empty message to Rasa, which answers with its fallback
    if channel == "wechat" and case == "100kb":
        return REFUSED  # over the channel's 64 KB XML limit (channels/safe_xml.py) before it is decrypted
    if channel == "wechat" and case == "control_characters":
        return REFUSED  # XML 1.0 cannot carry \x00-\x1f (except tab, newline, return): not well-formed
    if case in ("100kb", "just_over_the_limit"):
        return TOO_LONG_REPLY
    return ANSWERED


def stored_user_texts(servers, conversation_id, latest=None):
    """The user messages the tracker store holds for a conversation, oldest first, read from the SQLite file.
    With `latest`, waits until that is the newest one (socket.io saves the turn after its last reply)."""
    deadline = time.time() + WAIT
    while True:
        with contextlib.closing(sqlite3.connect(servers["db"], timeout=10)) as connection:
            rows = connection.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' "
                                      "ORDER BY id", (conversation_id,)).fetchall()
        texts = [json.loads(data)["text"] for (data,) in rows]
        if latest is None or texts[-1:] == [latest] or time.time() > deadline:
            return texts
        time.sleep(0.2)


def decrypted_reply(platform, response):
    """The passive reply's XML as the channel wrote it (decrypted), or None for `success`."""
    if response.text == "success":
        return None
    envelope = fromstring(response.content)
    return platform.crypto.decrypt_message(response.text, envelope.findtext("MsgSignature"),
                                           envelope.findtext("TimeStamp"), envelope.findtext("Nonce"))


def assert_user_text_is_not_markup(xml):
    """The reply is a plain text reply, and user text in it stays character data: every "<script" lies inside a
    CDATA section, so no XML parser (or WeChat) can read it as an element."""
    root = fromstring(xml.encode())
    assert {child.tag for child in root} == REPLY_TAGS and len(root) == len(REPLY_TAGS), xml
    assert [element.tag for element in root.iter()] == ["xml", *[child.tag for child in root]], xml
    outside_cdata = re.sub(r"<!\[CDATA\[.*?\]\]>", "", xml, flags=re.DOTALL)
    assert "<script" not in outside_cdata.lower(), xml


def in_cdata(text):
    """`text` for text_xml's CDATA section: "]]>" would end it, so it is split across two sections."""
    return text.replace("]]>", "]]]]><![CDATA[>")


# --- one conversation on each channel -----------------------------------------------------------------------

class RestSide:
    def __init__(self, servers):
        self.servers = servers
        self.sender = f"hostile-{uuid.uuid4().hex}"
        self.conversation_id = f"rest:{self.sender}"

    def send(self, text, expect_answer):
        reply = requests.post(f"{self.servers['base']}/webhooks/rest/webhook",
                              json={"sender": self.sender, "message": text}, timeout=WAIT)
        if reply.status_code != 200:
            return reply.status_code, []
        assert all(m["recipient_id"] == self.sender for m in reply.json()), reply.json()
        return 200, [m["text"] for m in reply.json() if m.get("text")]

    def follow_up(self, text):
        return joined(rest_says(self.servers, self.sender, text))


class SocketIOSide:
    """The web widget: socket.io has no HTTP status per message, so the status is that of the connection."""

    def __init__(self, widget):
        self.widget = widget
        self.token = widget.session()
        self.conversation_id = f"web:{self.token.split('.')[0]}"

    def send(self, text, expect_answer):
        replies = self.widget.say(text, self.token)  # every case gets an answer here (outcome() above)
        return (200 if self.widget.client.connected else None), [r["text"] for r in replies if r.get("text")]

    def follow_up(self, text):
        return joined(self.widget.say(text, self.token))


class TelegramSide:
    def __init__(self, telegram):
        self.telegram = telegram
        self.conversation_id = f"tg:{telegram.chat_id}"

    def send(self, text, expect_answer):
        mark = self.telegram.mark()
        reply = self.telegram.post({"update_id": next(_update_ids), "message": self.telegram.message(text=text)})
        # the answer is sent before the webhook returns, so what is recorded now is all there will be
        return reply.status_code, [p["text"] for p in self.telegram.sent(mark)]

    def follow_up(self, text):
        return "\n".join(p["text"] for p in self.telegram.say(text))


class WeChatSide:
    def __init__(self, platform, api):
        self.platform, self.api = platform, api
        self.user = User(platform, api)
        self.conversation_id = f"wx:{self.user.openid}"
        self.replies_xml = []  # every passive reply, to check its markup

    def send(self, text, expect_answer):
        mark = len(self.api.snapshot())
        response = self.platform.post(text_xml(self.user.openid, text))
        if response.status_code != 200:
            return response.status_code, []
        xml = decrypted_reply(self.platform, response)
        if xml is None:
            if not expect_answer:
                return 200, []
            # slower than WeChat waits: the answer follows through the customer-service API
            self.api.wait_for(lambda calls: self.api.sent_texts(self.user.openid, mark), timeout=WAIT)
            return 200, self.api.sent_texts(self.user.openid, mark)
        self.replies_xml.append(xml)
        return 200, [fromstring(xml.encode()).findtext("Content")]

    def follow_up(self, text):
        return self.user.say(text)


@pytest.fixture
def sides(servers, widgets, telegram, platform, wechat_api_server):  # noqa: F811
    return {"rest": lambda: RestSide(servers), "socketio": lambda: SocketIOSide(widgets()),
            "telegram": lambda: TelegramSide(telegram), "wechat": lambda: WeChatSide(platform, wechat_api_server)}


@pytest.mark.parametrize("channel, case", [(channel, case) for channel in CHANNELS for case in TEXTS],
                         ids=[f"{channel}-{case}" for channel in CHANNELS for case in TEXTS])
def test_a_hostile_message_is_handled_and_the_conversation_goes_on(servers, sides, channel, case):
    side, text, expected = sides[channel](), TEXTS[case], outcome(channel, case)

    status, replies = side.send(text, expect_answer=expected in (ANSWERED, TOO_LONG_REPLY))

    assert status == (400 if expected == REFUSED else 200), (status, replies)
    if expected == ANSWERED:
        assert replies and all(reply.strip() for reply in replies), replies
        assert APOLOGY not in replies, replies  # the assistant did not fail on it
    elif expected == TOO_LONG_REPLY:
        assert replies == [TOO_LONG], replies
    else:
        assert replies == [], replies

    # the same conversation is answered as usual afterwards
    assert "The K visa is" in side.follow_up(FOLLOW_UP)
    kept = [text.strip()] if expected == ANSWERED else []
    assert stored_user_texts(servers, side.conversation_id, latest=FOLLOW_UP) == kept + [FOLLOW_UP]
    if channel == "wechat":
        for xml in side.replies_xml:
            assert_user_text_is_not_markup(xml)
    if case == "sql_injection":
        with contextlib.closing(sqlite3.connect(servers["db"], timeout=10)) as connection:
            tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert "events" in tables
            assert connection.execute("SELECT COUNT(*) FROM events").fetchone()[0] > 0


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "]]><script>alert(1)</script><![CDATA[",  # ends the CDATA section early if not split
    "</Content><script>alert(1)</script><Content>",
])
def test_a_wechat_reply_that_echoes_user_text_keeps_it_as_text(servers, platform,  # noqa: F811
                                                                wechat_api_server, text):
    """At the degree question the assistant says back what it could not read ("I couldn't tell which degree
    "..." is"): the passive XML reply carries it as character data, whole."""
    user = User(platform, wechat_api_server)
    assert "How old are you" in user.say("am I eligible?")
    assert "What is your highest degree?" in user.say("29")
    response = platform.post(text_xml(user.openid, in_cdata(text)))
    assert response.status_code == 200
    xml = decrypted_reply(platform, response)
    assert xml is not None, "expected a passive reply (the assistant answers in well under WeChat's 5 s)"
    assert_user_text_is_not_markup(xml)
    assert f'"{text}"' in fromstring(xml.encode()).findtext("Content"), xml
    assert "The K visa is" in user.say(FOLLOW_UP)


# --- malformed bodies and wrong types -------------------------------------------------------------------------

def _json(value):
    return json.dumps(value).encode()


# Each body names the conversation `s` (a REST sender), so that the follow-up is in the same conversation.
REST_BODIES = {
    "truncated_json": lambda s: _json({"sender": s, "message": "hello"})[:-2],
    "not_utf8": lambda s: b'{"sender": "' + s.encode() + b'", "message": "\xff\xfe"}',
    "deeply_nested": lambda s: b'{"sender": "' + s.encode() + b'", "message": "hi", "metadata": '
                               + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
    "nan_message": lambda s: b'{"sender": "' + s.encode() + b'", "message": NaN}',
    "a_list": lambda s: _json([s, "hello"]),
    "a_string": lambda s: _json(f"{s}: hello"),
    "null": lambda s: b"null",
    "empty_body": lambda s: b"",
    "sender_missing": lambda s: _json({"message": "hello", "id": s}),
    "sender_blank": lambda s: _json({"sender": "   ", "message": s}),
    "sender_too_long": lambda s: _json({"sender": s + "x" * 201, "message": "hello"}),
    "sender_boolean": lambda s: _json({"sender": True, "message": s}),
    "sender_float": lambda s: _json({"sender": 1.5, "message": s}),
    "sender_object": lambda s: _json({"sender": {"id": s}, "message": "hello"}),
    "sender_list": lambda s: _json({"sender": [s], "message": "hello"}),
    "message_number": lambda s: _json({"sender": s, "message": 29}),
    "message_boolean": lambda s: _json({"sender": s, "message": False}),
    "message_list": lambda s: _json({"sender": s, "message": ["I am 29"]}),
    "message_object": lambda s: _json({"sender": s, "message": {"text": "I am 29"}}),
    "metadata_list": lambda s: _json({"sender": s, "message": "hello", "metadata": [1]}),
    "metadata_string": lambda s: _json({"sender": s, "message": "hello", "metadata": "x"}),
}


@pytest.mark.parametrize("body", REST_BODIES.values(), ids=REST_BODIES.keys())
def test_a_malformed_rest_body_gets_400_and_is_not_stored(servers, body):
    sender = f"malformed-{uuid.uuid4().hex}"
    reply = requests.post(f"{servers['base']}/webhooks/rest/webhook", data=body(sender),
                          headers={"Content-Type": "application/json"}, timeout=WAIT)
    assert reply.status_code == 400, reply.text[:300]
    assert "The K visa is" in joined(rest_says(servers, sender, FOLLOW_UP))
    assert stored_user_texts(servers, f"rest:{sender}") == [FOLLOW_UP]


def _update(t, **message):
    return {"update_id": next(_update_ids), "message": t.message(**message)}


def _with_chat(t, chat):
    update = _update(t, text="I am 29")
    update["message"]["chat"] = chat
    return _json(update)


TELEGRAM_BODIES = {
    "truncated_json": lambda t: _json(_update(t, text="hello"))[:-3],
    "not_utf8": lambda t: _json(_update(t, text="hello")).replace(b"hello", b"\xff\xfe"),
    "deeply_nested": lambda t: b"[" * 100_000,  # Python's JSON parser raises RecursionError on this
    "a_list": lambda t: _json([_update(t, text="hello")]),
    "null": lambda t: b"null",
    "empty_body": lambda t: b"",
    "update_id_string": lambda t: _json({**_update(t, text="hello"), "update_id": "1"}),
    "update_id_float": lambda t: _json({**_update(t, text="hello"), "update_id": 1.5}),
    "update_id_nan": lambda t: json.dumps({**_update(t, text="hello"), "update_id": float("nan")}).encode(),
    "message_list": lambda t: _json({"update_id": next(_update_ids), "message": [t.message(text="hello")]}),
    "chat_id_string": lambda t: _with_chat(t, {"id": str(t.chat_id), "type": "private"}),
    "chat_id_boolean": lambda t: _with_chat(t, {"id": True, "type": "private"}),
    "chat_id_float": lambda t: _with_chat(t, {"id": float(t.chat_id), "type": "private"}),
    "chat_missing": lambda t: _with_chat(t, None),
    "text_number": lambda t: _json(_update(t, text=29)),
    "text_object": lambda t: _json(_update(t, text={"text": "I am 29"})),
    "callback_query_id_number": lambda t: _json({"update_id": next(_update_ids), "callback_query": {
        "id": 5, "from": {"id": t.chat_id, "is_bot": False, "first_name": "Ada"}, "data": "/greet",
        "message": t.message(text="Choose one:")}}),
    "edited_message_without_chat": lambda t: _json({"update_id": next(_update_ids),
                                                    "edited_message": {"text": "I am 29"}}),
}


@pytest.mark.parametrize("body", TELEGRAM_BODIES.values(), ids=TELEGRAM_BODIES.keys())
def test_a_malformed_telegram_update_gets_400_and_no_answer(servers, telegram, body):  # noqa: F811
    mark = telegram.mark()
    reply = telegram.post(None, raw=body(telegram))
    assert reply.status_code == 400, reply.text[:300]
    assert telegram.api.since(mark) == []  # nothing sent to anyone
    assert "The K visa is" in "\n".join(p["text"] for p in telegram.say(FOLLOW_UP))
    assert stored_user_texts(servers, f"tg:{telegram.chat_id}") == [FOLLOW_UP]


# How WeChat's servers would post a body (signed; in safe mode encrypted), and the status the channel gives it.
# "inner": XML that is encrypted and signed correctly; "envelope": the outer body as it is.
WECHAT_BODIES = {
    "inner_not_well_formed": ("inner", lambda o: text_xml(o, "I am 29").replace("</Content>", "</Content"), 400),
    "inner_truncated": ("inner", lambda o: text_xml(o, "I am 29")[:-8], 400),
    "inner_wrong_root": ("inner", lambda o: text_xml(o, "I am 29").replace("xml>", "msg>"), 400),
    "inner_text_only": ("inner", lambda o: "<xml>I am 29</xml>", 400),
    "inner_without_sender": ("inner", lambda o: text_xml(o, "I am 29").replace(
        f"<FromUserName><![CDATA[{o}]]></FromUserName>", ""), 400),
    "inner_sender_as_element": ("inner", lambda o: text_xml(o, "I am 29").replace(
        f"<![CDATA[{o}]]>", f"<id>{o}</id>"), 400),
    "inner_msgtype_as_element": ("inner", lambda o: text_xml(o, "I am 29").replace(
        "<![CDATA[text]]>", "<a>text</a>"), 400),
    "inner_with_entity": ("inner", lambda o: '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "29">]>'
                                             + text_xml(o, "I am ]]>&a;<![CDATA["), 400),
    "envelope_not_well_formed": ("envelope", lambda o: b"<xml><Encrypt>abc</Encrypt", 400),
    "envelope_not_utf8": ("envelope", lambda o: b"<xml><Encrypt>\xff\xfe</Encrypt></xml>", 400),
    "envelope_empty": ("envelope", lambda o: b"", 400),
    "envelope_without_encrypt": ("envelope", lambda o: f"<xml><ToUserName>{ACCOUNT}</ToUserName></xml>".encode(),
                                 400),
    "envelope_encrypt_not_base64": ("envelope", lambda o: b"<xml><Encrypt><![CDATA[not base64!]]></Encrypt></xml>",
                                    400),
    # wrong types the channel tolerates: an element where text belongs reads as empty, so nothing to answer
    "content_as_element": ("inner", lambda o: text_xml(o, "I am 29").replace("<![CDATA[I am 29]]>", "<b>29</b>"),
                           200),
}


def _post_wechat(platform, how, body):  # noqa: F811
    if how == "inner":
        return platform.post(body)
    encrypted = re.search(rb"<Encrypt>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</Encrypt>", body)
    params = platform.query()  # signed, and msg_signature over what <Encrypt> holds, so only the body is wrong
    params.update(encrypt_type="aes", msg_signature=signature(
        platform.token, params["timestamp"], params["nonce"],
        encrypted.group(1).decode("utf-8", "replace") if encrypted else ""))
    return requests.post(platform.url, params=params, data=body, headers={"Content-Type": "text/xml"}, timeout=30)


@pytest.mark.parametrize("how, body, status", WECHAT_BODIES.values(), ids=WECHAT_BODIES.keys())
def test_a_malformed_wechat_body_gets_its_status_and_no_answer(servers, platform,  # noqa: F811
                                                               wechat_api_server, how, body, status):
    user = User(platform, wechat_api_server)
    reply = _post_wechat(platform, how, body(user.openid))
    assert reply.status_code == status, reply.text[:300]
    if status == 200:
        assert reply.text == "success"
    assert requests.get(servers["base"], timeout=10).ok
    assert "The K visa is" in user.say(FOLLOW_UP)
    assert stored_user_texts(servers, f"wx:{user.openid}") == [FOLLOW_UP]


@pytest.mark.parametrize("field, value", [("CreateTime", "yesterday"), ("MsgId", "not-a-number")])
def test_a_wechat_message_with_a_non_numeric_field_is_still_answered(servers, platform, wechat_api_server,  # noqa: F811
                                                                     field, value):
    """WeChat's numbers arrive as text; the channel does not need them as numbers, so it answers."""
    user = User(platform, wechat_api_server)
    xml = re.sub(f"<{field}>[^<]*</{field}>", f"<{field}>{value}</{field}>", text_xml(user.openid, "hello"))
    answer = platform.say(xml)
    assert answer and APOLOGY not in answer
    assert stored_user_texts(servers, f"wx:{user.openid}") == ["hello"]


@pytest.mark.parametrize("channel", ["rest", "telegram", "wechat"])
def test_a_body_over_1_mib_gets_413_and_the_conversation_goes_on(servers, sides, channel):
    """Sanic refuses it before reading it (SANIC_REQUEST_MAX_SIZE, scripts/run.sh); nothing reaches the bot."""
    side, text = sides[channel](), "I am 29 " * (1 << 17)  # 1 MiB of text, more once wrapped
    if channel == "rest":
        reply = requests.post(f"{servers['base']}/webhooks/rest/webhook", timeout=WAIT,
                              json={"sender": side.sender, "message": text})
    elif channel == "telegram":
        reply = side.telegram.post({"update_id": next(_update_ids), "message": side.telegram.message(text=text)})
    else:
        reply = side.platform.post(text_xml(side.user.openid, text))
    assert reply.status_code == 413
    assert "The K visa is" in side.follow_up(FOLLOW_UP)
    assert stored_user_texts(servers, side.conversation_id) == [FOLLOW_UP]


def test_forged_and_replayed_webhook_requests_get_403_and_are_not_stored(servers, sides):
    telegram = sides["telegram"]()
    update = {"update_id": next(_update_ids), "message": telegram.telegram.message(text="I am 29")}
    assert telegram.telegram.post(update, secret="forged-" + uuid.uuid4().hex).status_code == 403
    assert "The K visa is" in telegram.follow_up(FOLLOW_UP)
    assert stored_user_texts(servers, telegram.conversation_id) == [FOLLOW_UP]

    wechat = sides["wechat"]()
    openid, platform = wechat.user.openid, wechat.platform  # noqa: F811
    assert platform.post(text_xml(openid, "I am 29"), good_signature=False).status_code == 403
    assert platform.post(text_xml(openid, "I am 29"), good_msg_signature=False).status_code == 403
    assert platform.post(text_xml(openid, "I am 29"), safe=False).status_code == 403  # safe mode: encrypted only
    nonce = uuid.uuid4().hex[:10]
    assert platform.say(text_xml(openid, "hello"), nonce=nonce)
    # a captured signed URL used again for another message
    assert platform.post(text_xml(openid, "I am 29"), nonce=nonce).status_code == 403
    assert "The K visa is" in wechat.follow_up(FOLLOW_UP)
    assert stored_user_texts(servers, wechat.conversation_id) == ["hello", FOLLOW_UP]


# --- lone UTF-16 surrogates --------------------------------------------------------------------------------

# JSON may escape a lone surrogate ("\ud83c": half an emoji, as a JavaScript client that cuts a string in the
# middle of an emoji sends it). Python's JSON parsers accept it, but such a string cannot be encoded as UTF-8.

def test_a_rest_message_with_a_lone_surrogate_is_not_answered_as_a_server_fault(servers):
    sender = f"surrogate-{uuid.uuid4().hex}"
    reply = requests.post(f"{servers['base']}/webhooks/rest/webhook", timeout=WAIT,
                          data=b'{"sender": "' + sender.encode() + b'", "message": "I am 29 \\ud83c"}',
                          headers={"Content-Type": "application/json"})
    # a 400 that says what is wrong, or an answer; not "something went wrong, try again in a minute", which
    # will never get better
    assert reply.status_code == 400 or APOLOGY not in joined(reply.json()), (reply.status_code, reply.text)
    assert "The K visa is" in joined(rest_says(servers, sender, FOLLOW_UP))


@pytest.fixture(scope="module")
def own_servers(tmp_path_factory, channel_settings):
    """Servers of this module's own, next to the shared ones (ports + 1): this test may stop them."""
    with running_servers(tmp_path_factory.mktemp("surrogate"), channel_settings, RASA_PORT + 1, ACTION_PORT + 1,
                         WEB_PORT + 1) as found:
        yield found


def test_a_rest_sender_with_a_lone_surrogate_does_not_stop_the_server(own_servers):
    try:
        reply = requests.post(f"{own_servers['base']}/webhooks/rest/webhook", timeout=WAIT,
                              data=b'{"sender": "\\ud800", "message": "hello"}',
                              headers={"Content-Type": "application/json"})
        answered = reply.status_code
    except requests.ConnectionError as error:
        answered = f"no answer: {error}"
    # when it fails, the server's log says why (Rasa's SQL tracker store exits on any ValueError)
    why = [line for line in own_servers["log"].read_text(errors="replace").splitlines()
           if "Exiting application" in line or line.startswith(("UnicodeEncodeError", "SystemExit"))]
    assert answered in (200, 400), (answered, why)
    assert "The K visa is" in joined(rest_says(own_servers, f"after-{uuid.uuid4().hex}", FOLLOW_UP))
