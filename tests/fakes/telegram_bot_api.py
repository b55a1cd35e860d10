"""A fake Telegram Bot API (https://core.telegram.org/bots/api) on loopback: answers /bot<token>/<method>
like Telegram does, refuses what Telegram refuses (empty or over-long texts, over-long button data, a bad
secret token), and records every call, so tests can assert what the connector sent.

`server.failures[method] = (status, description)` makes every later call of that method fail that way; a list
of them fails the next calls one by one, then the method works again."""
from __future__ import annotations

import itertools
import json
import re
import time
from typing import Any, Dict, List, Tuple

from tests.fakes.recording_server import Call, RecordingServer

BOT_ID = 7000001
MAX_TEXT = 4096  # UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
_message_ids = itertools.count(1)
_PATH = re.compile(r"^/bot(?P<token>\d+:[\w-]+)/(?P<method>\w+)$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def method_of(call: Call) -> str:
    return call.path.rsplit("/", 1)[-1]


def calls_to(calls: List[Call], method: str) -> List[Dict[str, Any]]:
    """The parameters of each call to `method`, JSON-encoded fields (reply_markup, ...) decoded."""
    return [_decoded(call.params()) for call in calls if method_of(call) == method]


def texts_sent(calls: List[Call], chat_id: Any = None) -> List[str]:
    return [p["text"] for p in calls_to(calls, "sendMessage") if chat_id is None or str(p["chat_id"]) == str(chat_id)]


def _decoded(params: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(params)
    for key in ("reply_markup", "allowed_updates"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def _error(status: int, description: str) -> Tuple[int, Any]:
    return status, {"ok": False, "error_code": status, "description": description}


def _respond(call: Call, failures: Dict[str, Any]) -> Tuple[int, Any]:
    path = _PATH.match(call.path)
    if not path:
        return _error(404, "Not Found")
    method = path.group("method")
    failure = failures.get(method)
    if isinstance(failure, list):
        failure = failure.pop(0) if failure else None
    if failure:
        return _error(*failure)
    params = _decoded(call.params())
    if method == "getMe":
        return 200, {"ok": True, "result": {"id": BOT_ID, "is_bot": True, "first_name": "K visa assistant",
                                            "username": "kvisa_test_bot"}}
    if method in ("sendMessage", "editMessageText"):
        text = str(params.get("text", ""))
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
            return _error(400, "Bad Request: message is too long")
        for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if not 1 <= len(str(button.get("callback_data", "")).encode()) <= MAX_CALLBACK_DATA:
                    return _error(400, "Bad Request: BUTTON_DATA_INVALID")
        chat_id = int(params.get("chat_id", 0) or 0)
        return 200, {"ok": True, "result": {
            "message_id": next(_message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "K visa assistant"},
            "text": text}}
    if method == "answerCallbackQuery":
        if not params.get("callback_query_id"):
            return _error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        return 200, {"ok": True, "result": True}
    if method == "setWebhook":
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            return _error(400, "Bad Request: secret token contains unallowed characters")
        return 200, {"ok": True, "result": True, "description": "Webhook was set"}
    return 200, {"ok": True, "result": True}


def start() -> RecordingServer:
    failures: Dict[str, Any] = {}
    server = RecordingServer(lambda call: _respond(call, failures))
    server.failures = failures
    return server.start()
