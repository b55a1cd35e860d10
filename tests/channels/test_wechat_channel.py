"""The WeChat channel in process: a Sanic app with the channel registered the way Rasa registers it (route
/webhooks/wechat/webhook), on a loopback port, driven the way WeChat drives it (XML signed, and in safe mode
encrypted, with wechatpy's own helpers), with a bot we control on one side and the fake WeChat API
(tests/fakes/wechat_api.py) on the other."""
from __future__ import annotations

import asyncio
import base64
import logging
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any, Callable, Dict, List, Optional

import pytest
import requests
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto

from channels import erasure
from channels.wechat import WeChatChannel, WeChatSettings
from tests.channels.sanic_server import ChannelServer
from tests.fakes import wechat_api
from tests.fakes.wechat_api import (ACCOUNT, BILLION_LAUGHS, EXTERNAL_ENTITY, Platform, event_xml, media_xml,
                                    next_msg_id, signature, text_xml)


# --- the bot side -----------------------------------------------------------------------------------------

class Bot:
    """Stands in for Rasa's agent: records what it is given and answers with messages the test chose."""

    def __init__(self):
        self.received: List[Any] = []
        self.delay = 0.0
        self.answer: Callable[[str], List[Dict[str, Any]]] = lambda text: [{"text": f"You said: {text}"}]

    def texts(self) -> List[str]:
        return [m.text for m in self.received]

    async def __call__(self, message) -> None:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        for reply in self.answer(message.text):
            await message.output_channel.send_response(message.sender_id, dict(reply))


# --- the channel, served in process -----------------------------------------------------------------------

class Served(ChannelServer):
    """The channel served in process (tests/channels/sanic_server.py) with the bot behind it, and the WeChat
    platform that signs (and in safe mode encrypts) what it posts to it."""

    def __init__(self, channel: WeChatChannel, bot: Bot):
        super().__init__(channel, bot)
        self.bot = bot
        self.platform: Optional[Platform] = None  # known once the port is

    @property
    def url(self) -> str:
        return self.webhook_url


@pytest.fixture(scope="module")
def api():
    server = wechat_api.start()
    yield server
    server.stop()


@pytest.fixture
def start(api, monkeypatch):
    """start(safe=..., customer_service=..., **env) serves a channel built from those environment variables."""
    servers = ExitStack()

    def _start(safe: bool = False, customer_service: bool = True, **env: str):
        for name in ("WECHAT_TOKEN", "WECHAT_APPID", "WECHAT_SECRET", "WECHAT_AES_KEY", "WECHAT_API_URL",
                     "WECHAT_REPLY_TIMEOUT", "WECHAT_ALLOW_PLAINTEXT"):
            monkeypatch.delenv(name, raising=False)
        settings = {"WECHAT_TOKEN": uuid.uuid4().hex[:16], "WECHAT_API_URL": api.url}
        if customer_service or safe:
            settings["WECHAT_APPID"] = "wx" + uuid.uuid4().hex[:16]
        if customer_service:
            settings["WECHAT_SECRET"] = uuid.uuid4().hex
        if safe:
            settings["WECHAT_AES_KEY"] = base64.b64encode(os.urandom(32)).decode().rstrip("=")
        else:
            settings["WECHAT_ALLOW_PLAINTEXT"] = "1"
        settings.update(env)
        for name, value in settings.items():
            if value is not None:
                monkeypatch.setenv(name, value)
        server = servers.enter_context(Served(WeChatChannel.from_credentials(None), Bot()))
        token = os.environ.get("WECHAT_TOKEN", "")
        crypto = WeChatCrypto(token, settings["WECHAT_AES_KEY"], settings["WECHAT_APPID"]) if safe else None
        server.platform = Platform(server.url, token, crypto)
        return server

    with servers:
        yield _start


def openid() -> str:
    return "o" + uuid.uuid4().hex[:27]


# --- on and off ---------------------------------------------------------------------------------------------

