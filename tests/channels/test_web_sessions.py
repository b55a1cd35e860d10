"""Web chat session tokens (channels/web_sessions.py): made by the server, resumable only when it signed them.
The socket.io channel that uses them is tested against the real server in tests/e2e/test_security.py."""
import uuid

import pytest

from channels.web_sessions import WebSessions


def test_a_new_token_names_a_random_session_that_it_resumes():
    sessions = WebSessions(uuid.uuid4().hex.encode())
    first, second = sessions.new(), sessions.new()
    assert first != second
    assert len(sessions.session_id(first)) == 32 and sessions.session_id(first) == first.split(".")[0]
    assert sessions.session_id(first) != sessions.session_id(second)


@pytest.mark.parametrize("token", ["4243", "tg:4243", uuid.uuid4().hex, uuid.uuid4().hex + ".forged", "", ".",
                                   None, 42, {"session_id": "x"}, "x" * 5000])
def test_a_token_the_server_did_not_issue_names_no_session(token):
    assert WebSessions(uuid.uuid4().hex.encode()).session_id(token) is None


def test_a_token_from_another_key_or_altered_names_no_session():
    sessions = WebSessions(b"this server's key, 32 bytes long")
    token = WebSessions(b"another server's key, also long").new()
    assert sessions.session_id(token) is None
    mine = sessions.new()
    other_id = uuid.uuid4().hex
    assert sessions.session_id(other_id + mine[32:]) is None  # a signature moved onto another id
    assert sessions.session_id(mine[:-1] + ("A" if mine[-1] != "A" else "B")) is None


def test_the_key_comes_from_the_environment_and_must_be_long_enough():
    key = uuid.uuid4().hex
    token = WebSessions.from_env({"WEB_SESSION_SECRET": key}).new()
    assert WebSessions.from_env({"WEB_SESSION_SECRET": key}).session_id(token)  # survives a restart
    assert WebSessions.from_env({}).session_id(token) is None  # a random key per process
    with pytest.raises(ValueError, match="WEB_SESSION_SECRET"):
        WebSessions.from_env({"WEB_SESSION_SECRET": "short"})


# The socket.io channel's client address (the channel itself is tested against the real server, in e2e).

def socketio_channel(trusted=""):
    from types import SimpleNamespace

    from channels.admission import Admission
    from channels.client_address import TrustedProxies
    from channels.socketio import CheckedSocketIOInput

    channel = CheckedSocketIOInput("user_uttered", "bot_uttered", "/socket.io", session_persistence=True,
                                   sessions=WebSessions(uuid.uuid4().hex.encode()),
                                   admission=Admission(0, 2, TrustedProxies.from_env({"TRUSTED_PROXIES": trusted})))
    connect = SimpleNamespace(ip="10.0.0.5", headers={"X-Forwarded-For": "203.0.113.9"})
    channel.sio = SimpleNamespace(get_environ=lambda sid, namespace=None: {"sanic.request": connect}
                                  if sid == "known" else None)
    return channel


def test_socketio_takes_the_client_address_from_the_connect_request_and_forwarded_for_only_from_a_proxy():
    assert socketio_channel()._client_ip("known") == "10.0.0.5"
    assert socketio_channel("10.0.0.0/24")._client_ip("known") == "203.0.113.9"
    assert socketio_channel()._client_ip("gone") is None
