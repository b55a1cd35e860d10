"""Rasa's socket.io channel (what the web chat widget speaks) with fixes and one security change:

- Sessions are made by the server only (channels/web_sessions.py). `session_request` resumes the session its
  signed token names, or starts a new random one; the connection is then bound to that one session for its
  life. A message naming any other session is ignored, so a client can neither pick nor reach another
  conversation. Conversations are in the "web:" namespace (channels/namespaces.py).
- Rasa 3.6 spreads a custom payload into `emit()`'s keyword arguments, which raises for any payload without a
  "data" key (such as the eligibility card) and loses the message. Here the payload is the event's data, as
  in later Rasa versions, so the widget receives it.
- Events whose data is not what the protocol expects (not an object, a message that is not text) are ignored
  instead of raising inside the server.
- A message with a card and its text version sends only the card, which the page draws.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels import admission as admission_module
from channels import log_redaction, messages, namespaces
from channels.admission import Admission
from channels.web_sessions import WebSessions

logger = logging.getLogger(__name__)


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

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "CheckedSocketIOInput":
        """Rasa's settings from credentials.yml, plus an optional JWT check of every connection: with
        SOCKETIO_JWT_KEY set (and SOCKETIO_JWT_METHOD, default HS256), a client must connect with
        auth={"token": <a JWT signed with that key>}, as a page behind your own login would; Rasa refuses
        other connections. The key stays in the environment, not in a file."""
        credentials = dict(credentials or {})
        key = (os.environ.get("SOCKETIO_JWT_KEY") or "").strip()
        if key and not credentials.get("jwt_key"):
            credentials["jwt_key"] = key
            credentials["jwt_method"] = (os.environ.get("SOCKETIO_JWT_METHOD") or "HS256").strip()
        return super().from_credentials(credentials)

    def __init__(self, *args: Any, sessions: Optional[WebSessions] = None, admission: Optional[Admission] = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = sessions or WebSessions.from_env()
        self.admission = admission or admission_module.shared()

    def _client_ip(self, sid: Text) -> Optional[Text]:
        request = (self.sio.get_environ(sid, namespace=self.namespace) or {}).get("sanic.request")
        if request is None:
            return None
        return self.admission.client_ip(request.ip, request.headers.get("X-Forwarded-For"))

    def get_output_channel(self) -> Optional[CardSocketIOOutput]:
        return CardSocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio

        async def bound_session(sid: Text) -> Dict[Text, Text]:
            return await sio.get_session(sid, namespace=self.namespace)  # {} until session_request

        # Registering the same events again replaces Rasa's handlers with these checked ones.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            bound = await bound_session(sid)
            if bound:  # one session per connection: asking again confirms the same one
                await sio.emit("session_confirm", bound["token"], room=sid)
                return
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = self.sessions.session_id(asked) if self.session_persistence else None
            token = asked if session_id else self.sessions.new()
            log_redaction.remember(token, asked if isinstance(asked, str) else None)  # tokens are secrets
            sender_id = namespaces.sender_id(namespaces.WEB, self.sessions.session_id(token))
            await sio.save_session(sid, {"token": token, "sender_id": sender_id}, namespace=self.namespace)
            sio.enter_room(sid, sender_id, namespace=self.namespace)  # replies are emitted to the sender id
            await sio.emit("session_confirm", token, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
                logger.info("Ignored a socket.io message that is not {'message': text, ...} from %s", sid)
                return
            bound = await bound_session(sid)
            if not bound:
                logger.info("Ignored a socket.io message before session_request from %s", sid)
                return
            if data.get("session_id") not in (None, bound["token"]):
                logger.warning("Ignored a socket.io message naming another session from %s", sid)
                return
            output = CardSocketIOOutput(sio, self.bot_message_evt)
            refusal = self.admission.check(bound["sender_id"], data.get("message", ""), self._client_ip(sid))
            if refusal is not None:
                if refusal.tell:
                    await output.send_response(bound["sender_id"], {"text": refusal.text})
                return
            try:
                await on_new_message(UserMessage(data.get("message", ""), output, bound["sender_id"],
                                                 input_channel=self.name(),
                                                 metadata=_metadata(data, self.metadata_key)))
            except Exception:  # say so rather than leave the widget waiting
                logger.exception("socket.io: the assistant failed on a message")
                await output.send_response(bound["sender_id"], {"text": messages.text("something_went_wrong")})

        return socketio_webhook
