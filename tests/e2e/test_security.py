"""Attacks on the real servers (tests/e2e/conftest.py): conversations of one channel cannot be reached from
another, and a socket.io connection is bound to the one session the server gave it."""
import itertools
import json
import os
import signal
import subprocess
import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.e2e.conftest import ROOT
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


# --- limits -------------------------------------------------------------------------------------------------

def test_a_body_over_1_mib_is_refused_before_it_is_read_and_the_server_stays_up(servers):
    body = json.dumps({"sender": "big", "message": "x" * (1 << 20)}).encode()
    for path in ("/webhooks/rest/webhook", "/webhooks/telegram/webhook", "/webhooks/wechat/webhook"):
        reply = requests.post(f"{servers['base']}{path}", data=body, timeout=WAIT,
                              headers={"Content-Type": "application/json"})
        assert reply.status_code == 413, (path, reply.status_code)
    assert requests.get(servers["base"], timeout=10).ok


def test_a_message_over_2000_characters_gets_a_polite_reply_and_is_not_stored(servers):
    sender = f"long-{uuid.uuid4().hex}"
    text = "I am 29 and " + "very " * 400  # 2012 characters
    answer = rest_says(servers, sender, text)
    assert len(answer) == 1 and "shorten" in answer[0]["text"], answer
    assert rest_says(servers, sender, "x" * 2000)  # at the limit: answered as usual
    events = tracker(servers, f"rest:{sender}")["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["x" * 2000]
    assert tracker(servers, f"rest:{sender}")["slots"]["age"] is None


def test_a_rest_sender_over_30_messages_a_minute_gets_429_and_others_are_served(servers):
    sender = f"fast-{uuid.uuid4().hex}"
    url = f"{servers['base']}/webhooks/rest/webhook"
    codes = [requests.post(url, json={"sender": sender, "message": "/greet"}, timeout=WAIT).status_code
             for _ in range(31)]
    assert codes == [200] * 30 + [429], codes
    refused = requests.post(url, json={"sender": sender, "message": "hello"}, timeout=WAIT)
    assert refused.status_code == 429 and "wait a minute" in refused.json()[0]["text"]
    assert rest_says(servers, f"other-{uuid.uuid4().hex}", "hello")


# --- who can reach the servers -------------------------------------------------------------------------------

def listening_addresses(port):
    """The local addresses on which something listens on TCP `port` (from /proc, IPv4 and IPv6)."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.add(address if len(address) == 32 else ".".join(
                    str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return addresses


def test_rasa_the_action_server_and_the_page_listen_on_loopback_only(servers):
    for port in (servers["rasa_port"], servers["action_port"], servers["web_port"]):
        assert listening_addresses(port) == {"127.0.0.1"}, (port, listening_addresses(port))


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/socket.io/?EIO=4&transport=polling"])
def test_browsers_may_call_rasa_only_from_the_chat_page(servers, path):
    for origin, allowed in ((servers["web"], True), ("http://evil.example", False), ("null", False)):
        preflight = requests.options(f"{servers['base']}{path}", timeout=10, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})
        got = preflight.headers.get("Access-Control-Allow-Origin")
        assert (got == origin) if allowed else got is None, (origin, dict(preflight.headers))


# --- logs -----------------------------------------------------------------------------------------------------

def test_no_message_text_slot_value_token_or_secret_appears_in_any_log_line(servers, channel_settings):
    """The servers log at DEBUG (conftest.py). A conversation with distinctive words, a tracker read with the
    API token, and a failing call to the action server; then every line the three servers wrote is searched."""
    marker = f"Quokka{uuid.uuid4().hex[:8]}"
    institution = f"{marker} Institute of Technology"
    sender = f"logs-{uuid.uuid4().hex}"
    asked = rest_says(servers, sender, f"I'm 37 with a PhD in physics, my codename is {marker}x")
    assert "university" in joined(asked).lower(), asked
    rest_says(servers, sender, institution)
    slots = tracker(servers, f"rest:{sender}")["slots"]  # ?token=<RASA_API_TOKEN> in the access log
    # a slot value with the marker exists: the form slot holds the id "unlisted", the profile slot the name
    assert slots["institution"] == "unlisted" and marker in json.dumps(slots["profile"]), slots
    failing = {"next_action": "validate_eligibility_form", "version": "3.6.21", "domain": "not a domain",
               "tracker": {"sender_id": sender, "slots": {"institution": institution, "age": f"{marker}age"},
                           "latest_message": {"text": f"{marker} said this"},
                           "events": [{"event": "user", "text": f"{marker} said this"}]}}
    reply = requests.post(f"http://127.0.0.1:{servers['action_port']}/webhook", json=failing, timeout=WAIT)
    assert reply.status_code >= 400
    time.sleep(2)  # let the servers write their lines

    log = servers["log"].read_text(errors="replace")
    assert "parse_data_text" in log and "[redacted]" in log  # at DEBUG, and the redaction is at work
    secrets = {name: value for name, value in channel_settings.items()
               if name.endswith(("TOKEN", "SECRET", "AES_KEY"))}
    secrets["RASA_API_TOKEN"] = servers["token"]
    secrets["WEB_SESSION_SECRET"] = (servers["root"] / "var" / "web-session-secret").read_text().strip()
    for name, value in secrets.items():
        assert value not in log, f"{name} is in the log"
    said = (marker, "ETH Zurich", "I'm 37")
    found = [line for line in log.splitlines() if any(words in line for words in said)]
    assert found == [], found[:5]


def test_rasa_beyond_loopback_without_rest_token_refuses_to_start_and_says_why(tmp_path):
    """scripts/run.sh with RASA_HOST=0.0.0.0 and no REST_TOKEN: the Rasa server stops at start-up (so run.sh
    stops the others) with a message naming REST_TOKEN. Ports of its own; nothing else needs to run."""
    env = {name: value for name, value in os.environ.items() if name != "REST_TOKEN"}
    env.update(RASA_HOST="0.0.0.0", RASA_PORT="15205", ACTION_PORT="15255", WEB_PORT="18280",
               ACTION_ENDPOINT_URL="http://127.0.0.1:15255/webhook", TRACKER_URL=f"sqlite:///{tmp_path}/t.db")
    log = tmp_path / "servers.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        code = process.wait(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        pytest.fail("the servers started although Rasa listens on 0.0.0.0 without REST_TOKEN")
    output = log.read_text()
    assert code != 0
    assert "RASA_HOST=0.0.0.0" in output and "set REST_TOKEN" in output, output[-3000:]
    assert listening_addresses(15205) == set()


def test_a_socketio_flood_is_told_once_and_only_the_first_30_messages_are_processed(servers, widgets):
    widget = widgets()
    token = widget.session()
    for _ in range(33):
        widget.client.emit("user_uttered", {"message": "/greet", "session_id": token})
        time.sleep(0.2)  # one by one: Engine.IO refuses a polling request that carries more than 16 packets
    limited = "You are sending messages faster than I can answer"
    widget.wait_for(lambda: any(limited in (r.get("text") or "") for r in widget.replies))
    events = []
    deadline = time.time() + 120  # the 30 accepted turns are answered one after another
    while time.time() < deadline:
        events = [e for e in tracker(servers, f"web:{token.split('.')[0]}")["events"] if e["event"] == "user"]
        if len(events) >= 30:
            break
        time.sleep(1)
    time.sleep(2)
    events = [e for e in tracker(servers, f"web:{token.split('.')[0]}")["events"] if e["event"] == "user"]
    assert len(events) == 30
    assert sum(limited in (r.get("text") or "") for r in widget.replies) == 1
