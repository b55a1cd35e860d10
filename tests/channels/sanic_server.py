"""A channel served in process for tests: an InputChannel registered in a Sanic app the way `rasa run` registers
it, on a free loopback port, served from a thread of its own, and shut down the way Sanic's own runner does it
(connections closed, tasks finished) so that nothing is left pending when the loop closes."""
from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Optional

import rasa.server
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

WEBHOOKS = "/webhooks/"  # the prefix `rasa run` gives every channel's blueprint
START_TIMEOUT = 30.0
# How long a request still being handled at shutdown may take before its connection is cut.
GRACE_SECONDS = 5.0


class ChannelServer:
    """`with ChannelServer(channel, handle_message) as server:` serves `channel` at `server.webhook_url`;
    what reaches the bot goes to `handle_message(UserMessage)`, through Rasa's own handler."""

    def __init__(self, channel: InputChannel, handle_message: Callable[[UserMessage], Awaitable[Any]]):
        self.channel = channel
        self.app = Sanic(f"channel_test_{uuid.uuid4().hex}", configure_logging=False)
        self.app.config.REQUEST_TIMEOUT = 30  # a busy two-core machine can be slow to send a large body
        rasa.server.add_root_route(self.app)  # Rasa's app has it: a disabled channel adds no route of its own
        # Rasa's own registration: the same prefix, blueprint, listeners and handler as `rasa run`.
        register([channel], self.app, route=WEBHOOKS)
        self.app.ctx.agent = SimpleNamespace(handle_message=handle_message)
        self.port: Optional[int] = None
        self.server: Any = None  # Sanic's AsyncioServer, once started
        self._loop: Optional[asyncio.AbstractEventLoop] = None  # made, run and closed by the server's thread
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._test_mode_before = Sanic.test_mode

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}{WEBHOOKS}{self.channel.url_prefix()}/webhook"

    def __enter__(self) -> "ChannelServer":
        # Sanic rewrites its own methods when an app starts; test mode lets several apps start in one process.
        self._test_mode_before, Sanic.test_mode = Sanic.test_mode, True
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise AssertionError("the Sanic server did not start")
        if self._error is not None:
            self._thread.join(START_TIMEOUT)
            Sanic.test_mode = self._test_mode_before
            raise self._error
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(START_TIMEOUT)
            assert not self._thread.is_alive(), "the Sanic server did not stop"
        finally:
            Sanic.test_mode = self._test_mode_before
        if self._error is not None and exc[0] is None:
            raise self._error

    # --- in the server's thread ----------------------------------------------------------------------------

    def _serve(self) -> None:
        """Start, serve until stopped, then shut down; the loop lives and dies in this thread."""
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        sock = socket.socket()
        try:
            try:
                sock.bind(("127.0.0.1", 0))  # the server takes this socket over: no window for another to grab
                self.port = sock.getsockname()[1]
                self.server = self._loop.run_until_complete(self._start(sock))
            except BaseException as error:  # reported by __enter__
                sock.close()
                self._error = error
                return
            finally:
                self._ready.set()
            self._loop.run_forever()
            try:
                self._loop.run_until_complete(self._stop())
            except BaseException as error:  # reported by __exit__
                self._error = error
        finally:
            self._finish_tasks()
            self._loop.close()

    async def _start(self, sock: socket.socket) -> Any:
        server = await self.app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        return server

    async def _stop(self) -> None:
        """What Sanic's runner does on shutdown: stop listening, close idle keep-alive connections, give
        requests in flight a moment, then cut whatever is left."""
        await self.server.before_stop()
        self.server.close()
        await self.server.wait_closed()
        for connection in list(self.server.connections):
            connection.close_if_idle()
        deadline = self._loop.time() + GRACE_SECONDS
        while self.server.connections and self._loop.time() < deadline:
            await asyncio.sleep(0.01)
        for connection in list(self.server.connections):
            connection.abort()
        await self.server.after_stop()

    def _finish_tasks(self) -> None:
        """Cancel and await whatever is still running (connection tasks ending, a channel's background work),
        so that no task is destroyed pending when the loop closes."""
        pending = [task for task in asyncio.all_tasks(self._loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