def test_without_token_the_channel_has_no_routes_and_says_nothing(start, caplog):
    caplog.set_level(logging.DEBUG)
    served = start(WECHAT_TOKEN=None, WECHAT_APPID=None, WECHAT_SECRET=None)
    assert served.channel.settings is None
    assert [route for route in served.app.router.routes if "wechat" in route.path] == []
    assert requests.get(served.url, timeout=10).status_code == 404
    assert requests.post(served.url, data=text_xml(openid(), "hi"), timeout=10).status_code == 404
    assert [r for r in caplog.records if r.name.startswith("channels.")] == []
    assert served.bot.received == []


def test_settings_are_checked_when_the_channel_is_on():
    plain = {"WECHAT_TOKEN": "t", "WECHAT_ALLOW_PLAINTEXT": "1"}
    assert WeChatSettings.from_env(plain).reply_timeout == 4.5
    assert WeChatSettings.from_env({**plain, "WECHAT_REPLY_TIMEOUT": "2"}).reply_timeout == 2.0
    with pytest.raises(ValueError):
        WeChatSettings.from_env({**plain, "WECHAT_REPLY_TIMEOUT": "soon"})
    with pytest.raises(ValueError):  # safe mode needs the AppID that encrypted messages carry
        WeChatSettings.from_env({"WECHAT_TOKEN": "t", "WECHAT_AES_KEY": "k" * 43})
    with pytest.raises(ValueError):
        WeChatChannel(WeChatSettings(token="t", appid="wx1", aes_key="too-short"))


@pytest.mark.parametrize("allow", [None, "", "0", "yes"])
def test_without_an_aes_key_the_channel_refuses_to_start_unless_plaintext_is_allowed(allow):
    env = {"WECHAT_TOKEN": "t"} if allow is None else {"WECHAT_TOKEN": "t", "WECHAT_ALLOW_PLAINTEXT": allow}
    with pytest.raises(ValueError, match="WECHAT_AES_KEY.*WECHAT_ALLOW_PLAINTEXT=1"):
        WeChatSettings.from_env(env)
    with pytest.raises(ValueError, match="WECHAT_AES_KEY"):
        WeChatSettings(token="t")
    assert WeChatSettings.from_env({**env, "WECHAT_ALLOW_PLAINTEXT": "1"}).allow_plaintext


# --- signatures -----------------------------------------------------------------------------------------------

def test_server_verification_echoes_echostr_only_when_signed(start):
    served = start()
    params = {**served.platform.query(), "echostr": "4431256784231"}
    good = requests.get(served.url, params=params, timeout=10)
    assert (good.status_code, good.text) == (200, "4431256784231")
    bad = requests.get(served.url, params={**served.platform.query(good_signature=False), "echostr": "1"},
                       timeout=10)
    assert bad.status_code == 403 and "1" not in bad.text
    assert requests.get(served.url, params={"echostr": "1"}, timeout=10).status_code == 403


def test_server_verification_works_in_safe_mode_too(start):
    served = start(safe=True)
    params = {**served.platform.query(), "echostr": "abc"}
    assert requests.get(served.url, params=params, timeout=10).text == "abc"


def test_bad_signature_is_refused_before_the_body_is_read(start):
    served = start()
    response = served.platform.post(text_xml(openid(), "hello"), good_signature=False)
    assert response.status_code == 403
    unsigned = requests.post(served.url, data=text_xml(openid(), "hello"), timeout=10)
    assert unsigned.status_code == 403
    broken_and_unsigned = served.platform.post(b"<xml><not closed", good_signature=False)
    assert broken_and_unsigned.status_code == 403
    assert served.bot.received == []


def test_safe_mode_refuses_bad_signature_bad_msg_signature_and_plain_text(start):
    served = start(safe=True)
    user = openid()
    assert served.platform.post(text_xml(user, "hi"), good_signature=False).status_code == 403
    assert served.platform.post(text_xml(user, "hi"), good_msg_signature=False).status_code == 403
    # plain text with a good signature: refused, safe mode means encrypted only
    assert served.platform.post(text_xml(user, "hi"), safe=False).status_code == 403
    assert served.bot.received == []


