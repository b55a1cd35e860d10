"""Rasa's SQL tracker store on an SQLite file (the default TRACKER_URL), set up the way SQLite serves a busy
server (issue "Fast and light", found with py-spy under load):

- SQLAlchemy 1.4 opens a new SQLite connection for every session (NullPool) and Rasa opens two sessions per
  message: here the store keeps its connections in a small pool.
- SQLite's default rollback journal syncs the disk several times per commit, and Rasa commits in the server's
  event loop, so every other conversation waits: a tenth of the server's time under load. Here the file is in
  write-ahead-log mode (WAL) with synchronous=NORMAL, SQLite's advice for WAL: a commit survives the server
  crashing or being killed; only a power cut or an operating-system crash can lose the last commits.
  Other processes (scripts/purge.py, the tests) read and write the same file as before.

PostgreSQL (TRACKER_URL=postgresql://...) is left as Rasa sets it up.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

POOL_SIZE = 2  # Rasa's sessions run one after another in the event loop; a spare for a tool in another thread
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")

_original_init = SQLTrackerStore.__init__


def is_sqlite_file(engine: sa.engine.Engine) -> bool:
    database = engine.url.database
    return engine.dialect.name == "sqlite" and bool(database) and database != ":memory:" \
        and not database.startswith("file:")


def _set_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def pooled_wal_engine(url: sa.engine.URL) -> sa.engine.Engine:
    # check_same_thread: the pool hands a connection to one session at a time, whichever thread it runs in
    engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=POOL_SIZE, max_overflow=4,
                              connect_args={"check_same_thread": False})
    sa.event.listen(engine, "connect", _set_pragmas)
    return engine


def _init(self: SQLTrackerStore, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)  # creates the tables, with Rasa's own engine
    if is_sqlite_file(self.engine):
        rasa_engine, self.engine = self.engine, pooled_wal_engine(self.engine.url)
        rasa_engine.dispose()
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)


def install() -> None:
    if SQLTrackerStore.__init__ is not _init:
        SQLTrackerStore.__init__ = _init
