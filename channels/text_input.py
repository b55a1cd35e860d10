"""Text no channel can pass on: a lone UTF-16 surrogate (JSON's "\\ud800" escape can carry one) cannot be
encoded, so spaCy fails on it and, in a conversation id, Rasa's SQL tracker store stops the whole server.
The REST channel refuses such a sender with 400; in message text, from any channel, each one becomes U+FFFD
(the replacement character) before the assistant reads it."""
from __future__ import annotations

import re
from typing import Any, Awaitable, Callable, Text

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def has_surrogates(text: Text) -> bool:
    return SURROGATE.search(text) is not None


def clean(text: Text) -> Text:
    return SURROGATE.sub(REPLACEMENT, text)


async def _step(rest: Callable[[Any], Awaitable[Any]], agent: Any, message: Any) -> Any:
    if isinstance(message.text, str) and has_surrogates(message.text):
        message.text = clean(message.text)
    return await rest(message)


def install() -> None:
    """Cleans every message's text in Rasa's Agent.handle_message, which every channel calls."""
    from channels import agent_hooks

    agent_hooks.around_each_message("text_input", _step)
