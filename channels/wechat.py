"""WeChat Official Account channel (公众号), route /webhooks/wechat/webhook, built on wechatpy.

On when WECHAT_TOKEN is set, silent otherwise (no routes, no warnings). Settings come from the environment
(README, "WeChat"): WECHAT_TOKEN, WECHAT_APPID + WECHAT_SECRET (customer-service API), WECHAT_AES_KEY (safe
mode), WECHAT_API_URL, WECHAT_REPLY_TIMEOUT.

WeChat waits 5 s for an answer and otherwise retries the same message up to three times. So each message is
handled once (keyed by MsgId, or sender + CreateTime for events): the answer goes back as a passive XML reply
when the assistant is done within WECHAT_REPLY_TIMEOUT seconds; otherwise WeChat gets `success` at once and the
answer follows through the customer-service API. Every signature is checked, and every XML body is checked by
defusedxml (channels/safe_xml.py), before anything else reads it.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text
from xml.etree.ElementTree import Element

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import to_binary

from channels import admission as admission_module
from channels import erasure, messages, namespaces, shared_state
from channels.admission import Admission
from channels.safe_xml import MAX_XML_BYTES, UnsafeXml, checked_xml
from channels.wechat_exchanges import Exchanges, MemoryRecords, RedisRecords
from channels.wechat_client import DEFAULT_API_URL, CustomerServiceClient
from channels.wechat_format import Option, Rendered, option_number, render, shorten, split_text

logger = logging.getLogger(__name__)

DEFAULT_REPLY_TIMEOUT = 4.5  # seconds; WeChat gives up after 5
# A signed request is accepted only this close to its timestamp, and its nonce is remembered for as long, so
# that a signed URL that leaks cannot be replayed later, nor reused now for another message.
SIGNATURE_WINDOW = 300  # seconds, either way
NONCES_REMEMBERED = 100_000
WELCOME_PAYLOAD = "/greet"  # sent to the bot for a new follower (subscribe event)
SUCCESS = "success"  # WeChat's "received, no reply" answer; it does not retry after it
# A failed customer-service message is tried again after these pauses (seconds), then given up and logged.
PUSH_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)
# Errors another try cannot change: the user has not written for 48 hours (45015), has unfollowed (43004),
# too many messages since their last one (45047), a wrong openid (40003), no permission (48001).
PUSH_PERMANENT_ERRORS = {45015, 43004, 45047, 40003, 48001}

ONLY_TEXT = messages.text("wechat_text_only")
TOO_SLOW = messages.text("wechat_too_slow")
CUT_NOTE = messages.text("wechat_cut_note")
TEXT_TYPES = {"text"}
WELCOME_EVENT = "subscribe"  # a new follower (also when they followed by scanning a QR code)


@dataclass(frozen=True)
class WeChatSettings:
    token: Text
    appid: Text = ""
    secret: Text = ""
    aes_key: Text = ""
    api_url: Text = DEFAULT_API_URL
    reply_timeout: float = DEFAULT_REPLY_TIMEOUT
    allow_plaintext: bool = False

    def __post_init__(self) -> None:
        if not self.aes_key and not self.allow_plaintext:
            raise ValueError(
                "WECHAT_TOKEN is set but WECHAT_AES_KEY is not: in plaintext mode WeChat signs only the URL, not "
                "the message, so a leaked URL lets anyone write as any user. Set WECHAT_AES_KEY (safe mode, "
                "安全模式; README, 'WeChat'), or WECHAT_ALLOW_PLAINTEXT=1 to accept that risk.")

    @classmethod
    def from_env(cls, env: Mapping[Text, Text] = os.environ) -> Optional["WeChatSettings"]:
        """The settings, or None when WECHAT_TOKEN is not set (the channel is then off)."""
        token = env.get("WECHAT_TOKEN", "").strip()
        if not token:
            return None
        timeout_text = env.get("WECHAT_REPLY_TIMEOUT", "").strip() or str(DEFAULT_REPLY_TIMEOUT)
        try:
            reply_timeout = float(timeout_text)
        except ValueError:
            reply_timeout = -1.0
        if not 0 < reply_timeout < 60:
            raise ValueError(f"WECHAT_REPLY_TIMEOUT must be a number of seconds (default 4.5), got {timeout_text!r}")
        settings = cls(token=token, appid=env.get("WECHAT_APPID", "").strip(),
                       secret=env.get("WECHAT_SECRET", "").strip(), aes_key=env.get("WECHAT_AES_KEY", "").strip(),
                       api_url=env.get("WECHAT_API_URL", "").strip() or DEFAULT_API_URL,
                       reply_timeout=reply_timeout,
                       allow_plaintext=env.get("WECHAT_ALLOW_PLAINTEXT", "").strip() == "1")
        if settings.aes_key and not settings.appid:
            raise ValueError("WECHAT_AES_KEY (safe mode) needs WECHAT_APPID: encrypted messages name the AppID")
        return settings

    @property
    def customer_service(self) -> bool:
        return bool(self.appid and self.secret)


def signature(*parts: Text) -> Text:
    """WeChat's signature: sha1 over the sorted strings, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def same_signature(expected: Text, given: Text) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogateescape"))  # constant time


