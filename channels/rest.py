"""Rasa's REST channel with its input checked: a body that is not the expected JSON object gets a 400 that
says what is expected, instead of an error 500 from deep inside Rasa. Same route: /webhooks/rest/webhook."""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage
from sanic.request import Request

MAX_SENDER_LENGTH = 200
EXPECTED = 'Expected a JSON object like {"sender": "some-id", "message": "text"}.'


def _body(request: Request) -> Dict[Text, Any]:
    body = request.json  # invalid JSON: Sanic itself answers 400
    if not isinstance(body, dict):
        raise InvalidUsage(EXPECTED)
    return body


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if sender is None:
            return None
        if not isinstance(sender, (str, int)) or isinstance(sender, bool) or len(str(sender)) > MAX_SENDER_LENGTH:
            raise InvalidUsage(f"'sender' must be a string of at most {MAX_SENDER_LENGTH} characters. {EXPECTED}")
        return str(sender)

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = _body(req).get("message")
        if message is None:
            return ""
        if not isinstance(message, str):
            raise InvalidUsage(f"'message' must be a string. {EXPECTED}")
        return message

    def _extract_input_channel(self, req: Request) -> Text:
        channel = _body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InvalidUsage(f"'metadata' must be a JSON object. {EXPECTED}")
        return metadata
