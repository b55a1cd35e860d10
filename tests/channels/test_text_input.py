"""Text no channel can pass on (channels/text_input.py): lone surrogates become U+FFFD before the assistant
reads a message, whatever the channel."""
import asyncio
from types import SimpleNamespace

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels import text_input


def test_lone_surrogates_become_the_replacement_character_and_the_rest_is_kept():
    assert text_input.clean("I am 29 \ud83c") == "I am 29 \ufffd"
    assert text_input.clean("ok 👍 中文 مرحبا") == "ok 👍 中文 مرحبا"
    assert text_input.clean("I am 29 \ud83c").encode("utf-8")
    assert text_input.has_surrogates("\udfff") and not text_input.has_surrogates("👍")


def test_every_message_reaches_the_assistant_clean():
    seen = []

    async def original(self, message):
        seen.append(message.text)

    saved = Agent.handle_message
    try:
        Agent.handle_message = original
        text_input.install()
        asyncio.run(Agent.handle_message(SimpleNamespace(), UserMessage("hi \ud800", CollectingOutputChannel(),
                                                                        "rest:x")))
    finally:
        Agent.handle_message = saved
    assert seen == ["hi \ufffd"]
