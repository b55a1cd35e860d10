"""A small HTTP server on loopback that records every request and answers from a function: the base for the
fake Telegram Bot API and the fake WeChat API the channel tests point the assistant at."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]
    body: bytes
    form: Dict[str, str] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def params(self) -> Dict[str, Any]:
        """The call's parameters, however they were sent: JSON body, form body or query string."""
        if self.headers.get("content-type", "").startswith("application/json"):
            return dict(self.json or {})
        return {**self.query, **self.form}


Responder = Callable[[Call], Tuple[int, Any]]


class RecordingServer:
    def __init__(self, respond: Responder, port: int = 0):
        self.calls: List[Call] = []
        self.listeners: List[Callable[[Call], None]] = []  # called with each call as it arrives (benchmarks)
        self._respond = respond
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                form = {}
                ctype = headers.get("content-type", "")
                if ctype.startswith("application/x-www-form-urlencoded"):
                    form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
                elif ctype.startswith("multipart/form-data"):
                    form = _multipart_fields(body, ctype)
                call = Call(self.command, parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()},
                            headers, body, form)
                with server._lock:
                    server.calls.append(call)
                for listener in list(server.listeners):
                    listener(call)
                status, payload = server._respond(call)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle

            def log_message(self, *args):  # keep test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> "RecordingServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def snapshot(self) -> List[Call]:
        with self._lock:
            return list(self.calls)

    def wait_for(self, predicate: Callable[[List[Call]], bool], timeout: float = 30.0) -> List[Call]:
        """Waits until predicate(calls) is true and returns the calls; fails with what arrived instead."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            calls = self.snapshot()
            if predicate(calls):
                return calls
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout}s; calls so far: "
                             + "; ".join(f"{c.method} {c.path} {c.body[:200]!r}" for c in self.snapshot()))

    def since(self, mark: int) -> List[Call]:
        return self.snapshot()[mark:]


def _multipart_fields(body: bytes, content_type: str) -> Dict[str, str]:
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields: Dict[str, str] = {}
    for part in message.iter_parts():
        name: Optional[str] = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = part.get_content() if part.get_content_maintype() == "text" else str(
                part.get_payload(decode=True), "utf-8", "replace")
    return fields
