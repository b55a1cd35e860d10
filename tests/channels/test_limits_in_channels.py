"""Every channel refuses, politely and without reaching the assistant, a message over 2,000 characters and a
sender (or REST client address) over its rate limit; everybody else is served meanwhile. The channels run in
process (tests/channels/sanic_server.py) with their own Admission, so that the limits are small."""
from __future__ import annotations

import uuid

import pytest
import requests

from channels import messages
from channels.admission import Admission
from channels.client_address import TrustedProxies
from channels.rest import CheckedRestInput
from channels.telegram import TelegramChannel, TelegramSettings
from channels.wechat import WeChatChannel, WeChatSettings
from tests.channels import test_telegram_channel as telegram_tests
from tests.channels import test_wechat_channel as wechat_tests
from tests.channels.sanic_server import ChannelServer
from tests.channels.test_rest_channel import Bot as RestBot
from tests.fakes import telegram_bot_api, wechat_api
from tests.fakes.telegram_bot_api import texts_sent
from tests.fakes.wechat_api import Platform, next_msg_id, text_xml

TOO_LONG = messages.text("too_long", limit=2000)
RATE_LIMITED = messages.text("rate_limited")


# --- REST --------------------------------------------------------------------------------------------------

def rest_server(admission):
    bot = RestBot()
    server = ChannelServer(CheckedRestInput(admission=admission), bot)
    server.bot = bot
    return server


def say(server, sender, text, **headers):
    return requests.post(server.webhook_url, json={"sender": sender, "message": text}, headers=headers, timeout=30)


def test_rest_a_long_message_gets_the_polite_reply_and_reaches_nobody():
    with rest_server(Admission(0, 0)) as server:
        refused = say(server, "a", "I am 29. " + "x" * 2000)
        assert refused.status_code == 200
        assert refused.json() == [{"recipient_id": "a", "text": TOO_LONG}]
        assert server.bot.messages == []
        assert say(server, "a", "x" * 2000).json()[0]["text"].startswith("you said: ")


def test_rest_a_sender_over_its_limit_gets_429_and_others_are_served():
    with rest_server(Admission(per_sender=2, per_ip=0)) as server:
        assert [say(server, "a", "hi").status_code for _ in range(2)] == [200, 200]
        refused = say(server, "a", "hi")
        assert refused.status_code == 429 and refused.json() == [{"recipient_id": "a", "text": RATE_LIMITED}]
        assert say(server, "b", "hi").status_code == 200
        assert [m.sender_id for m in server.bot.messages] == ["rest:a", "rest:a", "rest:b"]


def test_rest_the_address_limit_holds_across_senders_and_forwarded_for_is_believed_only_from_the_proxy():
    proxies = TrustedProxies.from_env({"TRUSTED_PROXIES": "127.0.0.1"})
    with rest_server(Admission(per_sender=0, per_ip=2, proxies=proxies)) as server:
        client = {"X-Forwarded-For": "203.0.113.9"}
        assert say(server, "a", "hi", **client).status_code == 200
        assert say(server, "b", "hi", **client).status_code == 200
        assert say(server, "c", "hi", **client).status_code == 429  # a new sender id does not help
        assert say(server, "d", "hi", **{"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    with rest_server(Admission(per_sender=0, per_ip=2)) as server:  # no trusted proxy: the header is ignored
        codes = [say(server, str(n), "hi", **{"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)]
        assert codes == [200, 200, 429]


# --- Telegram ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def telegram_api():
    server = telegram_bot_api.start()
    yield server
    server.stop()


def telegram_channel(api, admission):
    settings = TelegramSettings(f"{telegram_bot_api.BOT_ID}:{uuid.uuid4().hex}", "kvisa_test_bot",
                                "https://bot.example.org/webhooks/telegram/webhook", telegram_tests.SECRET, api.url)
    return TelegramChannel(settings, admission=admission)


def test_telegram_a_long_message_gets_the_polite_reply_and_reaches_nobody(telegram_api):
    bot = telegram_tests.Bot(telegram_tests.echo)
    chat_id = telegram_tests.chat()
    with telegram_tests.Running(telegram_channel(telegram_api, Admission(0, 0)), bot) as running:
        mark = len(telegram_api.snapshot())
        assert running.post(telegram_tests.text_update(chat_id, "y" * 2001)).status_code == 200
        assert texts_sent(telegram_api.since(mark), chat_id) == [TOO_LONG]
    assert bot.messages == []


def test_telegram_a_flood_is_told_once_and_other_chats_are_served(telegram_api):
    bot = telegram_tests.Bot(telegram_tests.echo)
    flooder, other = telegram_tests.chat(), telegram_tests.chat()
    with telegram_tests.Running(telegram_channel(telegram_api, Admission(per_sender=2, per_ip=0)), bot) as running:
        mark = len(telegram_api.snapshot())
        for n in range(5):
            assert running.post(telegram_tests.text_update(flooder, f"message {n}")).status_code == 200
        running.post(telegram_tests.text_update(other, "hello"))
        calls = telegram_api.since(mark)
    assert texts_sent(calls, flooder) == ["you said: message 0", "you said: message 1", RATE_LIMITED]
    assert texts_sent(calls, other) == ["you said: hello"]
    assert bot.texts == ["message 0", "message 1", "hello"]


# --- WeChat ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wechat_fake():
    server = wechat_api.start()
    yield server
    server.stop()


def wechat_served(fake, admission):
    token = uuid.uuid4().hex[:16]
    channel = WeChatChannel(WeChatSettings(token=token, api_url=fake.url, allow_plaintext=True),
                            admission=admission)
    served = wechat_tests.Served(channel, wechat_tests.Bot())
    return served, token


def test_wechat_a_long_message_gets_the_polite_passive_reply_and_a_retry_gets_it_again(wechat_fake):
    served, token = wechat_served(wechat_fake, Admission(per_sender=2, per_ip=0))
    with served:
        platform = Platform(served.url, token)
        user, msg_id = wechat_tests.openid(), next_msg_id()
        xml = text_xml(user, "z" * 2001, msg_id)
        assert platform.say(xml) == TOO_LONG
        assert platform.say(xml) == TOO_LONG  # WeChat's retry: same answer, not counted again
        assert served.bot.received == []
        # the long message counted once (a refused retry is not counted again), so this is the second of two
        assert platform.say(text_xml(user, "hello")) == "You said: hello"


def test_wechat_a_sender_over_its_limit_gets_the_polite_reply(wechat_fake):
    served, token = wechat_served(wechat_fake, Admission(per_sender=2, per_ip=0))
    with served:
        platform = Platform(served.url, token)
        user, other = wechat_tests.openid(), wechat_tests.openid()
        replies = [platform.say(text_xml(user, f"q{n}")) for n in range(3)]
        assert replies == ["You said: q0", "You said: q1", RATE_LIMITED]
        assert platform.say(text_xml(other, "hi")) == "You said: hi"
        assert served.bot.texts() == ["q0", "q1", "hi"]
