"""The optional JWT check of web chat connections (SOCKETIO_JWT_KEY, channels/socketio.py): with the key set,
only a client that connects with a token signed by it gets a session; without the key, anyone may connect
(the signed session tokens still bind each connection to its own conversation)."""
import threading
import uuid

import jwt
import pytest
import socketio

from channels.socketio import CheckedSocketIOInput
from tests.channels.sanic_server import ChannelServer

KEY = uuid.uuid4().hex


async def nobody(message):
    await message.output_channel.send_response(message.sender_id, {"text": f"You said: {message.text}"})


@pytest.fixture
def served(monkeypatch):
    def serve(key=None):
        if key:
            monkeypatch.setenv("SOCKETIO_JWT_KEY", key)
        else:
            monkeypatch.delenv("SOCKETIO_JWT_KEY", raising=False)
        monkeypatch.setenv("WEB_SESSION_SECRET", uuid.uuid4().hex)
        channel = CheckedSocketIOInput.from_credentials({"session_persistence": True})
        return ChannelServer(channel, nobody)
    return serve


def talk(server, token=None, wait=10):
    """Connects, asks for a session and says hello; returns the reply, or raises when refused."""
    client = socketio.Client(reconnection=False)
    replies, got = [], threading.Event()
    client.on("session_confirm", lambda data: client.emit("user_uttered", {"message": "hello",
                                                                            "session_id": data}))
    client.on("bot_uttered", lambda data: (replies.append(data), got.set()))
    client.connect(f"http://127.0.0.1:{server.port}", transports=["polling"], socketio_path="/socket.io",
                   auth={"token": token} if token else None, wait_timeout=wait)
    try:
        client.emit("session_request", {"session_id": None})
        assert got.wait(10), "no reply"
        return replies[0]["text"]
    finally:
        client.disconnect()


def test_without_a_key_anyone_may_connect(served):
    with served() as server:
        assert talk(server) == "You said: hello"


def test_with_a_key_only_a_token_signed_by_it_connects(served):
    with served(KEY) as server:
        assert talk(server, jwt.encode({"user": "ada"}, KEY, algorithm="HS256")) == "You said: hello"
        for token in (None, jwt.encode({"user": "eve"}, "another key", algorithm="HS256"), "not-a-jwt"):
            with pytest.raises(socketio.exceptions.ConnectionError):
                talk(server, token, wait=3)  # a refused client hears nothing more: no need to wait long
