"""Telegram channel, configured from the environment (credentials.yml only names the class). On when
TELEGRAM_TOKEN is set; otherwise it adds no route, logs nothing and calls nothing.

Route: POST /webhooks/telegram/webhook. Unlike Rasa 3.6's TelegramInput, every update must carry Telegram's
secret token (header X-Telegram-Bot-Api-Secret-Token, set with setWebhook at start-up); anything else gets
403 before it is read. Settings (README, "Telegram"):

  TELEGRAM_TOKEN          the bot token from @BotFather (turns the channel on)
  TELEGRAM_BOT_NAME       the bot's username, without @ (commands addressed to other bots are ignored)
  TELEGRAM_WEBHOOK_URL    the public HTTPS address of /webhooks/telegram/webhook
  TELEGRAM_SECRET_TOKEN   1-256 characters A-Z a-z 0-9 _ - (use a long random one); Telegram sends it back
  TELEGRAM_API_URL        optional, another Bot API server (default https://api.telegram.org)

With TELEGRAM_TOKEN set, a missing or invalid setting stops the server at start-up with a message naming it:
a half-configured bot would either be open to forged updates or silently receive nothing."""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import os
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Text
from urllib.parse import urlsplit

import aiohttp
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer, check_token
from aiogram.utils.exceptions import ValidationError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import admission as admission_module
from channels import messages, namespaces, shared_state
from channels.admission import Admission
from channels.telegram_output import LongPayloads, TelegramReplies
from channels.telegram_updates import Incoming, MalformedUpdate, read_update, update_id

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts
MAX_UPDATE_BYTES = 1 << 20  # real updates are a few kilobytes
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
REGISTER_RETRY_DELAYS = (2, 10, 30)  # seconds between setWebhook attempts when Telegram cannot be reached
REGISTER_TIMEOUT = 30  # seconds per attempt
RECENT_UPDATES = 1000  # update ids remembered, so that an update Telegram delivers twice is handled once
EXPIRED_BUTTON = messages.text("telegram_expired_button")