@pytest.mark.parametrize("age", [301, -301, 3600, -86400 * 365])
def test_a_signature_older_or_ahead_by_more_than_five_minutes_gets_403(start, age):
    served = start(safe=True)
    user = openid()
    stale = served.platform.post(text_xml(user, "hi"), timestamp=int(time.time()) - age)
    assert stale.status_code == 403
    echo = requests.get(served.url, params={**served.platform.query(timestamp=int(time.time()) - age),
                                            "echostr": "1"}, timeout=10)
    assert echo.status_code == 403
    assert served.bot.received == []


@pytest.mark.parametrize("timestamp", ["", "soon", "1e9", "-5", "１２３"])
def test_a_timestamp_that_is_not_a_number_gets_403(start, timestamp):
    served = start()
    params = {"signature": signature(served.platform.token, timestamp, "n1"), "timestamp": timestamp, "nonce": "n1"}
    reply = requests.post(served.url, params=params, data=text_xml(openid(), "hi"), timeout=10)
    assert reply.status_code == 403
    assert served.bot.received == []


def test_a_signature_a_few_minutes_old_is_still_accepted(start):
    served = start(safe=True)
    assert served.platform.say(text_xml(openid(), "hi"), timestamp=int(time.time()) - 240) == "You said: hi"


@pytest.mark.parametrize("safe", [False, True])
def test_a_nonce_reused_for_another_message_gets_403_and_a_retry_with_it_gets_the_same_reply(start, safe):
    served = start(safe=safe)
    user, nonce, msg_id = openid(), uuid.uuid4().hex[:10], next_msg_id()
    first = text_xml(user, "what is the K visa?", msg_id)
    assert served.platform.say(first, nonce=nonce) == "You said: what is the K visa?"
    assert served.platform.say(first, nonce=nonce) == "You said: what is the K visa?"  # WeChat's retry
    forged = served.platform.post(text_xml(openid(), "I'm 29, am I eligible?"), nonce=nonce)
    assert forged.status_code == 403
    other_user_same_msg_id = served.platform.post(text_xml(openid(), "what is the K visa?", msg_id), nonce=nonce)
    assert other_user_same_msg_id.status_code == 403
    assert served.bot.texts() == ["what is the K visa?"]
    assert served.platform.say(text_xml(user, "next"), nonce=uuid.uuid4().hex[:10]) == "You said: next"


def test_one_users_msg_id_never_fetches_another_users_reply(start):
    served = start()
    msg_id = next_msg_id()
    assert served.platform.say(text_xml(openid(), "mine", msg_id)) == "You said: mine"
    assert served.platform.say(text_xml(openid(), "theirs", msg_id)) == "You said: theirs"


def test_the_server_check_refuses_a_nonce_already_used(start):
    served = start()
    params = served.platform.query()
    assert requests.get(served.url, params={**params, "echostr": "a1"}, timeout=10).text == "a1"
    assert requests.get(served.url, params={**params, "echostr": "a1"}, timeout=10).text == "a1"
    assert requests.get(served.url, params={**params, "echostr": "b2"}, timeout=10).status_code == 403


# --- passive replies ------------------------------------------------------------------------------------------

def test_plain_text_gets_a_passive_reply_addressed_back_to_the_user(start):
    served = start()
    user = openid()
    fields = served.platform.reply(served.platform.post(text_xml(user, "am I eligible?")))
    assert fields["ToUserName"] == user and fields["FromUserName"] == ACCOUNT
    assert fields["MsgType"] == "text" and fields["Content"] == "You said: am I eligible?"
    [message] = served.bot.received
    assert (message.text, message.sender_id, message.input_channel) == ("am I eligible?", f"wx:{user}", "wechat")


