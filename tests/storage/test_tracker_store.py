"""Rasa's SQL tracker store on SQLAlchemy: the SQLite file used by default, and PostgreSQL on loopback.

The PostgreSQL test needs the server this machine kind runs on 127.0.0.1:5432. It fails with a clear
message when the server does not answer: it is never skipped.
"""
import asyncio
import os
import socket
import uuid

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN = Domain.load("domain")
PG_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_POSTGRES_PORT", "5432"))
PG_USER = os.environ.get("TEST_POSTGRES_USER", "postgres")


def round_trip(store: SQLTrackerStore) -> DialogueStateTracker:
    sender = f"test-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(UserUttered("I'm 29 with a PhD in physics", {"name": "check_eligibility", "confidence": 1.0}))
    tracker.update(SlotSet("age", "29"))
    asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender))


def test_sqlite_file_store_keeps_the_conversation(tmp_path):
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    loaded = round_trip(store)
    assert loaded.get_slot("age") == "29"
    assert loaded.latest_message.text == "I'm 29 with a PhD in physics"
    assert (tmp_path / "tracker.db").stat().st_size > 0


def test_postgresql_store_keeps_the_conversation():
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=3).close()
    except OSError as error:
        pytest.fail(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} ({error}). Start it with "
                    "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'.")
    db = "kvisa_tracker_test"
    store = SQLTrackerStore(DOMAIN, dialect="postgresql", host=PG_HOST, port=PG_PORT, db=db,
                            username=PG_USER, password=os.environ.get("TEST_POSTGRES_PASSWORD", ""),
                            login_db="postgres")
    loaded = round_trip(store)
    assert loaded.get_slot("age") == "29"
    assert store.engine.url.get_backend_name() == "postgresql"
