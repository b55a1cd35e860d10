"""Attacks on the real servers (tests/e2e/conftest.py): conversations of one channel cannot be reached from
another, and a socket.io connection is bound to the one session the server gave it."""
import itertools
import json
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.fakes.telegram_bot_api import calls_to

WAIT = 60  # seconds to wait for an answer that must come (the first turns load models lazily)
PROFILE = "Hi! I'm 29 with a PhD in physics from ETH Zurich. Am I eligible for the K visa?"
_ids = itertools.count(int(time.time()) % 100000 * 1000 + 7)


def telegram_says(servers, settings, chat_id, text):
    update = {"update_id": next(_ids), "message": {
        "message_id": next(_ids), "date": int(time.time()), "text": text,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ada"},
        "chat": {"id": chat_id, "first_name": "Ada", "type": "private"}}}
    reply = requests.post(f"{servers['base']}/webhooks/telegram/webhook", data=json.dumps(update),
                          headers={"Content-Type": "application/json",
                                   "X-Telegram-Bot-Api-Secret-Token": settings["TELEGRAM_SECRET_TOKEN"]},
                          timeout=WAIT)
    assert reply.status_code == 200, reply.text


def rest_says(servers, sender, text):
    reply = requests.post(f"{servers['base']}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                          timeout=WAIT)
    assert reply.status_code == 200, reply.text
    return reply.json()


def joined(messages):
    return "\n".join(m.get("text", "") for m in messages if isinstance(m, dict))


class Widget:
    """One browser tab speaking socket.io the way rasa-webchat does."""

    def __init__(self, servers):
        self.confirmed, self.replies = [], []
        self.events = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("session_confirm", lambda data: self._record(self.confirmed, data))
        self.client.on("bot_uttered", lambda data: self._record(self.replies, data))
        self.client.connect(servers["base"], transports=["polling"], socketio_path="/socket.io", wait_timeout=20)

    def _record(self, into, data):
        with self.events:
            into.append(data)
            self.events.notify_all()

    def wait_for(self, condition):
        with self.events:
            assert self.events.wait_for(condition, WAIT), (self.confirmed, self.replies)

    def session(self, stored=None):
        count = len(self.confirmed)
        self.client.emit("session_request", {"session_id": stored})
        self.wait_for(lambda: len(self.confirmed) > count)
        return self.confirmed[-1]

    def say(self, text, token):
        """Sends a message and waits for the turn's answer (its last message offers buttons or is a question)."""
        count = len(self.replies)
        self.client.emit("user_uttered", {"message": text, "session_id": token})
        self.wait_for(lambda: len(self.replies) > count)
        time.sleep(1.5)  # the rest of the turn
        return self.replies[count:]

    def close(self):
        self.client.disconnect()


@pytest.fixture
def widgets(servers):
    made = []
    yield lambda: made.append(Widget(servers)) or made[-1]
    for widget in made:
        widget.close()


def tracker(servers, conversation_id):
    reply = requests.get(f"{servers['base']}/conversations/{conversation_id}/tracker",
                         params={"token": servers["token"]}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_telegram_profile_cannot_be_read_over_rest_or_socketio(servers, channel_settings, telegram_api,
                                                                  widgets):
    """The issue's reproduction: a profile sent on Telegram for chat 4243, then REST sender "4243"."""
    mark = len(telegram_api.snapshot())
    telegram_says(servers, channel_settings, 4243, PROFILE)
    sent = [p["text"] for p in calls_to(telegram_api.since(mark), "sendMessage") if str(p["chat_id"]) == "4243"]
    assert "Likely eligible" in "\n".join(sent), sent  # the profile is really stored for that chat
    assert tracker(servers, "tg:4243")["slots"]["institution"]

    for sender in ("4243", "tg:4243", " 4243", "telegram:4243"):
        answer = rest_says(servers, sender, "am I eligible?")
        assert "Likely eligible" not in joined(answer) and "ETH" not in joined(answer), (sender, answer)
        assert "How old are you" in joined(answer), (sender, answer)
        assert not any(isinstance(m.get("custom"), dict) for m in answer), (sender, answer)

    for asked in ("4243", "tg:4243", "rest:4243"):
        widget = widgets()
        token = widget.session(asked)
        assert token != asked
        answer = widget.say("am I eligible?", token)
        assert "Likely eligible" not in joined(answer) and "How old are you" in joined(answer), (asked, answer)
    assert tracker(servers, "tg:4243")["slots"]["age"] == "29"  # the Telegram user's answers are untouched


def test_a_socketio_reload_resumes_only_its_own_signed_session(servers, widgets):
    first = widgets()
    token = first.session()
    session_id, signature = token.split(".")
    assert len(session_id) == 32 and signature
    first.say("I'm 31", token)
    first.close()
    again = widgets()
    assert again.session(token) == token  # the widget's stored token after a reload
    forged = widgets()
    assert forged.session(session_id) != session_id  # the bare id is not enough
    assert forged.session(token) != token  # and a connection keeps the session it was given
    assert tracker(servers, f"web:{session_id}")["latest_message"]["text"] == "I'm 31"


def test_a_socketio_message_naming_another_session_is_ignored(servers, widgets):
    victim, attacker = widgets(), widgets()
    victim_token, attacker_token = victim.session(), attacker.session()
    victim.say(PROFILE, victim_token)
    attacker.client.emit("user_uttered", {"message": "am I eligible?", "session_id": victim_token})
    mine = attacker.say("what is the K visa?", attacker_token)
    assert "K visa" in joined(mine) and "Likely eligible" not in joined(mine)
    victim_events = tracker(servers, f"web:{victim_token.split('.')[0]}")["events"]
    assert [e["text"] for e in victim_events if e["event"] == "user"] == [PROFILE]
    attacker_events = tracker(servers, f"web:{attacker_token.split('.')[0]}")["events"]
    assert [e["text"] for e in attacker_events if e["event"] == "user"] == ["what is the K visa?"]
