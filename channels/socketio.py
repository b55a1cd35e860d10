"""Rasa's socket.io channel (what the web chat widget speaks) with two fixes and one change:

- Rasa 3.6 spreads a custom payload into `emit()`'s keyword arguments, which raises for any payload without a
  "data" key (such as the eligibility card) and loses the message. Here the payload is the event's data, as
  in later Rasa versions, so the widget receives it.
- Events whose data is not what the protocol expects (not an object, a message that is not text, an odd
  session id) are ignored instead of raising inside the server.
- A message with a card and its text version sends only the card, which the page draws.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

logger = logging.getLogger(__name__)
MAX_SESSION_ID_LENGTH = 100


class CardSocketIOOutput(SocketIOOutput):
    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        # A message that carries a card (the eligibility verdict) also carries its text version for text-only
        # channels; the web page draws the card, so the text would only repeat it.
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") and message.get("text"):
            message = {key: value for key, value in message.items() if key != "text"}
        await super().send_response(recipient_id, message)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, json_message, room=recipient_id)


def _session_id(data: Any) -> Optional[Text]:
    session_id = data.get("session_id") if isinstance(data, dict) else None
    if isinstance(session_id, str) and 0 < len(session_id) <= MAX_SESSION_ID_LENGTH:
        return session_id
    return None


def _metadata(data: Dict[Text, Any], key: Text) -> Dict[Text, Any]:
    metadata = data.get(key) or {}
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            metadata = {}
    return metadata if isinstance(metadata, dict) else {}


class CheckedSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[CardSocketIOOutput]:
        return CardSocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio

        # Registering the same events again replaces Rasa's handlers with these checked ones.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            session_id = _session_id(data) or uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            output = CardSocketIOOutput(sio, self.bot_message_evt)
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.info("Ignored a socket.io message that is not {'message': text, ...} from %s", sid)
                return
            sender_id = _session_id(data) if self.session_persistence else sid
            if sender_id is None:
                logger.info("Ignored a socket.io message without a session_id from %s", sid)
                return
            await on_new_message(UserMessage(data.get("message", ""), output, sender_id,
                                             input_channel=self.name(),
                                             metadata=_metadata(data, self.metadata_key)))

        return socketio_webhook
