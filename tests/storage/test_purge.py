"""`make purge DAYS=N` (scripts/purge.py): conversations with no event in the last N days are deleted whole,
newer ones are kept whole, on the SQLite file and on PostgreSQL. The PostgreSQL case needs the server on
127.0.0.1:5432 and fails, saying how to start it, when it does not answer."""
import asyncio
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.storage.test_tracker_store import PG_DB, PG_HOST, PG_PORT, PG_USER

ROOT = Path(__file__).resolve().parents[2]
DAY = 24 * 3600


def save_conversation(store, sender, last_active):
    """A conversation whose events span the two days before `last_active`."""
    tracker = DialogueStateTracker(sender, [])
    for timestamp, event in [(last_active - 2 * DAY, UserUttered("I'm 29 with a PhD", timestamp=0)),
                             (last_active - DAY, SlotSet("age", "29")),
                             (last_active, ActionExecuted("action_listen"))]:
        event.timestamp = timestamp
        tracker.update(event)
    asyncio.run(store.save(tracker))


def counts(url, senders):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {sender: connection.execute(sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"),
                                            {"s": sender}).scalar() for sender in senders}
    engine.dispose()
    return found


def purge(url, days):
    return subprocess.run([sys.executable, "scripts/purge.py", "--days", str(days), "--url", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def check_purge(store, url):
    now = time.time()
    old, recent, long_but_active = (f"rest:{name}-{uuid.uuid4().hex}" for name in ("old", "recent", "active"))
    save_conversation(store, old, now - 40 * DAY)
    save_conversation(store, recent, now - 5 * DAY)
    # began long ago, but its last message is recent: kept whole
    save_conversation(store, long_but_active, now - 29 * DAY + DAY)
    done = purge(url, 30)
    assert done.returncode == 0, done.stderr
    assert "deleted 1 conversation(s) (3 events)" in done.stdout
    found = counts(url, [old, recent, long_but_active])
    assert found == {old: 0, recent: 3, long_but_active: 3}
    assert old not in done.stdout  # which conversations, is never printed


def test_purge_on_the_sqlite_file(tmp_path):
    db = tmp_path / "tracker.db"
    url = f"sqlite:///{db}"
    check_purge(SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db)), url)


def test_purge_on_postgresql():
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=3).close()
    except OSError as error:
        pytest.fail(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} ({error}). Start it with "
                    "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'.")
    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host=PG_HOST, port=PG_PORT, db=PG_DB,
                            username=PG_USER, login_db="postgres")
    check_purge(store, f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}")


def test_purge_of_a_store_that_does_not_exist_yet_creates_nothing(tmp_path):
    done = purge(f"sqlite:///{tmp_path / 'none.db'}", 30)
    assert done.returncode == 0 and "deleted 0 conversation(s)" in done.stdout
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_purge_refuses_a_nonsense_number_of_days(tmp_path, days):
    done = purge(f"sqlite:///{tmp_path / 'x.db'}", days)
    assert done.returncode == 2 and "--days" in done.stderr


def test_make_purge_without_days_says_how_to_use_it():
    done = subprocess.run(["make", "--no-print-directory", "purge"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0 and "make purge DAYS=N" in done.stderr