def test_safe_mode_reply_is_encrypted_and_decrypts_with_wechatpy(start):
    served = start(safe=True)
    user = openid()
    response = served.platform.post(text_xml(user, "Zürich 你好"))
    root = fromstring(response.content)
    assert root.findtext("Encrypt") and "You said" not in response.text
    fields = served.platform.reply(response)
    assert fields["ToUserName"] == user and fields["FromUserName"] == ACCOUNT
    assert fields["Content"] == "You said: Zürich 你好"


def test_cdata_end_in_an_answer_does_not_break_the_reply(start):
    served = start()
    served.bot.answer = lambda text: [{"text": "a]]>b <c> & d"}]
    assert served.platform.say(text_xml(openid(), "x")) == "a]]>b <c> & d"


# --- slow answers, retries ------------------------------------------------------------------------------------

def test_slow_answer_gets_success_then_a_customer_service_message(start, api):
    served = start(WECHAT_REPLY_TIMEOUT="0.3")
    served.bot.delay = 1.5
    user, mark = openid(), len(api.snapshot())
    assert served.platform.post(text_xml(user, "slow question")).text == "success"
    api.wait_for(lambda calls: api.sent_texts(user, mark))
    assert api.sent_texts(user, mark) == ["You said: slow question"]
    assert served.bot.texts() == ["slow question"]


def test_without_customer_service_a_slow_answer_gets_a_short_note(start, api):
    served = start(customer_service=False, WECHAT_REPLY_TIMEOUT="0.3")
    served.bot.delay = 1.0
    mark = len(api.snapshot())
    text = served.platform.say(text_xml(openid(), "slow"))
    assert text and "longer than usual" in text
    assert api.since(mark) == []


def test_retries_of_a_message_reach_the_bot_once_and_get_the_same_reply(start):
    served = start()
    served.bot.delay = 0.8
    user, msg_id = openid(), next_msg_id()
    xml = text_xml(user, "what is the K visa?", msg_id)
    with ThreadPoolExecutor(2) as pool:  # a retry while the first try is still being answered
        replies = list(pool.map(lambda _: served.platform.say(xml), range(2)))
    replies.append(served.platform.say(xml))  # and one after it was answered
    assert replies == ["You said: what is the K visa?"] * 3
    assert served.bot.texts() == ["what is the K visa?"]
    # another message with its own MsgId is a new message
    assert served.platform.say(text_xml(user, "what is the K visa?")) == "You said: what is the K visa?"
    assert len(served.bot.received) == 2


def test_retry_after_a_customer_service_push_pushes_nothing_twice(start, api):
    served = start(WECHAT_REPLY_TIMEOUT="0.2")
    served.bot.delay = 0.8
    user, msg_id, mark = openid(), next_msg_id(), len(api.snapshot())
    xml = text_xml(user, "slow", msg_id)
    assert served.platform.post(xml).text == "success"
    api.wait_for(lambda calls: api.sent_texts(user, mark))
    assert served.platform.post(xml).text == "success"
    assert api.sent_texts(user, mark) == ["You said: slow"]
    assert len(served.bot.received) == 1


def test_retry_while_the_push_is_pending_is_not_answered_twice(start, api):
    served = start(WECHAT_REPLY_TIMEOUT="0.3")
    served.bot.delay = 1.0
    user, msg_id, mark = openid(), next_msg_id(), len(api.snapshot())
    xml = text_xml(user, "slow", msg_id)
    assert served.platform.post(xml).text == "success"
    assert served.platform.post(xml).text == "success"  # while the bot is still busy
    api.wait_for(lambda calls: api.sent_texts(user, mark))
    assert served.platform.post(xml).text == "success"  # and after
    assert api.sent_texts(user, mark) == ["You said: slow"]
    assert len(served.bot.received) == 1


