"""Web chat sessions that only the server makes. A new socket.io connection gets a random session id and a token
for it: the id with an HMAC signature (the widget stores the token in localStorage and sends it back on a
reload, so the conversation survives). A token the server did not sign is never resumed: a client can only
continue its own session, never pick another one.

The signing key is WEB_SESSION_SECRET (scripts/run.sh makes one in var/ on the first start); without it a
random key is made per process, so sessions then end when the server restarts."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from typing import Mapping, Optional, Text

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_TOKEN_LENGTH = 100


class WebSessions:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("WEB_SESSION_SECRET must be at least 16 characters (e.g. the output of: "
                             "python -c 'import secrets; print(secrets.token_hex(32))')")
        self._key = key

    @classmethod
    def from_env(cls, env: Mapping[Text, Text] = os.environ) -> "WebSessions":
        secret = (env.get("WEB_SESSION_SECRET") or "").strip()
        if not secret:
            logger.info("WEB_SESSION_SECRET is not set: web chat sessions end when this server restarts.")
            return cls(secrets.token_bytes(32))
        return cls(secret.encode())

    def new(self) -> Text:
        """A token for a new random session."""
        return self._token(secrets.token_hex(16))

    def session_id(self, token: object) -> Optional[Text]:
        """The session id a token stands for, or None when the server did not issue it."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            return None
        session_id = token.split(".", 1)[0]
        if not SESSION_ID.match(session_id):
            return None
        return session_id if hmac.compare_digest(self._token(session_id), token) else None

    def _token(self, session_id: Text) -> Text:
        mac = hmac.new(self._key, session_id.encode(), hashlib.sha256).digest()
        return f"{session_id}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