class BadRequest(Exception):
    """The body is not a WeChat message we can read: answered 400."""


class Forbidden(Exception):
    """A signature does not match, or plain text came while safe mode is on: answered 403."""


def message_key(fields: Dict[Text, Text]) -> tuple:
    """What identifies one message across WeChat's retries: its MsgId (events have none: sender + CreateTime).
    The sender is part of it, so one user's MsgId can never fetch another user's answer."""
    openid = fields["FromUserName"]
    if fields.get("MsgId"):
        return "msg", openid, fields["MsgId"]
    return "event", openid, fields.get("CreateTime")


class WeChatChannel(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatChannel":
        # credentials.yml lists the channel without values: secrets stay in the environment
        return cls(WeChatSettings.from_env())

    def __init__(self, settings: Optional[WeChatSettings],
                 customer_service: Optional[CustomerServiceClient] = None,
                 admission: Optional[Admission] = None) -> None:
        self.settings = settings
        self.admission = admission or admission_module.shared()
        self.crypto: Optional[WeChatCrypto] = None
        self.customer_service = customer_service
        if settings is None:
            return
        if settings.aes_key:
            try:
                self.crypto = WeChatCrypto(settings.token, settings.aes_key, settings.appid)
            except Exception:  # wrong length or not base64
                raise ValueError("WECHAT_AES_KEY must be the 43-character EncodingAESKey from the WeChat "
                                 "console") from None
        if customer_service is None and settings.customer_service:
            self.customer_service = CustomerServiceClient(settings.appid, settings.secret, settings.api_url)
        if self.customer_service is None:
            logger.info("WeChat: WECHAT_APPID/WECHAT_SECRET not set, so answers slower than %.1f s cannot be "
                        "sent later and long answers are shortened", settings.reply_timeout)
        # each message and its retries (channels/wechat_exchanges.py); in Redis when REDIS_URL is set, like the
        # numbered options and the nonces (channels/shared_state.py)
        url = shared_state.redis_url()
        self.exchanges = Exchanges(RedisRecords(shared_state.redis_client(url)) if url else MemoryRecords())
        self.options = shared_state.cache("wechat-options", 20000, 24 * 3600,
                                          dumps=lambda options: [[o.title, o.payload] for o in options],
                                          loads=lambda raw: [Option(title, payload) for title, payload in raw])
        # nonce -> the message it signed, for as long as its timestamp is acceptable
        self.nonces = shared_state.cache("wechat-nonces", NONCES_REMEMBERED, 2 * SIGNATURE_WINDOW,
                                         dumps=list, loads=tuple)
        self._background: Set[asyncio.Future] = set()
        self.push_retry_delays = PUSH_RETRY_DELAYS
        erasure.on_erase(self._forget)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("wechat_webhook", __name__)
        if self.settings is None:
            return webhook  # off: no routes

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            """WeChat's server check when the URL is saved in the console: echo `echostr` if signed by us."""
            if not self._signed(request):
                return response.text("invalid signature", status=403)
            echo = request.args.get("echostr")
            if not echo:
                return response.text("missing echostr", status=400)
            if not self._nonce_fresh(request, ("echo", echo)):
                return response.text("nonce already used", status=403)
            return response.text(echo)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                fields, message = self._read(request)
            except Forbidden as reason:
                return response.text(str(reason), status=403)
            except BadRequest as reason:
                logger.debug("WeChat: refused a body: %s", reason)
                return response.text(str(reason), status=400)
            text = await self._answer(message, fields, on_new_message)
            return self._reply(request, message, text)

        return webhook

    def _forget(self, conversation_id: Text) -> None:
        """Drops the user's numbered options and remembered replies (their conversation was erased)."""
        try:
            openid = namespaces.local_id(namespaces.WECHAT, conversation_id)
        except ValueError:
            return  # another channel's conversation
        self.options.pop(openid)
        self.exchanges.forget(openid)

    # --- reading a request ---------------------------------------------------------------------------------

    def _signed(self, request: Request) -> bool:
        """A valid signature over a timestamp within SIGNATURE_WINDOW of now."""
        args = request.args
        given, timestamp, nonce = (args.get(name) or "" for name in ("signature", "timestamp", "nonce"))
        if not (given and nonce and timestamp.isascii() and timestamp.isdigit()):
            return False
        if abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW:
            return False
        return same_signature(signature(self.settings.token, timestamp, nonce), given)

    def _nonce_fresh(self, request: Request, message: tuple) -> bool:
        """False when the nonce already signed another message; WeChat's retry of the same message may reuse
        it (and then gets the remembered reply)."""
        signed, _ = self.nonces.get_or_create(request.args.get("nonce") or "", lambda: message)
        return signed == message

    def _read(self, request: Request):
        """The message's raw fields and the wechatpy message, once every check has passed."""
        if not self._signed(request):
            raise Forbidden("invalid signature")
        encrypted = (request.args.get("encrypt_type") or "raw").lower() == "aes"
        if self.crypto is not None and not encrypted:
            # with an EncodingAESKey configured, only safe-mode (encrypted) messages are accepted
            raise Forbidden("safe mode: encrypted messages only")
        if encrypted and self.crypto is None:
            raise BadRequest("encrypted message but WECHAT_AES_KEY is not set")
        body = request.body or b""
        try:
            element = checked_xml(body, max_bytes=MAX_XML_BYTES)
            if encrypted:
                xml = self._decrypted(request, element)
                element = checked_xml(xml, max_bytes=MAX_XML_BYTES)
            else:
                xml = body
        except UnsafeXml as reason:
            raise BadRequest(str(reason)) from None
        fields = {child.tag: (child.text or "") for child in element}
        if not fields.get("MsgType") or not fields.get("FromUserName") or not fields.get("ToUserName"):
            raise BadRequest("not a WeChat message: MsgType, FromUserName and ToUserName are required")
        if not self._nonce_fresh(request, message_key(fields)):
            raise Forbidden("nonce already used for another message")
        try:
            message = parse_message(xml)  # xmltodict, on a document defusedxml has accepted
        except Exception as error:
            raise BadRequest(f"unreadable WeChat message: {type(error).__name__}") from None
        return fields, message

    def _decrypted(self, request: Request, envelope: Element) -> bytes:
        encrypted = envelope.findtext("Encrypt")
        if not encrypted:
            raise UnsafeXml("safe mode message without <Encrypt>")
        args = request.args
        expected = signature(self.settings.token, args.get("timestamp") or "", args.get("nonce") or "", encrypted)
        if not same_signature(expected, args.get("msg_signature") or ""):
            raise Forbidden("invalid msg_signature")
        try:
            xml = self.crypto.decrypt_message({"Encrypt": encrypted}, args.get("msg_signature") or "",
                                              args.get("timestamp") or "", args.get("nonce") or "")
        except InvalidSignatureException:
            raise Forbidden("invalid msg_signature") from None
        except Exception as error:  # bad base64, bad padding, another AppID
            raise UnsafeXml(f"cannot decrypt: {type(error).__name__}") from None
        return to_binary(xml)

    # --- answering -------------------------------------------------------------------------------------------

    async def _answer(self, message: Any, fields: Dict[Text, Text],
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Optional[Text]:
        """The text of the passive reply, or None for `success`."""
        openid = fields["FromUserName"]
        kind = fields["MsgType"].lower()
        if kind in TEXT_TYPES:
            user_text = (fields.get("Content") or "").strip()
        elif kind == "event" and (fields.get("Event") or "").lower() == WELCOME_EVENT:
            user_text = WELCOME_PAYLOAD
        elif kind == "event":
            return None  # unsubscribe, menu clicks, location reports...: nothing to say
        else:
            return ONLY_TEXT  # image, voice, video, location, link...: never reach the NLU
        if not user_text:
            return None
        key = message_key(fields)
        self.exchanges.begin(key, lambda: self._first_try(on_new_message, openid, user_text, fields.get("MsgId")),
                             lambda text: self._push(openid, split_text(text)))
        finished = await self.exchanges.wait(key, self.settings.reply_timeout)
        if finished is None:
            if self.customer_service is None:
                return TOO_SLOW
            finished = self.exchanges.defer(key)  # the answer will be pushed, unless it has just come
            if finished is None:
                return None
        text, pushed = finished
        if pushed:
            return None  # an earlier try of this message handed the answer to the customer-service API
        pieces = split_text(text)
        if len(pieces) <= 1:
            return pieces[0] if pieces else None
        if self.customer_service is None:
            return shorten(text, CUT_NOTE)
        if self.exchanges.claim_overflow(key):
            self._start(self._push(openid, pieces[1:]))
        return pieces[0]

    async def _first_try(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], openid: Text, text: Text,
                         message_id: Optional[Text]) -> Text:
        """A message seen for the first time: its turn's text, or the polite refusal (remembered like an
        answer, so a retry of a refused message is neither counted again nor processed)."""
        refusal = self.admission.check(namespaces.sender_id(namespaces.WECHAT, openid), text)
        if refusal is not None:
            return refusal.text
        return (await self._bot_turn(on_new_message, openid, text, message_id)).text

    async def _bot_turn(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], openid: Text, text: Text,
                        message_id: Optional[Text]) -> Rendered:
        options = self.options.get(openid) or []
        chosen = option_number(text, options)
        if chosen:
            text = options[chosen - 1].payload
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(text, collector, namespaces.sender_id(namespaces.WECHAT, openid),
                                             input_channel=self.name(),
                                             message_id=message_id))
        except Exception:
            logger.exception("WeChat: the assistant failed on a message")
            return Rendered(messages.text("something_went_wrong"))
        turn = render(collector.messages)
        if turn.options:
            self.options.set(openid, turn.options)
        else:
            self.options.pop(openid)  # a bare number now answers the question, e.g. an age
        return turn

    async def _push(self, openid: Text, pieces: List[Text]) -> None:
        for piece in pieces:
            if not await self._push_one(openid, piece):
                return  # the rest would arrive without its beginning

    async def _push_one(self, openid: Text, piece: Text) -> bool:
        """Sends one customer-service message, trying again after PUSH_RETRY_DELAYS when WeChat or the network
        fails; an error that another try cannot change (PUSH_PERMANENT_ERRORS) is not retried."""
        for attempt, delay in enumerate((*self.push_retry_delays, None), start=1):
            try:
                await self.customer_service.send_text(openid, piece)
                return True
            except Exception as error:
                permanent = getattr(error, "errcode", None) in PUSH_PERMANENT_ERRORS
                if delay is None or permanent:
                    logger.warning("WeChat: customer-service message not sent after %d attempt(s): %s",
                                   attempt, error)
                    return False
                logger.info("WeChat: customer-service message failed (%s); trying again in %g s", error, delay)
                await asyncio.sleep(delay)
        return False

    def _start(self, coroutine: Awaitable[Any]) -> "asyncio.Future":
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._background.discard)
        return task

    def _reply(self, request: Request, message: Any, text: Optional[Text]) -> HTTPResponse:
        if text is None:
            return response.text(SUCCESS)
        # "]]>" would end wechatpy's CDATA section early; split it across two sections instead
        xml = TextReply(message=message, content=text.replace("]]>", "]]]]><![CDATA[>")).render()
        if self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, request.args.get("nonce") or "")
        return response.text(xml, content_type="application/xml; charset=utf-8")
