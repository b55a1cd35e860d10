"""End to end over REST and socket.io, against the real servers that tests/e2e/conftest.py starts."""
import json
import sqlite3
import time
import uuid

import pytest
import requests

TOKEN = None  # the API token the servers were started with (set by the autouse fixture below)
BASE = None


@pytest.fixture(autouse=True)
def _server_addresses(servers):
    global TOKEN, BASE
    TOKEN, BASE = servers["token"], servers["base"]


class Chat:
    def __init__(self):
        self.sender = f"e2e-{uuid.uuid4().hex}"

    def say(self, text):
        reply = requests.post(f"{BASE}/webhooks/rest/webhook", json={"sender": self.sender, "message": text},
                              timeout=60)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def tracker(self):
        reply = requests.get(f"{BASE}/conversations/rest:{self.sender}/tracker", params={"token": TOKEN},
                             timeout=30)
        assert reply.status_code == 200, reply.text
        return reply.json()


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def verdict(messages):
    return next((m["custom"] for m in messages if isinstance(m.get("custom"), dict)
                 and m["custom"].get("type") == "kvisa_verdict"), None)


def test_details_in_one_message_give_a_verdict_with_a_card(servers):
    chat = Chat()
    messages = chat.say("Hi! I'm 29 with a PhD in physics from ETH Zurich. Am I eligible for the K visa?")
    card = verdict(messages)
    assert card is not None, texts(messages)
    assert card["verdict"] == "likely_eligible"
    assert {c["criterion"]: c["result"] for c in card["criteria"]} == {
        "age": "met", "degree": "met", "field": "met", "institution": "met"}
    assert "Likely eligible" in texts(messages)
    assert any(m.get("buttons") for m in messages)

    corrected = chat.say("sorry, I'm actually 52")
    card = verdict(corrected)
    assert card is not None, texts(corrected)
    assert card["verdict"] == "uncertain"
    assert "45" in texts(corrected)


def test_step_by_step_with_bad_answers_and_an_faq_in_the_middle(servers):
    chat = Chat()
    first = chat.say("am I eligible?")
    assert "How old are you" in texts(first)
    bad = chat.say("150")
    assert "doesn't look like an age" in texts(bad) and "How old are you" in texts(bad)
    faq = chat.say("what is the age limit?")
    assert "45" in texts(faq) and "How old are you" in texts(faq)
    assert "degree" in texts(chat.say("thirty")).lower()
    assert "study" in texts(chat.say("MSc")).lower()
    assert "university" in texts(chat.say("chemistry")).lower()
    final = chat.say("university of toronto")
    card = verdict(final)
    assert card is not None and card["verdict"] == "likely_eligible", texts(final)
    slots = chat.tracker()["slots"]
    assert slots["age"] == "30" and slots["degree"] == "master"


def test_a_what_if_that_needs_the_age_asks_for_it_then_answers(servers):
    chat = Chat()
    first = chat.say("I have a licenciatura in history from UNAM, can I get the K visa?")
    assert verdict(first)["verdict"] == "not_eligible", texts(first)  # the age is not needed for that
    asked = chat.say("what if I also had a master's in data science from Tecnológico de Monterrey?")
    assert verdict(asked) is None and "How old are you" in texts(asked), texts(asked)
    answered = chat.say("31")
    card = verdict(answered)
    assert card is not None and card["verdict"] == "likely_eligible", texts(answered)
    assert "Outcome: not eligible → likely eligible" in texts(answered)
    assert chat.tracker()["slots"]["what_if_pending"] is None


def test_questions_about_someone_else_say_they(servers):
    chat = Chat()
    first = chat.say("my son is 23 and has a BSc in physics, would he qualify?")
    assert "Which university or research institution awarded their degree" in texts(first), texts(first)


def test_not_eligible_for_a_non_stem_field(servers):
    chat = Chat()
    card = verdict(chat.say("I'm 27, I have a bachelor's in history from Harvard University, can I apply?"))
    assert card is not None and card["verdict"] == "not_eligible"
    assert next(c for c in card["criteria"] if c["criterion"] == "field")["result"] == "not_met"


def test_stop_in_the_middle_keeps_the_answers(servers):
    chat = Chat()
    chat.say("check my eligibility")
    chat.say("31")
    stopped = chat.say("stop")
    assert "stopped" in texts(stopped).lower()
    assert chat.tracker()["slots"]["age"] == "31"
    assert chat.tracker()["active_loop"] in ({}, None) or not chat.tracker()["active_loop"].get("name")


def test_z_visa_for_a_job_offer(servers):
    chat = Chat()
    asked = chat.say("do I need a Z visa?")
    assert any(b["payload"].startswith("/inform") for m in asked for b in m.get("buttons", [])), asked
    advice = chat.say('/inform{"purpose": "job"}')
    assert "work permit" in texts(advice) and "Z visa" in texts(advice)


def test_faq_answers_cite_their_source(servers):
    chat = Chat()
    answer = texts(chat.say("do I need an invitation letter or an employer to apply?"))
    assert "Source:" in answer
    assert "employer" in answer.lower()


def test_out_of_scope_is_redirected(servers):
    chat = Chat()
    answer = texts(chat.say("how do I apply for a US K-1 fiance visa?"))
    assert "K-1" in answer


