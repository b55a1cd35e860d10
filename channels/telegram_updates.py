"""Reads a Telegram Bot API update (https://core.telegram.org/bots/api#update) into what the channel does with
it: a text or a button press for the bot, a short reply that never reaches the NLU, or nothing. No Sanic, no
network: plain dicts in, a small value out, so every case can be tested on its own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

from channels import messages

# Telegram commands that stand for something the assistant already understands.
# /forget is answered before the NLU (channels/forget.py): it asks to confirm, then deletes the conversation.
COMMANDS = {"start": "/greet", "restart": "/start_over", "forget": "/forget"}

# Message contents the assistant cannot read: the user gets UNSUPPORTED_REPLY instead of a misunderstanding.
UNSUPPORTED_CONTENT = ("sticker", "photo", "voice", "video", "video_note", "audio", "document", "animation",
                       "location", "venue", "contact", "poll", "dice", "game", "invoice", "story")
UNSUPPORTED_REPLY = messages.text("telegram_text_only")
# An edit can change any earlier message; answering it now would answer a question the bot is no longer asking.
EDITED_REPLY = messages.text("telegram_edited")

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>[A-Za-z0-9_]+))?(?:\s+.*)?$", re.DOTALL)


class MalformedUpdate(ValueError):
    """The body is not a Telegram update (the webhook answers 400)."""


@dataclass(frozen=True)
class Incoming:
    """What to do with one update. kind: "text" and "button" go to the bot with `text`; "reply" answers
    `text` directly; "ignore" does nothing."""
    kind: str
    chat_id: Optional[int] = None
    text: str = ""
    callback_query_id: Optional[str] = None


IGNORE = Incoming("ignore")


def update_id(update: Any) -> int:
    if not isinstance(update, dict):
        raise MalformedUpdate("Expected a JSON object (a Telegram update).")
    value = update.get("update_id")
    if not _is_int(value):
        raise MalformedUpdate("A Telegram update needs an integer 'update_id'.")
    return value


def read_update(update: Dict[str, Any], bot_name: Optional[str] = None) -> Incoming:
    update_id(update)
    if "message" in update:
        return _read_message(_object(update, "message"), bot_name)
    if "edited_message" in update:
        return Incoming("reply", _chat_id(_object(update, "edited_message")), EDITED_REPLY)
    if "callback_query" in update:
        return _read_callback_query(_object(update, "callback_query"))
    return IGNORE  # my_chat_member, poll, channel_post, ...: nothing for this assistant to answer


def _read_message(message: Dict[str, Any], bot_name: Optional[str]) -> Incoming:
    chat_id = _chat_id(message)
    text = message.get("text")
    if isinstance(text, str):
        return _read_text(chat_id, text, bot_name)
    if text is not None:
        raise MalformedUpdate("'message.text' must be a string.")
    if any(key in message for key in UNSUPPORTED_CONTENT):
        return Incoming("reply", chat_id, UNSUPPORTED_REPLY)
    return IGNORE  # service messages: someone joined, a message was pinned, ...


def _read_text(chat_id: int, text: str, bot_name: Optional[str]) -> Incoming:
    if not text.strip():
        return IGNORE
    command = _COMMAND.match(text.strip())
    if command:
        addressee = command.group("bot")
        if addressee and bot_name and addressee.lower() != bot_name.lower():
            return IGNORE  # a command for another bot in a group chat
        intent = COMMANDS.get(command.group("name").lower())
        if intent:
            return Incoming("text", chat_id, intent)
    return Incoming("text", chat_id, text)


def _read_callback_query(query: Dict[str, Any]) -> Incoming:
    query_id = query.get("id")
    if not isinstance(query_id, str) or not query_id:
        raise MalformedUpdate("'callback_query.id' must be a non-empty string.")
    message = query.get("message")
    if isinstance(message, dict):
        chat_id = _chat_id(message)
    else:  # a button under an inline-mode message: no chat, answer the user privately
        chat_id = _int_field(_object(query, "from"), "id", "callback_query.from.id")
    data = query.get("data")
    if not isinstance(data, str) or not data:
        return Incoming("ignore", chat_id, "", query_id)  # e.g. a game button: acknowledged, nothing to say
    return Incoming("button", chat_id, data, query_id)


def _object(parent: Dict[str, Any], key: str) -> Dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise MalformedUpdate(f"'{key}' must be a JSON object.")
    return value


def _chat_id(message: Dict[str, Any]) -> int:
    return _int_field(_object(message, "chat"), "id", "chat.id")


def _int_field(parent: Dict[str, Any], key: str, label: str) -> int:
    value = parent.get(key)
    if not _is_int(value):
        raise MalformedUpdate(f"'{label}' must be an integer.")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
