"""Deletes the conversations whose last message is more than --days days old from the tracker store
(TRACKER_URL: SQLite or PostgreSQL), for `make purge DAYS=N` and cron. Prints how many it deleted, never
which. Needs no Rasa: it reads Rasa's `events` table (one row per event, with its conversation's sender_id and
a Unix timestamp) with SQLAlchemy."""
from __future__ import annotations

import argparse
import os
import sys
import time

import sqlalchemy as sa

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from channels.tracker_faults import reason, safe_url  # noqa: E402

TABLE = "events"


def purge(url: str, days: float, now: float | None = None) -> tuple[int, int]:
    """(conversations, events) deleted: every conversation with no event in the last `days` days."""
    cutoff = (time.time() if now is None else now) - days * 24 * 3600
    database = sa.engine.make_url(url).database
    if url.startswith("sqlite") and database and not os.path.exists(database):
        return 0, 0  # nothing stored yet (and connecting would create an empty file)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        if not sa.inspect(engine).has_table(TABLE):
            return 0, 0
        events = sa.Table(TABLE, sa.MetaData(), autoload_with=engine)
        stale = (sa.select(events.c.sender_id).group_by(events.c.sender_id)
                 .having(sa.func.max(events.c.timestamp) < cutoff))
        with engine.begin() as connection:  # one transaction: a conversation goes whole or not at all
            conversations = connection.execute(sa.select(sa.func.count()).select_from(stale.subquery())).scalar()
            deleted = connection.execute(events.delete().where(events.c.sender_id.in_(stale))).rowcount
        return int(conversations or 0), int(deleted or 0)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, required=True,
                        help="delete conversations whose last message is older than this many days (> 0)")
    parser.add_argument("--url", default=os.environ.get("TRACKER_URL", "sqlite:///var/tracker.db"),
                        help="SQLAlchemy URL of the tracker store (default: $TRACKER_URL)")
    args = parser.parse_args(argv)
    if not args.days > 0:
        parser.error("--days must be more than 0")
    try:
        conversations, deleted = purge(args.url, args.days)
    except Exception as error:
        print(f"purge: could not purge {safe_url(args.url)}: {reason(error)}", file=sys.stderr)
        return 1
    print(f"purge: deleted {conversations} conversation(s) ({deleted} events) with no message in the last "
          f"{args.days:g} day(s) from {safe_url(args.url)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
