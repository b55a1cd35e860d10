"""WeChat end to end: the real Rasa and action servers (tests/e2e/conftest.py) in safe mode (WECHAT_AES_KEY
set), sent messages the way WeChat's servers send them (tests/fakes/wechat_api.Platform), with the fake WeChat
API receiving what the channel pushes through the customer-service API."""
import uuid

import pytest
import requests
from wechatpy.crypto import WeChatCrypto

from tests.fakes.wechat_api import BILLION_LAUGHS, Platform, next_msg_id, text_xml


@pytest.fixture
def platform(servers, channel_settings):
    crypto = WeChatCrypto(channel_settings["WECHAT_TOKEN"], channel_settings["WECHAT_AES_KEY"],
                          channel_settings["WECHAT_APPID"])
    return Platform(f"{servers['base']}/webhooks/wechat/webhook", channel_settings["WECHAT_TOKEN"], crypto)


class User:
    """One WeChat user (openid) talking to the assistant."""

    def __init__(self, platform, api):
        self.openid = "o" + uuid.uuid4().hex[:27]
        self.platform, self.api = platform, api

    def say(self, text, msg_id=None):
        """The assistant's answer: the passive reply, or (when the assistant took longer than WeChat waits)
        what it pushed through the customer-service API instead."""
        mark = len(self.api.snapshot())
        reply = self.platform.say(text_xml(self.openid, text, msg_id))
        if reply is not None:
            return reply
        calls = self.api.wait_for(lambda calls: self.api.sent_texts(self.openid, mark), timeout=60)
        assert calls
        return "\n\n".join(self.api.sent_texts(self.openid, mark))

    def tracker(self, servers):
        reply = requests.get(f"{servers['base']}/conversations/wx:{self.openid}/tracker",
                             params={"token": servers["token"]}, timeout=30)
        assert reply.status_code == 200, reply.text
        return reply.json()


def test_server_verification(servers, platform):
    good = requests.get(platform.url, params={**platform.query(), "echostr": "e2e-echo"}, timeout=10)
    assert (good.status_code, good.text) == (200, "e2e-echo")
    bad = requests.get(platform.url, params={**platform.query(good_signature=False), "echostr": "x"}, timeout=10)
    assert bad.status_code == 403


def test_encrypted_profile_gets_an_encrypted_verdict_without_raw_json(servers, platform, wechat_api_server):
    user = User(platform, wechat_api_server)
    answer = user.say("I'm 29 with a PhD in physics from ETH Zurich, am I eligible?")
    assert "Likely eligible" in answer
    assert "kvisa_verdict" not in answer and '"criteria"' not in answer
    assert user.tracker(servers)["latest_message"]["text"].startswith("I'm 29")


def test_numbered_option_answers_the_question(servers, platform, wechat_api_server):
    user = User(platform, wechat_api_server)
    assert "How old are you" in user.say("am I eligible?")
    degree = user.say("30")
    assert "3. Doctorate (PhD)" in degree and "Reply with the number." in degree
    assert "study" in user.say("3").lower()
    assert user.tracker(servers)["slots"]["degree"] == "doctorate"


def test_bad_signature_gets_403(servers, platform):
    user = "o" + uuid.uuid4().hex[:27]
    assert platform.post(text_xml(user, "hi"), good_signature=False).status_code == 403
    assert platform.post(text_xml(user, "hi"), good_msg_signature=False).status_code == 403
    assert platform.post(text_xml(user, "hi"), safe=False).status_code == 403  # safe mode: encrypted only


def test_billion_laughs_gets_400_and_the_server_stays_up(servers, platform, wechat_api_server):
    assert platform.post_envelope(BILLION_LAUGHS).status_code == 400  # as the envelope
    assert platform.post(BILLION_LAUGHS).status_code == 400  # inside a correctly signed, encrypted envelope
    assert requests.get(servers["base"], timeout=10).ok
    assert User(platform, wechat_api_server).say("hello")


def test_retry_of_the_same_message_gets_the_same_reply_and_one_turn(servers, platform, wechat_api_server):
    user = User(platform, wechat_api_server)
    msg_id, mark = next_msg_id(), len(wechat_api_server.snapshot())
    first = platform.say(text_xml(user.openid, "what is the K visa?", msg_id))
    retry = platform.say(text_xml(user.openid, "what is the K visa?", msg_id))
    assert retry == first
    if first is None:  # slower than WeChat waits: answered through the customer-service API, once
        wechat_api_server.wait_for(lambda calls: wechat_api_server.sent_texts(user.openid, mark), timeout=60)
        assert len(wechat_api_server.sent_texts(user.openid, mark)) == 1
    else:
        assert "K visa" in first
    texts = [e["text"] for e in user.tracker(servers)["events"] if e["event"] == "user"]
    assert texts == ["what is the K visa?"]