def test_empty_huge_and_malformed_messages_do_not_break_the_conversation(servers):
    chat = Chat()
    chat.say("am I eligible?")
    assert chat.say("") is not None
    huge = chat.say("a" * 100_000)
    assert huge, "a 100 KB message gets an answer"
    malformed = requests.post(f"{BASE}/webhooks/rest/webhook", data=b"{not json",
                              headers={"Content-Type": "application/json"}, timeout=30)
    assert malformed.status_code == 400
    for body in ([1, 2], {"sender": "x", "message": {"a": 1}}, {"sender": ["x"], "message": "hi"}, "just text"):
        reply = requests.post(f"{BASE}/webhooks/rest/webhook", json=body, timeout=30)
        assert reply.status_code == 400, (body, reply.status_code)
        assert "Expected a JSON object" in reply.text
    assert requests.get(BASE, timeout=5).ok  # the server is still up
    after = chat.say("29")
    assert "degree" in texts(after).lower()  # the conversation went on where it was


def test_conversations_are_stored_in_the_sql_tracker_store(servers):
    chat = Chat()
    chat.say("hello")
    with sqlite3.connect(servers["db"]) as connection:
        rows = connection.execute("select type_name, data from events where sender_id = ?",
                                     (f"rest:{chat.sender}",)).fetchall()
    assert any(kind == "user" and json.loads(data)["text"] == "hello" for kind, data in rows)


def test_a_stated_plan_leads_to_the_visa_advice(servers):
    answer = texts(Chat().say("I want to start a company in Shenzhen"))
    assert "start-up or business" in answer.lower() and "K visa" in answer


def test_gibberish_gets_a_helpful_fallback(servers):
    chat = Chat()
    answer = chat.say("asdfghjkl qwertz")
    assert "didn't understand" in texts(answer) or "can only help" in texts(answer)
    assert any(m.get("buttons") for m in answer)
    assert chat.tracker()["slots"]["age"] is None


SESSION = object()  # stands for the session token the server confirms


def test_socketio_channel_answers_and_keeps_the_session(servers):
    """The socket.io channel that web widgets speak: session_request first, then user_uttered -> bot_uttered."""
    token, replies = _socket_conversation([("user_uttered", {"message": "what is the K visa?", "session_id": SESSION})])
    assert replies and "K visa" in replies[0].get("text", ""), replies
    session_id = token.split(".")[0]
    events = requests.get(f"{BASE}/conversations/web:{session_id}/tracker", params={"token": TOKEN},
                          timeout=30).json()
    assert events["latest_message"]["text"] == "what is the K visa?"


def _socket_conversation(events, stored=None):
    """Connects over socket.io, asks for a session (resuming `stored` if given), sends each (event, data), with
    SESSION in data replaced by the confirmed token; returns the token and the bot_uttered payloads received."""
    import socketio

    replies, confirmed = [], []
    client = socketio.Client(reconnection=False)
    client.on("session_confirm", lambda data: confirmed.append(data))
    client.on("bot_uttered", lambda data: replies.append(data))
    client.connect(BASE, transports=["polling"], socketio_path="/socket.io", wait_timeout=20)
    try:
        client.emit("session_request", {"session_id": stored})
        deadline = time.time() + 20
        while not confirmed and time.time() < deadline:
            time.sleep(0.2)
        assert len(confirmed) == 1, confirmed
        for event, data in events:
            if isinstance(data, dict):
                data = {key: confirmed[0] if value is SESSION else value for key, value in data.items()}
            before = len(replies)
            client.emit(event, data)
            # a malformed event gets no reply: give it a moment, then go on
            deadline = time.time() + (30 if isinstance(data, dict) and data.get("session_id") == confirmed[0]
                                      else 2)
            while len(replies) == before and time.time() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)  # the rest of this turn's messages
    finally:
        client.disconnect()
    return confirmed[0], replies


def test_socketio_delivers_the_verdict_card_as_data(servers):
    _, replies = _socket_conversation([
        ("user_uttered", {"message": "I'm 29 with a PhD in physics from ETH Zurich, am I eligible?",
                          "session_id": SESSION})])
    cards = [r for r in replies if isinstance(r, dict) and r.get("type") == "kvisa_verdict"]
    assert len(cards) == 1, replies
    assert cards[0]["verdict"] == "likely_eligible" and len(cards[0]["criteria"]) == 4
    assert not any("Likely eligible" in r.get("text", "") for r in replies), "the card replaces the text"
    # the messages after the card still arrive (Rasa 3.6's own channel lost them with the card)
    assert any(r.get("quick_replies") for r in replies[replies.index(cards[0]) + 1:]), replies


def test_socketio_ignores_malformed_events_and_goes_on(servers):
    _, replies = _socket_conversation([
        ("user_uttered", "just a string"),
        ("user_uttered", {"message": {"not": "text"}, "session_id": SESSION}),
        ("user_uttered", {"message": "what is the K visa?", "session_id": SESSION}),
    ])
    assert len(replies) >= 1 and "K visa" in replies[0].get("text", ""), replies
    assert requests.get(BASE, timeout=5).ok
