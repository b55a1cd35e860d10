"""The Telegram channel in process: a real Sanic server with the channel registered the way Rasa registers it
(route /webhooks/telegram/webhook), real Bot API update JSON posted to it, and the fake Bot API
(tests/fakes/telegram_bot_api.py) recording what the channel sends. The bot side is a stand-in that records
each UserMessage and answers through the channel's output, as Rasa's agent does."""
from __future__ import annotations

import itertools
import json
import logging
import time
import uuid
from typing import Any, Callable, Dict, List, Optional

import pytest
import requests
from rasa.core.channels.channel import UserMessage

from channels import messages
from channels import telegram as telegram_channel
from channels.telegram import SECRET_HEADER, TelegramChannel, TelegramConfigError, TelegramSettings
from channels.telegram_output import split_text, utf16_length
from channels.telegram_updates import EDITED_REPLY, UNSUPPORTED_REPLY
from tests.channels.sanic_server import ChannelServer
from tests.fakes import telegram_bot_api
from tests.fakes.telegram_bot_api import calls_to, method_of, texts_sent

SECRET = "s3cret-" + uuid.uuid4().hex
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def api():
    server = telegram_bot_api.start()
    yield server
    server.stop()


@pytest.fixture
def env(api, monkeypatch):
    settings = {
        "TELEGRAM_TOKEN": f"{telegram_bot_api.BOT_ID}:{uuid.uuid4().hex}",
        "TELEGRAM_BOT_NAME": "kvisa_test_bot",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_URL": api.url,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    api.failures.clear()
    return settings


class Bot:
    """Stands in for Rasa's agent: records what reaches it and answers with `answer(text)` (Rasa-style
    response dicts), sent through the output channel the way Rasa sends them."""

    def __init__(self, answer: Callable[[str], List[Dict[str, Any]]]):
        self.messages: List[UserMessage] = []
        self.answer = answer

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        for response in self.answer(message.text):
            await message.output_channel.send_response(message.sender_id, response)

    @property
    def texts(self) -> List[str]:
        return [m.text for m in self.messages]


class Running(ChannelServer):
    """The channel served in process (tests/channels/sanic_server.py), with Telegram's side of it: start-up
    waits for the webhook registration, and `post` sends an update the way Telegram does."""

    def __enter__(self) -> "Running":
        super().__enter__()
        if self.channel.settings:  # let start-up's setWebhook finish, so that tests see only their own calls
            for _ in range(200):
                task = self.channel.webhook_registration
                if task is not None and task.done():
                    break
                time.sleep(0.05)
            else:
                self.__exit__(None, None, None)
                raise AssertionError("the webhook registration did not finish")
        return self

    def post(self, update: Any, secret: Optional[str] = SECRET, raw: Optional[bytes] = None) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = raw if raw is not None else json.dumps(update).encode()
        return requests.post(self.webhook_url, data=body, headers=headers, timeout=30)


def run_channel(bot: Bot) -> Running:
    """Rasa's path: credentials.yml names the class with no values; Rasa calls from_credentials(None)."""
    return Running(TelegramChannel.from_credentials(None), bot)


def echo(text: str) -> List[Dict[str, Any]]:
    return [{"text": f"you said: {text}"}]


# Real Bot API update shapes (https://core.telegram.org/bots/api#update), trimmed to what Telegram always sends.
def user(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Ada", "language_code": "en"}


def message(chat_id: int, **content: Any) -> Dict[str, Any]:
    return {"message_id": next(_ids), "from": user(chat_id), "date": 1760000000,
            "chat": {"id": chat_id, "first_name": "Ada", "type": "private"}, **content}


def text_update(chat_id: int, text: str) -> Dict[str, Any]:
    entities = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}] if text.startswith("/") else []
    return {"update_id": next(_ids), "message": message(chat_id, text=text, **({"entities": entities} if entities
                                                                              else {}))}


def chat() -> int:
    return 100000 + next(_ids)


def webhook_registered(api, since: int) -> Dict[str, Any]:
    calls = api.wait_for(lambda calls: any(method_of(c) == "setWebhook" for c in calls[since:]), timeout=10)
    return calls_to(calls[since:], "setWebhook")[-1]