def test_events_are_deduplicated_by_sender_and_create_time(start):
    served = start()
    served.bot.answer = lambda text: [{"text": "Welcome!"}]
    user, created = openid(), int(time.time())
    assert served.platform.say(event_xml(user, "subscribe", created)) == "Welcome!"
    assert served.platform.say(event_xml(user, "subscribe", created)) == "Welcome!"
    assert served.bot.texts() == ["/greet"]


# --- what the answers look like -------------------------------------------------------------------------------

def _degree_question(text):
    if text.startswith("/inform"):
        return [{"text": f"Noted: {text}"}]
    return [{"text": "What is your highest degree?", "buttons": [
        {"title": "Bachelor's", "payload": '/inform{"degree": "bachelor"}'},
        {"title": "Doctorate (PhD)", "payload": '/inform{"degree": "doctorate"}'}]}]


def test_buttons_become_numbered_options_answered_by_number(start):
    served = start()
    served.bot.answer = _degree_question
    user = openid()
    question = served.platform.say(text_xml(user, "am I eligible?"))
    assert question == ("What is your highest degree?\n1. Bachelor's\n2. Doctorate (PhD)\n\n"
                        "Reply with the number.")
    assert served.platform.say(text_xml(user, "2")) == 'Noted: /inform{"degree": "doctorate"}'
    assert served.bot.texts()[-1] == '/inform{"degree": "doctorate"}'
    # that answer offered no options, so a number is now just a number (e.g. an age)
    served.platform.say(text_xml(user, "2"))
    assert served.bot.texts()[-1] == "2"


def test_numbers_outside_the_options_and_other_users_are_passed_through(start):
    served = start()
    served.bot.answer = _degree_question
    user, other = openid(), openid()
    served.platform.say(text_xml(user, "am I eligible?"))
    served.platform.say(text_xml(user, "3"))
    assert served.bot.texts()[-1] == "3"
    served.platform.say(text_xml(other, "1"))  # options are remembered per user
    assert served.bot.texts()[-1] == "1"


def test_the_verdict_card_is_not_shown_as_json(start):
    served = start()
    card = {"type": "kvisa_verdict", "verdict": "likely_eligible",
            "criteria": [{"criterion": "age", "result": "met", "reason": "age_in_range", "certainty": "reported"}],
            "caveats": ["c"], "next_steps": ["n"], "policy_version": "1"}
    served.bot.answer = lambda text: [{"text": "Likely eligible: all four criteria are met."}, {"custom": card},
                                      {"text": "Anything else?", "buttons": [{"title": "Start over",
                                                                            "payload": "/start_over"}]}]
    text = served.platform.say(text_xml(openid(), "I'm 29 with a PhD"))
    assert text == ("Likely eligible: all four criteria are met.\n\nAnything else?\n1. Start over\n\n"
                    "Reply with the number.")


def test_subscribe_gets_the_bots_welcome_and_other_events_get_success(start):
    served = start()
    served.bot.answer = lambda text: [{"text": "Hello! I'm the K-visa assistant."}] if text == "/greet" else []
    user = openid()
    assert served.platform.say(event_xml(user, "subscribe")) == "Hello! I'm the K-visa assistant."
    for event in ("unsubscribe", "CLICK", "VIEW", "LOCATION"):
        assert served.platform.post(event_xml(user, event)).text == "success"
    assert served.bot.texts() == ["/greet"]


@pytest.mark.parametrize("kind", ["image", "voice", "video", "location", "link"])
def test_media_get_a_short_text_without_reaching_the_bot(start, kind):
    served = start(safe=True)
    text = served.platform.say(media_xml(openid(), kind))
    assert text and "text messages" in text and len(text) < 200
    assert served.bot.received == []


def _long_answer(text):
    paragraph = "签证" * 150  # 900 bytes of UTF-8 per paragraph
    return [{"text": "\n\n".join(f"{n} {paragraph}" for n in range(1, 7))}]  # about 5.4 KB


def _wechat_bytes(text):
    return len(text.encode("utf-8"))


