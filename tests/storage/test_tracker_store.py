"""Rasa's SQL tracker store, configured exactly as endpoints.yml configures it (TRACKER_URL), on the SQLite
file used by default and on PostgreSQL on loopback.

The PostgreSQL test needs the server this machine kind runs on 127.0.0.1:5432. When it does not answer, the
test fails with a message that says how to start it: it is never skipped.
"""
import asyncio
import os
import socket
import uuid

import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

DOMAIN = Domain.load("domain")
PG_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_POSTGRES_PORT", "5432"))
PG_USER = os.environ.get("TEST_POSTGRES_USER", "postgres")
PG_DB = "kvisa_tracker_test"


def store_from_endpoints(monkeypatch, url: str) -> TrackerStore:
    monkeypatch.setenv("TRACKER_URL", url)
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://localhost:5055/webhook")
    return TrackerStore.create(read_endpoint_config("endpoints.yml", "tracker_store"), DOMAIN)


def round_trip(store: TrackerStore) -> DialogueStateTracker:
    sender = f"test-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(UserUttered("I'm 29 with a PhD in physics", {"name": "check_eligibility", "confidence": 1.0}))
    tracker.update(SlotSet("age", "29"))
    asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender))


def test_sqlite_file_store_keeps_the_conversation(monkeypatch, tmp_path):
    store = store_from_endpoints(monkeypatch, f"sqlite:///{tmp_path / 'tracker.db'}")
    assert isinstance(store, SQLTrackerStore) or isinstance(getattr(store, "_tracker_store", None), SQLTrackerStore)
    loaded = round_trip(store)
    assert loaded.get_slot("age") == "29"
    assert loaded.latest_message.text == "I'm 29 with a PhD in physics"
    assert (tmp_path / "tracker.db").stat().st_size > 0


def test_postgresql_store_keeps_the_conversation(monkeypatch):
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=3).close()
    except OSError as error:
        pytest.fail(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} ({error}). Start it with "
                    "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'.")
    # Rasa creates the database when it is missing, given a login database.
    SQLTrackerStore(DOMAIN, dialect="postgresql", host=PG_HOST, port=PG_PORT, db=PG_DB, username=PG_USER,
                    login_db="postgres")
    store = store_from_endpoints(monkeypatch, f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}")
    loaded = round_trip(store)
    assert loaded.get_slot("age") == "29"
    inner = getattr(store, "_tracker_store", store)
    assert inner.engine.url.get_backend_name() == "postgresql"