# --- configuration ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "", "  "])
def test_without_telegram_token_the_channel_adds_no_route_and_calls_nothing(api, monkeypatch, caplog, token):
    for name in ("TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    if token is not None:
        monkeypatch.setenv("TELEGRAM_TOKEN", token)
    monkeypatch.setenv("TELEGRAM_API_URL", api.url)  # if it called anything, it would be the fake
    mark = len(api.snapshot())
    bot = Bot(echo)
    caplog.set_level(logging.DEBUG, logger="channels")
    channel = TelegramChannel.from_credentials(None)
    assert channel.get_output_channel() is None
    with run_channel(bot) as running:
        routes = [route.path for route in running.app.router.routes]
        assert not any("telegram" in path for path in routes), routes
        reply = running.post(text_update(chat(), "hello"))
        assert reply.status_code == 404
    assert bot.messages == []
    assert api.since(mark) == []
    assert [r for r in caplog.records if r.name.startswith("channels")] == []


@pytest.mark.parametrize("missing", ["TELEGRAM_SECRET_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_BOT_NAME"])
def test_token_without_the_other_settings_refuses_to_start_naming_what_is_missing(env, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(TelegramConfigError, match=missing):
        TelegramChannel.from_credentials(None)


@pytest.mark.parametrize("setting, value", [("TELEGRAM_SECRET_TOKEN", "x" * 257),
                                            ("TELEGRAM_SECRET_TOKEN", "has spaces and is long enough"),
                                            ("TELEGRAM_TOKEN", "not-a-token"),
                                            ("TELEGRAM_WEBHOOK_URL", "ftp://example.org/hook")])
def test_invalid_settings_refuse_to_start(env, monkeypatch, setting, value):
    monkeypatch.setenv(setting, value)
    with pytest.raises(TelegramConfigError, match=setting):
        TelegramSettings.from_env()


# --- start-up ------------------------------------------------------------------------------------------------

def test_start_up_registers_the_webhook_with_url_and_secret_token(api, env):
    mark = len(api.snapshot())
    with run_channel(Bot(echo)):
        params = webhook_registered(api, mark)
    assert params["url"] == env["TELEGRAM_WEBHOOK_URL"]
    assert params["secret_token"] == SECRET
    assert set(params["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    call = [c for c in api.since(mark) if method_of(c) == "setWebhook"][-1]
    assert call.path == f"/bot{env['TELEGRAM_TOKEN']}/setWebhook"


def test_a_refused_webhook_registration_is_logged_and_the_server_keeps_serving(api, env, caplog):
    api.failures["setWebhook"] = (401, "Unauthorized")
    mark = len(api.snapshot())
    bot = Bot(echo)
    caplog.set_level(logging.INFO, logger="channels.telegram")
    with run_channel(bot) as running:
        webhook_registered(api, mark)
        api.wait_for(lambda _: any("could NOT register" in r.getMessage() for r in caplog.records), timeout=10)
        api.failures.clear()
        assert running.post(text_update(chat(), "still there?")).status_code == 200
    assert bot.texts == ["still there?"]
    assert len([c for c in api.since(mark) if method_of(c) == "setWebhook"]) == 1  # 4xx: no retry


def test_an_unreachable_bot_api_at_start_up_is_tried_again(api, env, monkeypatch, caplog):
    monkeypatch.setattr(telegram_channel, "REGISTER_RETRY_DELAYS", (0.1, 0.1))
    api.failures["setWebhook"] = [(502, "Bad Gateway")]
    mark = len(api.snapshot())
    caplog.set_level(logging.INFO, logger="channels.telegram")
    with run_channel(Bot(echo)):
        pass  # returns once the registration has finished
    assert len(calls_to(api.since(mark), "setWebhook")) == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any("attempt 1 failed (HTTP 502: Bad Gateway)" in m for m in messages), messages
    assert any("webhook registered" in m for m in messages), messages


# --- the secret token ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("secret", [None, "", "wrong-" + uuid.uuid4().hex, SECRET + "x", SECRET[:-1]])
def test_an_update_without_the_right_secret_gets_403_and_reaches_nobody(api, env, secret):
    bot = Bot(echo)
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        reply = running.post(text_update(chat(), "hello"), secret=secret)
        malformed = running.post(None, secret=secret, raw=b"{not json")  # 403 before the body is read
    assert reply.status_code == 403
    assert malformed.status_code == 403
    assert bot.messages == []
    assert [method_of(c) for c in api.since(mark)] == []


# --- messages --------------------------------------------------------------------------------------------------

def test_a_text_message_reaches_the_bot_and_the_answer_is_sent_to_that_chat(api, env):
    bot = Bot(echo)
    chat_id = chat()
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        reply = running.post(text_update(chat_id, "I'm 29 with a PhD in physics"))
        assert reply.status_code == 200
    assert bot.texts == ["I'm 29 with a PhD in physics"]
    assert bot.messages[0].sender_id == f"tg:{chat_id}"
    assert bot.messages[0].input_channel == "telegram"
    sent = calls_to(api.since(mark), "sendMessage")
    assert [(str(p["chat_id"]), p["text"]) for p in sent] == [(str(chat_id), "you said: I'm 29 with a PhD in physics")]


def test_buttons_become_an_inline_keyboard(api, env):
    def ask(text):
        return [{"text": "What is your highest degree?", "buttons": [
            {"title": "PhD", "payload": '/inform{"degree": "phd"}'},
            {"title": "Master's", "payload": '/inform{"degree": "master"}'}]}]
    chat_id = chat()
    with run_channel(Bot(ask)) as running:
        mark = len(api.snapshot())
        running.post(text_update(chat_id, "am I eligible?"))
    sent = calls_to(api.since(mark), "sendMessage")
    assert len(sent) == 1 and sent[0]["text"] == "What is your highest degree?"
    assert sent[0]["reply_markup"] == {"inline_keyboard": [
        [{"text": "PhD", "callback_data": '/inform{"degree": "phd"}'}],
        [{"text": "Master's", "callback_data": '/inform{"degree": "master"}'}]]}


def callback_update(chat_id: int, data: str) -> Dict[str, Any]:
    return {"update_id": next(_ids), "callback_query": {
        "id": str(uuid.uuid4().int)[:19], "from": user(chat_id), "chat_instance": "-5555",
        "data": data,
        "message": message(chat_id, text="What is your highest degree?",
                           **{"from": {"id": telegram_bot_api.BOT_ID, "is_bot": True, "first_name": "K"}})}}


def test_a_button_press_sends_its_payload_to_the_bot_and_answers_the_callback_query(api, env):
    bot = Bot(echo)
    chat_id = chat()
    update = callback_update(chat_id, '/inform{"degree": "phd"}')
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        assert running.post(update).status_code == 200
    assert bot.texts == ['/inform{"degree": "phd"}']
    assert bot.messages[0].sender_id == f"tg:{chat_id}"
    calls = api.since(mark)
    assert [p["callback_query_id"] for p in calls_to(calls, "answerCallbackQuery")] == [update["callback_query"]["id"]]
    assert texts_sent(calls, chat_id) == ['you said: /inform{"degree": "phd"}']


def test_a_button_press_reaches_the_bot_even_when_telegram_refuses_to_answer_the_callback(api, env):
    api.failures["answerCallbackQuery"] = (400, "Bad Request: query is too old and response timeout expired")
    bot = Bot(echo)
    chat_id = chat()
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        assert running.post(callback_update(chat_id, "/check_eligibility")).status_code == 200
    assert bot.texts == ["/check_eligibility"]
    assert texts_sent(api.since(mark), chat_id) == ["you said: /check_eligibility"]


def test_a_payload_too_long_for_telegram_travels_as_a_key_and_comes_back_whole(api, env):
    long_payload = '/inform{"institution": "Swiss Federal Institute of Technology in Zurich (ETH)"}'
    assert len(long_payload.encode()) > 64

    def answer(text):
        return [{"text": "Which one?", "buttons": [{"title": "ETH", "payload": long_payload}]}]
    bot = Bot(answer)
    chat_id = chat()
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        running.post(text_update(chat_id, "where?"))
        keyboard = calls_to(api.since(mark), "sendMessage")[0]["reply_markup"]["inline_keyboard"]
        data = keyboard[0][0]["callback_data"]
        assert len(data.encode()) <= 64  # the fake refuses more, like Telegram
        running.post(callback_update(chat_id, data))
        mark = len(api.snapshot())
        running.post(callback_update(chat_id, "#k:" + "A" * 24))  # a key this process never issued
        expired = calls_to(api.since(mark), "answerCallbackQuery")
    assert bot.texts == ["where?", long_payload]
    assert expired[0]["text"].startswith("This button has expired")


@pytest.mark.parametrize("command, intent", [("/start", "/greet"), ("/restart", "/start_over"),
                                             ("/start@kvisa_test_bot", "/greet"), ("/start ref123", "/greet"),
                                             ("/forget", "/forget"), ("/forget@kvisa_test_bot", "/forget")])
def test_telegram_commands_map_to_the_assistants_intents(api, env, command, intent):
    bot = Bot(echo)
    with run_channel(bot) as running:
        running.post(text_update(chat(), command))
    assert bot.texts == [intent]


def test_a_command_for_another_bot_in_a_group_is_ignored(api, env):
    bot = Bot(echo)
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        assert running.post(text_update(chat(), "/start@some_other_bot")).status_code == 200
    assert bot.messages == [] and api.since(mark) == []


PHOTO = [{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90, "file_size": 1000}]
STICKER = {"file_id": "CAAC", "file_unique_id": "AgAD", "type": "regular", "width": 512, "height": 512,
           "is_animated": False, "is_video": False, "emoji": "👍"}
VOICE = {"file_id": "AwAC", "file_unique_id": "AgAD", "duration": 2, "mime_type": "audio/ogg"}
DOCUMENT = {"file_id": "BQAC", "file_unique_id": "AgAD", "file_name": "cv.pdf", "mime_type": "application/pdf"}


@pytest.mark.parametrize("content", [{"sticker": STICKER}, {"photo": PHOTO, "caption": "my diploma"},
                                     {"voice": VOICE}, {"document": DOCUMENT},
                                     {"location": {"latitude": 39.9, "longitude": 116.4}}])
def test_messages_the_bot_cannot_read_get_a_short_reply_without_reaching_the_bot(api, env, content):
    bot = Bot(echo)
    chat_id = chat()
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        assert running.post({"update_id": next(_ids), "message": message(chat_id, **content)}).status_code == 200
    assert bot.messages == []
    assert texts_sent(api.since(mark)) == [UNSUPPORTED_REPLY]
    assert texts_sent(api.since(mark), chat_id) == [UNSUPPORTED_REPLY]


def test_an_edited_message_is_not_answered_again_and_the_user_is_told_why(api, env):
    bot = Bot(echo)
    chat_id = chat()
    edited = {"update_id": next(_ids), "edited_message": {**message(chat_id, text="I'm 30"), "edit_date": 1760000100}}
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        assert running.post(edited).status_code == 200
    assert bot.messages == []
    assert texts_sent(api.since(mark), chat_id) == [EDITED_REPLY]


@pytest.mark.parametrize("update", [
    {"my_chat_member": {"chat": {"id": 5, "type": "private"}, "from": {"id": 5, "is_bot": False, "first_name": "A"},
                        "date": 1760000000,
                        "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "K"}},
                        "new_chat_member": {"status": "kicked", "user": {"id": 1, "is_bot": True, "first_name": "K"},
                                            "until_date": 0}}},
    {"poll": {"id": "1", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
              "is_anonymous": True, "type": "regular", "allows_multiple_answers": False}},
    {"message": {"message_id": 9, "date": 1760000000, "chat": {"id": -100, "type": "group", "title": "g"},
                 "new_chat_members": [{"id": 7, "is_bot": False, "first_name": "B"}]}},
])
def test_updates_with_nothing_to_answer_get_200_and_are_ignored(api, env, update):
    bot = Bot(echo)
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        reply = running.post({"update_id": next(_ids), **update})
    assert reply.status_code == 200
    assert bot.messages == [] and api.since(mark) == []


@pytest.mark.parametrize("body", [b"{not json", b"", b"[]", b'"text"', b"42", b"null", b"\xff\xfe{}",
                                  b"[" * 100000 + b"]" * 100000,
                                  b'{"update_id": "1", "message": {}}', b'{"message": {"text": "hi"}}',
                                  b'{"update_id": 1, "message": "hi"}',
                                  b'{"update_id": 1, "message": {"text": "hi", "chat": {"id": "12"}}}',
                                  b'{"update_id": 1, "message": {"text": ["hi"], "chat": {"id": 12}}}',
                                  b'{"update_id": 1, "callback_query": {"data": "/greet"}}'])
def test_a_malformed_body_gets_400_and_never_reaches_the_bot(api, env, body):
    bot = Bot(echo)
    with run_channel(bot) as running:
        mark = len(api.snapshot())
        reply = running.post(None, raw=body)
        assert reply.status_code == 400, reply.text
        assert running.post(text_update(chat(), "still alive")).status_code == 200
    assert bot.texts == ["still alive"]
    assert len(calls_to(api.since(mark), "sendMessage")) == 1


def test_a_huge_body_is_refused_without_reaching_the_bot(api, env):
    bot = Bot(echo)
    huge = json.dumps(text_update(chat(), "x" * (2 << 20))).encode()
    with run_channel(bot) as running:
        assert running.post(None, raw=huge).status_code == 413
    assert bot.messages == []


def test_an_update_delivered_twice_is_handled_once(api, env):
    bot = Bot(echo)
    update = text_update(chat(), "hello")
    with run_channel(bot) as running:
        assert running.post(update).status_code == 200
        assert running.post(update).status_code == 200
    assert bot.texts == ["hello"]


# --- what the bot says ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("buttons", [[], [{"title": "OK", "payload": "/affirm"}]])
def test_a_text_longer_than_telegram_allows_is_split_at_paragraphs(api, env, buttons):
    paragraphs = [f"Paragraph {i}: " + "word " * 300 for i in range(8)]  # about 12,000 characters
    long_text = "\n\n".join(p.strip() for p in paragraphs)
    answer = {"text": long_text, **({"buttons": buttons} if buttons else {})}
    chat_id = chat()
    with run_channel(Bot(lambda text: [answer])) as running:
        mark = len(api.snapshot())
        running.post(text_update(chat_id, "tell me everything"))
    sent = calls_to(api.since(mark), "sendMessage")
    assert len(sent) >= 3
    assert all(utf16_length(p["text"]) <= 4096 for p in sent)  # the fake would have refused them otherwise
    assert "\n\n".join(p["text"] for p in sent) == long_text
    assert all(p["text"].startswith("Paragraph") for p in sent)
    keyboards = [bool(p.get("reply_markup")) for p in sent]
    assert keyboards == [False] * (len(sent) - 1) + [bool(buttons)]  # the keyboard goes under the last part


def test_split_text_counts_utf16_units_and_cuts_a_wordless_text():
    emoji = "😀" * 3000  # 6000 UTF-16 units
    parts = split_text(emoji)
    assert "".join(parts) == emoji and all(utf16_length(p) <= 4096 for p in parts)
    assert split_text("a" * 5000) == ["a" * 4096, "a" * 904]
    assert split_text("  short  ") == ["short"]
    assert split_text("   ") == []


def test_the_verdict_payload_is_not_sent_as_raw_json_and_the_text_version_is(api, env):
    verdict = {"type": "kvisa_verdict", "verdict": "likely_eligible",
               "criteria": [{"criterion": "age", "result": "met", "reason": "29", "certainty": "reported"}],
               "caveats": ["x"], "next_steps": ["y"], "policy_version": "1"}
    answers = [{"text": "Likely eligible: on what is published, your profile fits the K visa."},
               {"custom": verdict}, {"custom": {"text": "not for Telegram", "photo": "x"}}]
    chat_id = chat()
    with run_channel(Bot(lambda text: answers)) as running:
        mark = len(api.snapshot())
        assert running.post(text_update(chat_id, "am I eligible?")).status_code == 200
    calls = api.since(mark)
    assert texts_sent(calls) == ["Likely eligible: on what is published, your profile fits the K visa."]
    assert [method_of(c) for c in calls] == ["sendMessage"]


def test_when_the_bot_fails_the_user_gets_an_apology_and_telegram_a_200(api, env):
    def broken(text):
        raise RuntimeError("the action server is down")
    chat_id = chat()
    with run_channel(Bot(broken)) as running:
        mark = len(api.snapshot())
        assert running.post(text_update(chat_id, "hello")).status_code == 200
    assert texts_sent(api.since(mark), chat_id) == [messages.text("something_went_wrong")]


class SlowFirstBot(Bot):
    """Takes longer than the server allows for its first answer, then answers at once."""

    async def __call__(self, message: UserMessage) -> None:
        first = not self.messages
        self.messages.append(message)
        if first:
            import asyncio
            await asyncio.sleep(5)
        for response in self.answer(message.text):
            await message.output_channel.send_response(message.sender_id, response)


def test_an_update_cancelled_by_a_timeout_is_handled_when_telegram_delivers_it_again(api, env):
    bot = SlowFirstBot(echo)
    chat_id = chat()
    update = text_update(chat_id, "am I eligible?")
    with run_channel(bot) as running:
        running.app.config.RESPONSE_TIMEOUT = 1  # Sanic cancels the handler and answers 503
        mark = len(api.snapshot())
        assert running.post(update).status_code == 503  # Telegram will deliver it again
        assert running.post(update).status_code == 200
        assert running.post(update).status_code == 200  # answered once: now it is a duplicate
    assert bot.texts == ["am I eligible?", "am I eligible?"]
    assert texts_sent(api.since(mark), chat_id) == ["you said: am I eligible?"]
