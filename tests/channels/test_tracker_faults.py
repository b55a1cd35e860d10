"""The tracker database when it is not there (channels/tracker_faults.py): at start-up the server stops within
seconds and names the database without its password; during a turn the user is told that the answers were
not saved, no data is logged and nothing is kept in memory; the SQLite file is readable by its owner only."""
from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
import stat

import pytest
import sqlalchemy.exc
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import forget, messages, tracker_faults

SECRET = "s3cret-Passw0rd"
PARAMETER = "PARAMETER-OF-A-QUERY"


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


def test_safe_url_hides_the_password():
    shown = tracker_faults.safe_url(f"postgresql://kvisa:{SECRET}@db.example.org:5432/kvisa")
    assert SECRET not in shown
    assert "kvisa@db.example.org:5432/kvisa" in shown.replace(":***", "")


def test_an_unreachable_database_stops_the_start_naming_it_without_its_password(monkeypatch, capsys):
    monkeypatch.setattr(tracker_faults, "DATABASE_WAIT_SECONDS", 3)
    url = f"postgresql://kvisa:{SECRET}@127.0.0.1:{closed_port()}/kvisa"
    with pytest.raises(SystemExit) as stopped:  # it gives up (tests/e2e/test_faults.py: within 30 s)
        tracker_faults.check_database_at_start({"TRACKER_URL": url})
    assert stopped.value.code == tracker_faults.EXIT_DATABASE_UNREACHABLE
    said = capsys.readouterr().err
    assert "postgresql://kvisa:***@127.0.0.1" in said and "cannot be reached" in said
    assert SECRET not in said


def test_a_reachable_database_lets_the_start_go_on(tmp_path):
    tracker_faults.check_database_at_start({"TRACKER_URL": f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"})


def test_the_sqlite_file_is_made_readable_by_its_owner_only(tmp_path):
    new = tmp_path / "var" / "tracker.db"
    tracker_faults.check_database_at_start({"TRACKER_URL": f"sqlite:///{new}"})
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    old = tmp_path / "old.db"
    old.write_bytes(b"")
    old.chmod(0o644)
    tracker_faults.check_database_at_start({"TRACKER_URL": f"sqlite:///{old}"})
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def locked(statement, parameters):
    """What SQLAlchemy raises when SQLite is locked: the statement and its parameters are in its text."""
    return sqlalchemy.exc.OperationalError(statement, parameters, sqlite3.OperationalError("database is locked"))


class BrokenStore(InMemoryTrackerStore):
    """A tracker store whose database has gone."""

    async def save(self, tracker):
        raise locked("INSERT INTO events (sender_id, data) VALUES (?, ?)", (tracker.sender_id, PARAMETER))

    async def retrieve(self, sender_id):
        raise locked("SELECT * FROM events WHERE sender_id = ?", (PARAMETER,))


class StubProcessor:
    def __init__(self, store):
        self.store = store

    async def handle_message(self, message):
        tracker = await self.store.retrieve(message.sender_id) or DialogueStateTracker(message.sender_id, [])
        tracker.update(UserUttered(message.text))
        await message.output_channel.send_response(message.sender_id, {"text": "How old are you?"})
        await self.store.save(tracker)


class StubAgent:
    def __init__(self, inner):
        self.tracker_store = FailSafeTrackerStore(AwaitableTrackerStore(inner))
        self.lock_store = InMemoryLockStore()
        self.processor = StubProcessor(self.tracker_store)

    def is_ready(self):
        return True


@pytest.fixture(autouse=True)
def installed():
    forget.install()
    tracker_faults.install()


def turn(agent, text, sender="rest:someone"):
    output = CollectingOutputChannel()
    asyncio.run(Agent.handle_message(agent, UserMessage(text, output, sender)))
    return [message.get("text") for message in output.messages]


def test_a_database_that_fails_mid_conversation_gets_the_user_told_once_and_nothing_kept(caplog):
    agent = StubAgent(BrokenStore(Domain.empty()))
    caplog.set_level(logging.DEBUG)
    assert turn(agent, "I am 29 from ETH") == ["How old are you?", messages.text("not_saved")]
    assert PARAMETER not in caplog.text and "INSERT" not in caplog.text
    assert "could not save a conversation: OperationalError: database is locked" in caplog.text
    assert "could not load a conversation: OperationalError: database is locked" in caplog.text
    assert agent.tracker_store._fallback_tracker_store is None  # Rasa would have kept the turn in memory


def test_a_working_database_says_nothing_more():
    agent = StubAgent(InMemoryTrackerStore(Domain.empty()))
    assert turn(agent, "hello") == ["How old are you?"]
    assert turn(agent, "hello") == ["How old are you?"]


def test_an_unreachable_redis_stops_the_start_naming_it_without_its_password(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(tracker_faults, "DATABASE_WAIT_SECONDS", 3)
    with pytest.raises(SystemExit) as stopped:
        tracker_faults.check_database_at_start({"TRACKER_URL": f"sqlite:///{tmp_path / 't.db'}",
                                                "REDIS_URL": f"redis://:{SECRET}@127.0.0.1:{closed_port()}/0"})
    assert stopped.value.code == tracker_faults.EXIT_DATABASE_UNREACHABLE
    said = capsys.readouterr().err
    assert "Redis at redis://:***@127.0.0.1" in said and SECRET not in said
