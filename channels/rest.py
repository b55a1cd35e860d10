"""Rasa's REST channel with its input checked: a body that is not the expected JSON object gets a 400 that
says what is expected, instead of an error 500 from deep inside Rasa. Same route: /webhooks/rest/webhook.

Conversations are in the "rest:" namespace (channels/namespaces.py): a REST client names only REST
conversations, never a Telegram, WeChat or web one, and the input channel is always "rest".

REST lets its client name any REST conversation, so it is for this machine (tests, curl) unless protected:
with REST_TOKEN set, every message needs `Authorization: Bearer <REST_TOKEN>` (else 401); when the Rasa server
listens beyond loopback (RASA_HOST, which scripts/run.sh passes to `rasa run --interface`; Rasa's own default
is 0.0.0.0) the channel refuses to start without REST_TOKEN."""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse
from rasa.shared.exceptions import RasaException

from channels import admission as admission_module
from channels import messages, namespaces, text_input
from channels.admission import Admission

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 200
EXPECTED = 'Expected a JSON object like {"sender": "some-id", "message": "text"}.'


class RestConfigError(RasaException):
    """REST would be reachable from other machines without a token."""


def is_loopback(host: Text) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def rest_token(env: Mapping[Text, Text] = os.environ) -> Optional[Text]:
    """REST_TOKEN, or None; raises RestConfigError when Rasa listens beyond loopback without one."""
    token = (env.get("REST_TOKEN") or "").strip() or None
    host = (env.get("RASA_HOST") or "0.0.0.0").strip()
    if token is None and not is_loopback(host):
        raise RestConfigError(
            f"RASA_HOST={host} lets other machines reach the REST channel, which can read and write any REST "
            "conversation: set REST_TOKEN to a long random value (python -c 'import secrets; "
            "print(secrets.token_hex(32))') and send it as 'Authorization: Bearer <REST_TOKEN>', or keep "
            "RASA_HOST=127.0.0.1.")
    if token is not None and len(token) < 16:
        raise RestConfigError("REST_TOKEN must be at least 16 characters long (use a random one).")
    return token


def _authorized(request: Request, token: Optional[Text]) -> bool:
    if token is None:
        return True
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode("utf-8", "surrogateescape"),
                                                              token.encode())


def _body(request: Request) -> Dict[Text, Any]:
    body = request.json  # invalid JSON: Sanic itself answers 400
    if not isinstance(body, dict):
        raise InvalidUsage(EXPECTED)
    return body


def _sender(request: Request) -> Text:
    # Required: without it every anonymous client would share one conversation (Rasa's "default").
    sender = _body(request).get("sender")
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip() \
            or len(str(sender)) > MAX_SENDER_LENGTH or text_input.has_surrogates(str(sender)):
        raise InvalidUsage(f"'sender' must be a non-empty string of valid Unicode text, at most "
                           f"{MAX_SENDER_LENGTH} characters. {EXPECTED}")
    return str(sender)


def _message(request: Request) -> Text:
    message = _body(request).get("message")
    if message is None:
        return ""
    if not isinstance(message, str):
        raise InvalidUsage(f"'message' must be a string. {EXPECTED}")
    return message


def _metadata(request: Request) -> Optional[Dict[Text, Any]]:
    metadata = _body(request).get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidUsage(f"'metadata' must be a JSON object. {EXPECTED}")
    return metadata


def _as_sent_to(sender: Text, messages: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The client knows its conversation by the id it sent, not by the namespaced one."""
    return [{**message, "recipient_id": sender} for message in messages]


class CheckedRestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(token=rest_token())

    def __init__(self, token: Optional[Text] = None, admission: Optional[Admission] = None) -> None:
        self.token = token
        self.admission = admission or admission_module.shared()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("checked_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not _authorized(request, self.token):
                return response.json({"error": "This REST channel needs 'Authorization: Bearer <REST_TOKEN>'."},
                                     status=401, headers={"WWW-Authenticate": "Bearer"})
            sender, text, metadata = _sender(request), _message(request), _metadata(request)
            sender_id = namespaces.sender_id(namespaces.REST, sender)
            client = self.admission.client_ip(request.ip, request.headers.get("X-Forwarded-For"))
            refusal = self.admission.check(sender_id, text, client)
            if refusal is not None:
                return response.json([{"recipient_id": sender, "text": refusal.text}],
                                     status=429 if refusal.reason == "rate_limited" else 200)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                                 metadata=metadata))
            except Exception:  # e.g. the tracker store is down: say so rather than answer nothing
                logger.exception("REST: the assistant failed on a message")
                await collector.send_response(sender_id, {"text": messages.text("something_went_wrong")})
            return response.json(_as_sent_to(sender, collector.messages))

        return webhook