class TelegramConfigError(RasaException):
    """TELEGRAM_TOKEN is set but the other settings do not allow a safe channel."""


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    bot_name: str
    webhook_url: str
    secret_token: str
    api_url: Optional[str] = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Optional["TelegramSettings"]:
        """None when TELEGRAM_TOKEN is unset or empty (channel off); raises TelegramConfigError when it is set
        and another setting is missing or invalid."""
        value = {name: (env.get(name) or "").strip() for name in (
            "TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN",
            "TELEGRAM_API_URL")}
        if not value["TELEGRAM_TOKEN"]:
            return None
        missing = [name for name in ("TELEGRAM_BOT_NAME", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN")
                   if not value[name]]
        if missing:
            verb, pronoun = ("is", "it") if len(missing) == 1 else ("are", "them")
            raise TelegramConfigError(
                f"TELEGRAM_TOKEN is set but {' and '.join(missing)} {verb} not. Set {pronoun} too (README, "
                "'Telegram'), or unset TELEGRAM_TOKEN to run without Telegram.")
        try:
            check_token(value["TELEGRAM_TOKEN"])
        except ValidationError:
            raise TelegramConfigError("TELEGRAM_TOKEN does not look like a bot token ('123456:ABC...').") from None
        if not SECRET_PATTERN.match(value["TELEGRAM_SECRET_TOKEN"]):
            raise TelegramConfigError(
                "TELEGRAM_SECRET_TOKEN must be 1 to 256 characters from A-Z a-z 0-9 _ - (e.g. the output of: "
                "python -c 'import secrets; print(secrets.token_hex(32))').")
        for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_API_URL"):
            if value[name] and (urlsplit(value[name]).scheme not in ("http", "https")
                                or not urlsplit(value[name]).netloc):
                raise TelegramConfigError(f"{name} must be an http(s) URL, not {value[name]!r}.")
        return cls(value["TELEGRAM_TOKEN"], value["TELEGRAM_BOT_NAME"].lstrip("@"), value["TELEGRAM_WEBHOOK_URL"],
                   value["TELEGRAM_SECRET_TOKEN"], value["TELEGRAM_API_URL"] or None)

    @property
    def server(self) -> TelegramAPIServer:
        return TelegramAPIServer.from_base(self.api_url) if self.api_url else TELEGRAM_PRODUCTION


class TelegramChannel(TelegramInput):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(TelegramSettings.from_env())

    def __init__(self, settings: Optional[TelegramSettings], admission: Optional[Admission] = None) -> None:
        super().__init__(settings.token if settings else None, settings.bot_name if settings else None,
                         settings.webhook_url if settings else None, debug_mode=False)
        self.settings = settings
        self.long_payloads = LongPayloads()
        self._replies: Optional[TelegramReplies] = None
        # shared by every instance when REDIS_URL is set (channels/shared_state.py)
        self._recent_updates = shared_state.cache("telegram-updates", RECENT_UPDATES, math.inf)
        self.webhook_registration: Optional[asyncio.Task] = None
        self.admission = admission or admission_module.shared()

    def get_output_channel(self) -> Optional[TelegramReplies]:
        """The bot that sends replies. Unlike Rasa's, it calls nothing: the webhook is set at start-up."""
        if self.settings is None:
            return None
        if self._replies is None:
            self._replies = TelegramReplies(self.settings.token, self.settings.server, self.long_payloads)
        return self._replies

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("telegram_webhook", __name__)
        if self.settings is None:
            return bp  # off: no route, no listener
        replies = self.get_output_channel()

        @bp.listener("after_server_start")
        async def register(_app: Any, _loop: Any) -> None:
            # In the background: the server answers at once even when Telegram is slow or unreachable.
            self.webhook_registration = asyncio.create_task(self._register_webhook())

        @bp.listener("before_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            if self.webhook_registration and not self.webhook_registration.done():
                self.webhook_registration.cancel()
            session = replies._session  # aiogram's Bot.close() is deprecated in 2.15; close the session itself
            if session is not None and not session.closed:
                await session.close()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self._has_secret(request):
                return response.json({"error": "forbidden"}, status=403)
            if len(request.body or b"") > MAX_UPDATE_BYTES:
                return response.json({"error": "update too large"}, status=413)
            try:
                update = json.loads(request.body or b"")
                incoming = read_update(update, self.settings.bot_name)
            except (ValueError, RecursionError) as error:  # bad JSON, bad UTF-8, not an update
                reason = str(error) if isinstance(error, MalformedUpdate) else "The body is not valid JSON."
                return response.json({"error": reason}, status=400)
            handled = update_id(update)
            if self._first_delivery(handled):
                try:
                    await self._handle(incoming, replies, on_new_message)
                except asyncio.CancelledError:  # a timeout or a lost connection: Telegram will deliver it again
                    self._recent_updates.pop(handled)
                    raise
            return response.json({"ok": True})  # 200 even on failure: Telegram would redeliver otherwise

        return bp

    def _has_secret(self, request: Request) -> bool:
        sent = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), self.settings.secret_token.encode())

    def _first_delivery(self, update: int) -> bool:
        _, first = self._recent_updates.get_or_create(update, lambda: True)
        return first

    async def _handle(self, incoming: Incoming, replies: TelegramReplies,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        text: Optional[str] = incoming.text
        if incoming.callback_query_id:
            text = self.long_payloads.payload(text) if text else text
            await self._answer_button_press(replies, incoming.callback_query_id,
                                            EXPIRED_BUTTON if incoming.kind == "button" and text is None else None)
        if incoming.kind in ("reply", "text", "button"):
            refusal = self.admission.check(namespaces.sender_id(namespaces.TELEGRAM, incoming.chat_id),
                                           text or "")
            if refusal is not None:
                if refusal.tell:
                    await self._send_quietly(replies, incoming.chat_id, refusal.text)
                return
        try:
            if incoming.kind == "reply":
                await replies.send_text_message(str(incoming.chat_id), incoming.text)
            elif incoming.kind in ("text", "button") and text:
                await on_new_message(UserMessage(text, replies, namespaces.sender_id(namespaces.TELEGRAM,
                                                                                     incoming.chat_id),
                                                 input_channel=self.name()))
        except Exception:
            logger.exception("Telegram: could not handle an update for chat %s", incoming.chat_id)
            await self._send_quietly(replies, incoming.chat_id, messages.text("something_went_wrong"))

    @staticmethod
    async def _send_quietly(replies: TelegramReplies, chat_id: Optional[int], text: str) -> None:
        try:
            await replies.send_text_message(str(chat_id), text)
        except Exception:  # Telegram itself may be what failed
            logger.debug("Telegram: could not send a reply to chat %s", chat_id, exc_info=True)

    @staticmethod
    async def _answer_button_press(replies: TelegramReplies, query_id: str, text: Optional[str]) -> None:
        """Stops the button's spinner before the (slower) answer. A failure (e.g. the press is too old to
        answer) does not stop the press from reaching the bot."""
        try:
            await replies.answer_button_press(query_id, text)
        except Exception as error:
            logger.warning("Telegram: answerCallbackQuery failed (%s); handling the button press anyway.", error)

    async def _register_webhook(self) -> None:
        """setWebhook with the secret token (aiogram 2.15's set_webhook has no secret_token parameter). Called
        directly rather than through aiogram, whose debug log would print the secret."""
        settings = self.settings
        url = settings.server.api_url(token=settings.token, method="setWebhook")
        params = {"url": settings.webhook_url, "secret_token": settings.secret_token,
                  "allowed_updates": ALLOWED_UPDATES}
        for attempt, delay in enumerate((*REGISTER_RETRY_DELAYS, None), start=1):
            try:
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REGISTER_TIMEOUT)) as session:
                    async with session.post(url, json=params) as reply:
                        status, body = reply.status, await reply.text()
                answer = _json_object(body)
                if status == 200 and answer.get("ok") is True:
                    logger.info("Telegram: webhook registered at %s", settings.webhook_url)
                    return
                problem = f"HTTP {status}: {answer.get('description') or body[:200]}"
                if 400 <= status < 500 and status != 429:  # a wrong token or URL: trying again cannot help
                    delay = None
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                problem = f"{type(error).__name__}: {error}"
            if delay is None:
                logger.error("Telegram: could NOT register the webhook %s (%s). The server keeps running, but "
                             "Telegram will not deliver messages until setWebhook succeeds: check "
                             "TELEGRAM_TOKEN / TELEGRAM_WEBHOOK_URL / TELEGRAM_API_URL and restart.",
                             settings.webhook_url, problem)
                return
            logger.warning("Telegram: setWebhook attempt %d failed (%s); trying again in %ds.",
                           attempt, problem, delay)
            await asyncio.sleep(delay)


def _json_object(body: str) -> Dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
