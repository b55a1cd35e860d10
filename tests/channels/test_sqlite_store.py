"""channels/sqlite_store.py: Rasa's SQL tracker store on an SQLite file keeps pooled connections in WAL mode
with synchronous=NORMAL, and stores and reads conversations exactly as before; PostgreSQL and in-memory
SQLite are left as Rasa makes them."""
import asyncio
import sqlite3

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import sqlite_store
from tests.storage.test_tracker_store import DOMAIN


@pytest.fixture
def store(tmp_path):
    sqlite_store.install()
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))


def test_the_file_is_in_wal_mode_with_normal_sync_and_pooled_connections(store):
    assert isinstance(store.engine.pool, sa.pool.QueuePool)
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_conversations_are_stored_and_read_back_as_before(store, tmp_path):
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for event in (ActionExecuted("action_session_start", timestamp=1.0), SessionStarted(timestamp=1.0),
                  UserUttered("I'm 29", {"name": "inform", "confidence": 1.0}, timestamp=2.0),
                  SlotSet("age", "29", timestamp=2.5)):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("someone"))
    assert [e.as_dict() for e in again.events] == [e.as_dict() for e in tracker.events]
    assert again.get_slot("age") == "29"
    # another process (scripts/purge.py, a plain sqlite3 client) sees the committed events
    with sqlite3.connect(tmp_path / "t.db") as other:
        assert other.execute("SELECT count(*) FROM events WHERE sender_id = 'someone'").fetchone() == (4,)


def test_in_memory_sqlite_and_postgresql_urls_are_left_alone():
    assert not sqlite_store.is_sqlite_file(sa.create_engine("sqlite://"))
    assert not sqlite_store.is_sqlite_file(sa.create_engine("sqlite:///:memory:"))
    assert not sqlite_store.is_sqlite_file(sa.create_engine("postgresql://u@127.0.0.1:1/db"))
    assert sqlite_store.is_sqlite_file(sa.create_engine("sqlite:///var/tracker.db"))
