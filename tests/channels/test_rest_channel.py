"""The REST channel in process (tests/channels/sanic_server.py) with a stand-in bot that records what reaches
it: input checks, and conversations kept in the "rest:" namespace."""
from __future__ import annotations

import uuid
from typing import List

import pytest
import requests
from rasa.core.channels.channel import UserMessage

from channels import messages
from channels.rest import CheckedRestInput, RestConfigError, rest_token
from tests.channels.sanic_server import ChannelServer


class Bot:
    def __init__(self):
        self.messages: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": f"you said: {message.text}"})


@pytest.fixture
def served():
    bot = Bot()
    with ChannelServer(CheckedRestInput(), bot) as server:
        server.bot = bot
        yield server


def post(served, body, **kwargs):
    return requests.post(served.webhook_url, json=body, timeout=30, **kwargs)


def test_a_message_reaches_the_bot_in_the_rest_namespace_and_the_reply_names_the_client_s_sender(served):
    reply = post(served, {"sender": "4243", "message": "am I eligible?"})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": "4243", "text": "you said: am I eligible?"}]
    [message] = served.bot.messages
    assert (message.sender_id, message.input_channel) == ("rest:4243", "rest")


@pytest.mark.parametrize("sender", ["tg:4243", "wx:o123", "web:" + uuid.uuid4().hex, "rest:x"])
def test_a_sender_naming_another_namespace_stays_inside_rest(served, sender):
    post(served, {"sender": sender, "message": "hi"})
    assert served.bot.messages[-1].sender_id == "rest:" + sender


def test_the_client_cannot_claim_another_input_channel(served):
    post(served, {"sender": "a", "message": "hi", "input_channel": "telegram"})
    assert served.bot.messages[-1].input_channel == "rest"


@pytest.mark.parametrize("body", [{"message": "hi"}, {"sender": "", "message": "hi"}, {"sender": "  "},
                                  {"sender": None, "message": "hi"}, {"sender": True, "message": "hi"},
                                  {"sender": "x" * 201, "message": "hi"}, {"sender": ["x"], "message": "hi"},
                                  {"sender": "x", "message": {"a": 1}}, {"sender": "x", "metadata": "m"},
                                  {"sender": "\ud800", "message": "hi"},  # a lone surrogate: not encodable
                                  [1, 2], "just text"])
def test_a_body_without_a_usable_sender_or_message_gets_400_and_reaches_nobody(served, body):
    reply = post(served, body)
    assert reply.status_code == 400, reply.text
    assert "Expected a JSON object" in reply.text
    assert served.bot.messages == []


def test_invalid_json_gets_400(served):
    reply = requests.post(served.webhook_url, data=b"{not json", headers={"Content-Type": "application/json"},
                          timeout=30)
    assert reply.status_code == 400
    assert served.bot.messages == []


# --- who may use it ---------------------------------------------------------------------------------------

TOKEN = uuid.uuid4().hex


@pytest.fixture
def protected():
    bot = Bot()
    with ChannelServer(CheckedRestInput(token=TOKEN), bot) as server:
        server.bot = bot
        yield server


@pytest.mark.parametrize("header", [None, "", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}",
                                    TOKEN, "Bearer "])
def test_with_a_token_a_message_without_it_gets_401_and_reaches_nobody(protected, header):
    headers = {} if header is None else {"Authorization": header}
    reply = post(protected, {"sender": "a", "message": "hi"}, headers=headers)
    assert reply.status_code == 401 and reply.headers["WWW-Authenticate"] == "Bearer"
    assert protected.bot.messages == []


def test_with_the_token_the_message_goes_through(protected):
    reply = post(protected, {"sender": "a", "message": "hi"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert reply.status_code == 200 and reply.json()[0]["text"] == "you said: hi"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_on_loopback_no_token_is_needed(host):
    assert rest_token({"RASA_HOST": host}) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "chat.example.org", None])
def test_beyond_loopback_the_channel_refuses_to_start_without_a_token_and_says_why(host):
    env = {} if host is None else {"RASA_HOST": host}
    with pytest.raises(RestConfigError, match="REST_TOKEN"):
        rest_token(env)
    assert rest_token({**env, "REST_TOKEN": TOKEN}) == TOKEN


def test_a_short_token_is_refused():
    with pytest.raises(RestConfigError, match="at least 16"):
        rest_token({"RASA_HOST": "0.0.0.0", "REST_TOKEN": "secret"})


def test_from_credentials_reads_the_environment(monkeypatch):
    monkeypatch.setenv("RASA_HOST", "0.0.0.0")
    monkeypatch.delenv("REST_TOKEN", raising=False)
    with pytest.raises(RestConfigError, match="RASA_HOST=0.0.0.0"):
        CheckedRestInput.from_credentials(None)
    monkeypatch.setenv("REST_TOKEN", TOKEN)
    assert CheckedRestInput.from_credentials(None).token == TOKEN


def test_when_the_assistant_fails_the_client_gets_the_apology_not_a_500():
    async def broken(message):
        raise RuntimeError("the tracker store is down")

    with ChannelServer(CheckedRestInput(), broken) as server:
        reply = post(server, {"sender": "a", "message": "hi"})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": "a", "text": messages.text("something_went_wrong")}]
