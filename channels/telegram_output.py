"""What the assistant says, sent to Telegram: Rasa's TelegramOutput (an aiogram Bot) with Telegram's limits
kept. Texts longer than a message allows are split, buttons become an inline keyboard (one button per row, so
long titles stay readable), and custom payloads are never sent as raw JSON."""
from __future__ import annotations

import base64
import hashlib
import logging
import math
from typing import Any, Dict, List, Optional, Text

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from rasa.core.channels.telegram import TelegramOutput

from channels import messages, namespaces, shared_state

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit, counted in UTF-16 code units
MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit for a button's callback_data
# Custom payloads that have a text version sent next to them (actions/verdict.py), so Telegram skips them.
CUSTOM_PAYLOADS_WITH_TEXT = {"kvisa_verdict"}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> List[str]:
    """Splits text into messages of at most `limit` UTF-16 units, at a paragraph, line or word break when
    one falls in the second half of the piece, else mid-word."""
    text = text.strip()
    parts = []
    while utf16_length(text) > limit:
        head = _longest_prefix(text, limit)
        cut = len(head)
        for separator in ("\n\n", "\n", " "):
            at = head.rfind(separator)
            if at >= len(head) // 2:
                cut = at
                break
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


def _longest_prefix(text: str, limit: int) -> str:
    low, high = 0, min(len(text), limit)
    while low < high:  # the longest prefix that fits: characters outside the BMP count twice
        middle = (low + high + 1) // 2
        if utf16_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return text[:low]


class LongPayloads:
    """Button payloads too long for callback_data travel as a short key; the key is looked up when the button
    is pressed. Kept in memory, or in Redis when REDIS_URL is set (the domain's payloads are few and all fit
    today); a key that is not known (any more) reads as an expired button."""
    PREFIX = "#k:"

    def __init__(self, capacity: int = 1024):
        self._payloads = shared_state.cache("telegram-payloads", capacity, math.inf)

    def callback_data(self, payload: str) -> str:
        if len(payload.encode()) <= MAX_CALLBACK_DATA_BYTES and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + base64.urlsafe_b64encode(hashlib.sha256(payload.encode()).digest()[:18]).decode()
        self._payloads.set(key, payload)
        return key

    def payload(self, callback_data: str) -> Optional[str]:
        """The payload a pressed button stands for; None when it is a key this process no longer knows."""
        if not callback_data.startswith(self.PREFIX):
            return callback_data
        return self._payloads.get(callback_data)


class TelegramReplies(TelegramOutput):
    def __init__(self, token: Text, server: TelegramAPIServer, long_payloads: LongPayloads) -> None:
        Bot.__init__(self, token, server=server)  # TelegramOutput's own __init__ cannot pass the server
        self.long_payloads = long_payloads

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        # Rasa addresses replies to the conversation ("tg:<chat id>"); Telegram needs the chat id.
        await super().send_response(namespaces.local_id(namespaces.TELEGRAM, recipient_id), message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text):
            await self.send_message(recipient_id, part)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        keyboard = InlineKeyboardMarkup()
        for button in buttons:
            title = str(button.get("title") or button.get("payload") or "")
            payload = str(button.get("payload") or title)
            if title:
                keyboard.row(InlineKeyboardButton(title, callback_data=self.long_payloads.callback_data(payload)))
        parts = split_text(text) or [messages.text("telegram_choose_one")]  # no keyboard without a text
        for part in parts[:-1]:
            await self.send_message(recipient_id, part)
        await self.send_message(recipient_id, parts[-1], reply_markup=keyboard if keyboard.inline_keyboard
                                else None)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        kind = json_message.get("type") if isinstance(json_message, dict) else None
        if kind in CUSTOM_PAYLOADS_WITH_TEXT:
            logger.debug("Telegram: custom payload %r not sent; its text version was.", kind)
        else:
            logger.warning("Telegram: a custom payload of type %r has no Telegram form; not sent.", kind)

    async def answer_button_press(self, callback_query_id: Text, text: Optional[Text] = None) -> None:
        await self.answer_callback_query(callback_query_id, text=text)
