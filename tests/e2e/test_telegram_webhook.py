"""End to end over Telegram: real Bot API update JSON posted to the real Rasa server's Telegram webhook (started
by tests/e2e/conftest.py with the channel on), and what the real assistant sends back, as recorded by the fake
Bot API. Each test uses a chat of its own and looks only at the calls made after it started."""
import itertools
import json
import time
import uuid

import pytest
import requests

from tests.fakes.telegram_bot_api import calls_to, method_of

_ids = itertools.count(int(time.time()) % 100000 * 1000)


@pytest.fixture
def telegram(servers, telegram_api, channel_settings):
    return Telegram(servers, telegram_api, channel_settings)


class Telegram:
    """Plays Telegram: posts updates for one private chat and reads what the assistant sent to it."""

    def __init__(self, servers, api, settings):
        self.url = f"http://127.0.0.1:{servers['rasa_port']}/webhooks/telegram/webhook"
        self.api = api
        self.secret = settings["TELEGRAM_SECRET_TOKEN"]
        self.chat_id = 500000000 + next(_ids)

    def mark(self):
        return len(self.api.snapshot())

    def post(self, update, secret=None, raw=None):
        headers = {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": self.secret if secret is None else secret}
        body = raw if raw is not None else json.dumps(update).encode()
        return requests.post(self.url, data=body, headers=headers, timeout=60)

    def message(self, **content):
        return {"message_id": next(_ids), "date": int(time.time()),
                "from": {"id": self.chat_id, "is_bot": False, "first_name": "Ada", "language_code": "en"},
                "chat": {"id": self.chat_id, "first_name": "Ada", "type": "private"}, **content}

    def say(self, text):
        """Sends a text; returns the sendMessage calls to this chat that the answer made."""
        mark = self.mark()
        reply = self.post({"update_id": next(_ids), "message": self.message(text=text)})
        assert reply.status_code == 200, reply.text
        return self.sent(mark)

    def press(self, sent_message, title):
        """Presses the inline button `title` under a message the assistant sent; returns the answer's calls."""
        keyboard = sent_message["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in keyboard for b in row if b["text"] == title)
        query_id = str(uuid.uuid4().int)[:19]
        mark = self.mark()
        reply = self.post({"update_id": next(_ids), "callback_query": {
            "id": query_id, "from": {"id": self.chat_id, "is_bot": False, "first_name": "Ada"},
            "chat_instance": str(self.chat_id), "data": data,
            "message": {**self.message(text=sent_message["text"], reply_markup=sent_message["reply_markup"]),
                        "from": {"id": 7000001, "is_bot": True, "first_name": "K visa assistant"}}}})
        assert reply.status_code == 200, reply.text
        answered = calls_to(self.api.since(mark), "answerCallbackQuery")
        assert [a["callback_query_id"] for a in answered] == [query_id]
        return self.sent(mark)

    def sent(self, mark):
        return [p for p in calls_to(self.api.since(mark), "sendMessage") if str(p["chat_id"]) == str(self.chat_id)]


def joined(sent):
    return "\n".join(p["text"] for p in sent)


def with_button(sent, title):
    return next(p for p in sent if any(b["text"] == title for row in (p.get("reply_markup") or {})
                                       .get("inline_keyboard", []) for b in row))


def test_the_webhook_was_registered_at_start_up_with_the_secret_token(servers, telegram_api, channel_settings):
    calls = telegram_api.wait_for(lambda calls: any(method_of(c) == "setWebhook" for c in calls), timeout=60)
    registered = calls_to(calls, "setWebhook")
    assert registered[0]["url"] == channel_settings["TELEGRAM_WEBHOOK_URL"]
    assert registered[0]["secret_token"] == channel_settings["TELEGRAM_SECRET_TOKEN"]
    call = next(c for c in calls if method_of(c) == "setWebhook")
    assert call.path == f"/bot{channel_settings['TELEGRAM_TOKEN']}/setWebhook"


def test_a_full_profile_gets_the_verdict_with_buttons_and_a_button_continues(telegram):
    sent = telegram.say("Hi! I'm 29 with a PhD in physics from ETH Zurich. Am I eligible for the K visa?")
    text = joined(sent)
    assert "Likely eligible" in text, text
    assert "kvisa_verdict" not in text and '"criteria"' not in text  # the card payload is not sent as raw JSON
    assert all(len(p["text"].encode("utf-16-le")) // 2 <= 4096 for p in sent)
    follow_up = with_button(sent, "Do I need a Z visa?")
    asked = telegram.press(follow_up, "Do I need a Z visa?")
    assert "What will you mainly do in China?" in joined(asked), joined(asked)
    advice = telegram.press(with_button(asked, "A salaried job with a Chinese employer"),
                            "A salaried job with a Chinese employer")
    assert "Z" in joined(advice) and "Your plan" in joined(advice), joined(advice)


def test_start_greets_and_restart_clears_the_answers(telegram):
    greeting = telegram.say("/start")
    assert "K-visa assistant" in joined(greeting), joined(greeting)
    assert with_button(greeting, "Am I eligible?")
    asked = telegram.say("am I eligible?")
    assert "How old are you" in joined(asked), joined(asked)
    reset = telegram.say("/restart")
    assert "Let's start again" in joined(reset) or "cleared" in joined(reset), joined(reset)


def test_a_wrong_or_missing_secret_gets_403_and_no_answer(telegram):
    mark = telegram.mark()
    update = {"update_id": next(_ids), "message": telegram.message(text="am I eligible?")}
    assert telegram.post(update, secret="wrong-" + uuid.uuid4().hex).status_code == 403
    assert telegram.post(update, secret="").status_code == 403
    # An accepted update is answered before the webhook returns, so nothing can arrive later.
    assert telegram.api.since(mark) == []


def test_a_sticker_gets_a_short_text_reply(telegram):
    mark = telegram.mark()
    sticker = {"file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgADBAAD", "type": "regular", "width": 512,
               "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
    reply = telegram.post({"update_id": next(_ids), "message": telegram.message(sticker=sticker)})
    assert reply.status_code == 200
    assert [p["text"] for p in telegram.sent(mark)] == [
        "I can only read text messages. Please type your question, or send /start to begin."]


def test_an_unknown_update_type_gets_200_and_no_answer(telegram):
    mark = telegram.mark()
    member = {"chat": {"id": telegram.chat_id, "type": "private"}, "date": int(time.time()),
              "from": {"id": telegram.chat_id, "is_bot": False, "first_name": "Ada"},
              "old_chat_member": {"status": "member", "user": {"id": 7000001, "is_bot": True, "first_name": "K"}},
              "new_chat_member": {"status": "kicked", "user": {"id": 7000001, "is_bot": True, "first_name": "K"},
                                  "until_date": 0}}
    assert telegram.post({"update_id": next(_ids), "my_chat_member": member}).status_code == 200
    assert telegram.api.since(mark) == []


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"update_id": 1, "message": {"text": "hi"}}'])
def test_a_malformed_body_gets_400_and_the_server_keeps_answering(telegram, body):
    mark = telegram.mark()
    assert telegram.post(None, raw=body).status_code == 400
    assert telegram.api.since(mark) == []
    assert telegram.say("hello")  # answered as usual