def test_long_answer_is_split_passive_part_first_rest_through_customer_service(start, api):
    served = start()
    served.bot.answer = _long_answer
    user, mark = openid(), len(api.snapshot())
    first = served.platform.say(text_xml(user, "tell me everything"))
    assert _wechat_bytes(first) <= 2048 and first.startswith("1 签证")
    api.wait_for(lambda calls: "6 签证" in "".join(api.sent_texts(user, mark)))
    rest = api.sent_texts(user, mark)
    assert all(_wechat_bytes(t) <= 2048 for t in rest)
    whole = _long_answer("")[0]["text"]
    assert "\n\n".join([first] + rest) == whole


def test_long_answer_without_customer_service_is_cut_with_a_note(start, api):
    served = start(customer_service=False)
    served.bot.answer = _long_answer
    mark = len(api.snapshot())
    text = served.platform.say(text_xml(openid(), "tell me everything"))
    assert _wechat_bytes(text) <= 2048 and text.startswith("1 签证") and text.endswith("has been shortened.)")
    assert api.since(mark) == []


# --- malformed and hostile bodies --------------------------------------------------------------------------

HOSTILE = {
    "not xml": "hello",
    "unclosed": "<xml><ToUserName>a</ToUserName>",
    "empty": "",
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "doctype only": f'<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/x.dtd">{text_xml("o1", "hi")}',
    "other root": text_xml("o1", "hi").replace("<xml>", "<msg>").replace("</xml>", "</msg>"),
    "no MsgType": f"<xml><ToUserName>a</ToUserName><FromUserName>o1</FromUserName></xml>",
    "oversized": text_xml("o1", "x" * (70 * 1024)),
    "latin-1": text_xml("o1", "caf\u00e9").encode("latin-1"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_plain_bodies_get_400_and_never_reach_the_bot(start, name):
    served = start()
    response = served.platform.post(HOSTILE[name])
    assert response.status_code == 400, response.text
    assert served.bot.received == []
    assert served.platform.say(text_xml(openid(), "still there?")) == "You said: still there?"


@pytest.mark.parametrize("name", ["billion laughs", "external entity", "not xml", "no MsgType"])
def test_hostile_xml_inside_a_correctly_encrypted_message_gets_400(start, name):
    served = start(safe=True)
    response = served.platform.post(HOSTILE[name])
    assert response.status_code == 400, response.text
    assert served.bot.received == []
    assert served.platform.say(text_xml(openid(), "still there?")) == "You said: still there?"


@pytest.mark.parametrize("envelope", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><Encrypt>",
                                      "<xml><Encrypt>not base64!</Encrypt></xml>",
                                      "<xml><ToUserName>a</ToUserName></xml>"])
def test_hostile_safe_mode_envelopes_get_400(start, envelope):
    served = start(safe=True)
    encrypted = "not base64!" if "not base64" in envelope else ""
    response = served.platform.post_envelope(envelope, encrypted)
    assert response.status_code == 400, response.text
    assert served.bot.received == []


# --- the customer-service API's access token ---------------------------------------------------------------

def test_access_token_is_fetched_once_and_again_when_wechat_rejects_it(start, api):
    served = start(WECHAT_REPLY_TIMEOUT="0.2")
    served.bot.delay = 0.5
    user, mark = openid(), len(api.snapshot())
    for n in range(3):
        assert served.platform.post(text_xml(user, f"question {n}")).text == "success"
        api.wait_for(lambda calls: len(api.sent_texts(user, mark)) == n + 1)
    token_calls = api.token_calls(mark)
    assert len(token_calls) == 1
    assert token_calls[0].query["appid"] == os.environ["WECHAT_APPID"]
    assert token_calls[0].query["secret"] == os.environ["WECHAT_SECRET"]

    api.revoke_tokens()  # WeChat now answers 40001 for the cached token
    assert served.platform.post(text_xml(user, "question 3")).text == "success"
    api.wait_for(lambda calls: len(api.sent_texts(user, mark)) == 4)
    assert len(api.token_calls(mark)) == 2
    sends = [c for c in api.since(mark) if c.path == wechat_api.SEND_PATH]
    assert [c.json["text"]["content"] for c in sends[-2:]] == ["You said: question 3"] * 2  # refused, then resent
    assert sends[-2].query["access_token"] != sends[-1].query["access_token"]
    assert api.sent_texts(user, mark) == [f"You said: question {n}" for n in range(4)]


# --- customer-service messages that fail ------------------------------------------------------------------

def test_a_push_that_fails_is_tried_again_with_back_off_and_arrives_once(start, api):
    served = start(WECHAT_REPLY_TIMEOUT="0.2")
    served.channel.push_retry_delays = (0.1, 0.2, 0.4)
    served.bot.delay = 0.5
    user, mark = openid(), len(api.snapshot())
    api.fail_sends(2)  # WeChat is busy (-1) twice
    assert served.platform.post(text_xml(user, "slow question")).text == "success"
    api.wait_for(lambda calls: api.sent_texts(user, mark), timeout=10)
    assert api.sent_texts(user, mark) == ["You said: slow question"]
    sends = [c for c in api.since(mark) if c.path == wechat_api.SEND_PATH]
    assert len(sends) == 3


def test_a_push_is_given_up_after_the_last_try_and_logged(start, api, caplog):
    served = start(WECHAT_REPLY_TIMEOUT="0.2")
    served.channel.push_retry_delays = (0.1, 0.1)
    served.bot.delay = 0.5
    user, mark = openid(), len(api.snapshot())
    api.fail_sends(10)
    assert served.platform.post(text_xml(user, "slow question")).text == "success"
    api.wait_for(lambda calls: "not sent after 3 attempt(s)" in caplog.text, timeout=10)
    assert len([c for c in api.since(mark) if c.path == wechat_api.SEND_PATH]) == 3
    api.fail_sends(0)


def test_a_push_refused_for_good_is_not_tried_again(start, api, caplog):
    served = start(WECHAT_REPLY_TIMEOUT="0.2")
    served.channel.push_retry_delays = (0.1, 0.1)
    served.bot.delay = 0.5
    user, mark = openid(), len(api.snapshot())
    api.fail_sends(1, errcode=45015, errmsg="response out of time limit or subscription is canceled")
    assert served.platform.post(text_xml(user, "slow question")).text == "success"
    api.wait_for(lambda calls: "not sent after 1 attempt(s)" in caplog.text, timeout=10)
    time.sleep(0.5)
    assert len([c for c in api.since(mark) if c.path == wechat_api.SEND_PATH]) == 1


def test_an_erased_conversation_loses_its_numbered_options_and_remembered_replies(start):
    served = start()
    served.bot.answer = _degree_question
    user, other, msg_id = openid(), openid(), next_msg_id()
    served.platform.say(text_xml(user, "am I eligible?", msg_id))
    served.platform.say(text_xml(other, "am I eligible?"))
    erasure.erased(f"wx:{user}")
    served.platform.say(text_xml(user, "2"))
    assert served.bot.texts()[-1] == "2"  # the options are gone
    served.platform.say(text_xml(user, "am I eligible?", msg_id))  # a late retry is a new message now
    assert served.bot.texts().count("am I eligible?") == 3
    served.platform.say(text_xml(other, "2"))  # another user's options are kept
    assert served.bot.texts()[-1] == '/inform{"degree": "doctorate"}'


def test_the_message_that_erases_the_conversation_still_gets_its_answer(start):
    served = start()
    user = openid()
    served.platform.say(text_xml(user, "hello"))

    def erase_then_answer(text):
        erasure.erased(f"wx:{user}")  # as channels/forget.py does while answering "yes"
        return [{"text": "Done: deleted."}]

    served.bot.answer = erase_then_answer
    assert served.platform.say(text_xml(user, "yes")) == "Done: deleted."
