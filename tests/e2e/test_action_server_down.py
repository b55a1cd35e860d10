"""The real Rasa server (scripts/run.sh, servers of their own on other ports) with its action endpoint pointing
where nothing answers, as when the action server is down: on every channel the user is told that something
went wrong, instead of silence, and Rasa keeps serving."""
import json
import socket
import threading
import time
import uuid

import pytest
import requests
import socketio

from channels import messages
from tests.e2e.conftest import running_servers
from tests.fakes.telegram_bot_api import calls_to
from tests.fakes.wechat_api import Platform, text_xml
from wechatpy.crypto import WeChatCrypto

PROFILE = "I'm 29 with a PhD in physics from ETH Zurich, am I eligible?"
APOLOGY = messages.text("something_went_wrong")
WAIT = 60


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def down(tmp_path_factory, channel_settings):
    nowhere = f"http://127.0.0.1:{free_port()}/webhook"
    with running_servers(tmp_path_factory.mktemp("action-down"), channel_settings, 15105, 15155, 18180,
                         ACTION_ENDPOINT_URL=nowhere) as found:
        yield found


def test_rest_gets_the_apology(down):
    reply = requests.post(f"{down['base']}/webhooks/rest/webhook",
                          json={"sender": uuid.uuid4().hex, "message": PROFILE}, timeout=WAIT)
    assert reply.status_code == 200
    assert APOLOGY in [m.get("text") for m in reply.json()], reply.json()
    assert requests.get(down["base"], timeout=10).ok


def test_telegram_gets_the_apology(down, channel_settings, telegram_api):
    chat_id = 700000000 + int(time.time()) % 100000
    mark = len(telegram_api.snapshot())
    update = {"update_id": int(time.time() * 1000) % 2_000_000_000, "message": {
        "message_id": 1, "date": int(time.time()), "text": PROFILE,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ada"},
        "chat": {"id": chat_id, "first_name": "Ada", "type": "private"}}}
    # the fake Bot API answers every server started against it; this one registers its own webhook URL
    reply = requests.post(f"{down['base']}/webhooks/telegram/webhook", data=json.dumps(update), timeout=WAIT,
                          headers={"Content-Type": "application/json",
                                   "X-Telegram-Bot-Api-Secret-Token": channel_settings["TELEGRAM_SECRET_TOKEN"]})
    assert reply.status_code == 200
    sent = [p["text"] for p in calls_to(telegram_api.since(mark), "sendMessage") if str(p["chat_id"]) == str(chat_id)]
    assert APOLOGY in sent, sent


def test_wechat_gets_the_apology(down, channel_settings, wechat_api_server):
    crypto = WeChatCrypto(channel_settings["WECHAT_TOKEN"], channel_settings["WECHAT_AES_KEY"],
                          channel_settings["WECHAT_APPID"])
    platform = Platform(f"{down['base']}/webhooks/wechat/webhook", channel_settings["WECHAT_TOKEN"], crypto)
    openid = "o" + uuid.uuid4().hex[:27]
    mark = len(wechat_api_server.snapshot())
    answer = platform.say(text_xml(openid, PROFILE))
    if answer is None:  # slower than WeChat waits: it came through the customer-service API
        wechat_api_server.wait_for(lambda calls: wechat_api_server.sent_texts(openid, mark), timeout=WAIT)
        answer = "\n\n".join(wechat_api_server.sent_texts(openid, mark))
    assert APOLOGY in answer, answer


def test_socketio_gets_the_apology(down):
    replies, confirmed = [], []
    arrived = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("session_confirm", lambda data: confirmed.append(data) or arrived.set())
    client.on("bot_uttered", lambda data: replies.append(data))
    client.connect(down["base"], transports=["polling"], socketio_path="/socket.io", wait_timeout=20)
    try:
        client.emit("session_request", {"session_id": None})
        assert arrived.wait(20)
        client.emit("user_uttered", {"message": PROFILE, "session_id": confirmed[0]})
        deadline = time.time() + WAIT
        while APOLOGY not in [r.get("text") for r in replies] and time.time() < deadline:
            time.sleep(0.2)
    finally:
        client.disconnect()
    assert APOLOGY in [r.get("text") for r in replies], replies
