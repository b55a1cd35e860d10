"""Serves the web chat page (web/) and rasa-webchat's standalone bundle, with the standard library only.

Only the files in a fixed table are served: the page's own top-level files in web/ and the widget bundle
from web/node_modules. A request path is looked up as it arrives, never joined onto a folder, so no path
(`/../README.md`, `/%2e%2e/credentials.yml`, `/node_modules/...`) can reach any other file: those get 404.
The bundle is served without its CSS import of Google Fonts, so the page loads nothing from other hosts.

/config.js tells the page where the Rasa socket.io server is:
  RASA_PUBLIC_URL  the Rasa server's public origin behind a proxy, e.g. https://chat.example.org
                   (unset: the page uses its own host name with port RASA_PORT)
  RASA_SOCKET_PATH the socket.io path on that server (default /socket.io/, Rasa's default)
  RASA_PORT        Rasa's port when RASA_PUBLIC_URL is unset (default 5005)
  WEB_PORT, WEB_HOST  where this server listens (default 127.0.0.1:8080: this machine only)
"""
from __future__ import annotations

import json
import os
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
BUNDLE = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
BUNDLE_ROUTE = "/vendor/rasa-webchat.js"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
REMOTE_CSS_IMPORT = re.compile(rb"@import url\(https?://[^)\"']*\);")
# Names of the page's own files that may be served (package.json and the lock file are not).
PAGE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.(html|js|css|svg|png|ico)$")

# The widget injects its styles inline and talks to Rasa on another port (or origin): allow exactly that.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self' http: https: ws: wss:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'none'"),
}


def rasa_settings(env: Dict[str, str]) -> dict:
    """What the browser needs to reach Rasa; a malformed RASA_PUBLIC_URL stops start-up with a message."""
    public = env.get("RASA_PUBLIC_URL", "").strip().rstrip("/")
    if public:
        parts = urlsplit(public)
        # socket.io reads a path in the URL as a namespace, so only an origin is accepted here.
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
            raise ValueError(f"RASA_PUBLIC_URL must be an origin such as https://chat.example.org, not {public!r}")
    socket_path = env.get("RASA_SOCKET_PATH", "/socket.io/").strip() or "/socket.io/"
    if not socket_path.startswith("/"):
        raise ValueError(f"RASA_SOCKET_PATH must start with '/', not {socket_path!r}")
    port = env.get("RASA_PORT", "5005").strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"RASA_PORT must be a port number, not {port!r}")
    return {"socketUrl": public or None, "rasaPort": int(port), "socketPath": socket_path}


def config_script(settings: dict) -> bytes:
    # json.dumps gives a valid JS literal; "<" is escaped so the text can never close a script element.
    literal = json.dumps(settings).replace("<", "\\u003c")
    return f"window.KVISA_CHAT_CONFIG = Object.freeze({literal});\n".encode()


def widget_bundle() -> bytes:
    """rasa-webchat's bundle without its CSS `@import` of Google Fonts: the page loads nothing from elsewhere
    (the Content-Security-Policy would block it anyway) and sets its own fonts."""
    return REMOTE_CSS_IMPORT.sub(b"", BUNDLE.read_bytes())


def build_routes(settings: dict) -> Dict[str, Tuple[str, Callable[[], bytes]]]:
    """URL path -> (content type, reader). Files are read per request, so editing the page needs no restart."""
    routes: Dict[str, Tuple[str, Callable[[], bytes]]] = {}
    for path in sorted(WEB.iterdir()):
        if path.is_file() and PAGE_FILE.match(path.name):
            routes["/" + path.name] = (CONTENT_TYPES[path.suffix], path.read_bytes)
    routes["/"] = routes["/index.html"]
    routes[BUNDLE_ROUTE] = (CONTENT_TYPES[".js"], widget_bundle)
    script = config_script(settings)
    routes["/config.js"] = (CONTENT_TYPES[".js"], lambda: script)
    return routes


class PageHandler(BaseHTTPRequestHandler):
    routes: Dict[str, Tuple[str, Callable[[], bytes]]] = {}
    timeout = 30  # seconds a connection may stay silent, so idle clients cannot hold threads forever

    def version_string(self) -> str:
        return "kvisa-web"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        route = self.routes.get(self.path.split("?", 1)[0].split("#", 1)[0])
        if route is None:
            self._send(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".html"], b"<h1>404 Not found</h1>\n", send_body)
            return
        content_type, read = route
        try:
            body = read()
        except OSError:
            self._send(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".html"], b"<h1>404 Not found</h1>\n", send_body)
            return
        self._send(HTTPStatus.OK, content_type, body, send_body)

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        sys.stderr.write(f"web: {self.address_string()} {format % args}\n")


def main(env: Optional[Dict[str, str]] = None) -> int:
    env = dict(os.environ if env is None else env)
    if not BUNDLE.is_file():
        print(f"web: {BUNDLE.relative_to(ROOT)} is missing: run `npm ci --prefix web` first.", file=sys.stderr)
        return 1
    try:
        settings = rasa_settings(env)
    except ValueError as error:
        print(f"web: {error}", file=sys.stderr)
        return 1
    PageHandler.routes = build_routes(settings)
    host, port = env.get("WEB_HOST", "127.0.0.1"), int(env.get("WEB_PORT", "8080"))
    server = ThreadingHTTPServer((host, port), PageHandler)
    server.daemon_threads = True
    where = settings["socketUrl"] or f"this page's host, port {settings['rasaPort']}"
    print(f"web: chat page on http://localhost:{port}/ (Rasa socket.io at {where})", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
