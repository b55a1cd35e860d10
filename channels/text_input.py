"""Text no channel can pass on: a lone UTF-16 surrogate (JSON's "\\ud800" escape can carry one) cannot be
encoded, so spaCy fails on it and, in a conversation id, Rasa's SQL tracker store stops the whole server.
The REST channel refuses such a sender with 400; in message text, from any channel, each one becomes U+FFFD
(the replacement character) before the assistant reads it."""
from __future__ import annotations

import functools
import re
from typing import Any, Text

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_surrogates(text: Text) -> bool:
    return SURROGATE.search(text) is not None


def clean(text: Text) -> Text:
    return SURROGATE.sub(REPLACEMENT, text)


def install() -> None:
    """Cleans every message's text in Rasa's Agent.handle_message, which every channel calls."""
    from rasa.core.agent import Agent

    original = Agent.handle_message
    if getattr(original, "text_cleaned", False):
        return

    @functools.wraps(original)
    async def handle_message(self: Agent, message: Any) -> Any:
        if isinstance(message.text, str) and has_surrogates(message.text):
            message.text = clean(message.text)
        return await original(self, message)

    handle_message.text_cleaned = True  # type: ignore[attr-defined]
    Agent.handle_message = handle_message
