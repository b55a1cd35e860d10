"""The tracker database (TRACKER_URL), when it is not there.

- At start-up: Rasa 3.6 retries an unreachable SQL database for ever, every 5 s, and never says why. Here the
  Rasa server tries for DATABASE_WAIT_SECONDS, then exits with status 3 and a message naming the database
  (its password hidden); the same for Redis when REDIS_URL is set. An SQLite file is created readable by its owner only (0600), and made so if it
  already exists; SQLite gives its journal files the same mode.
- During a conversation: Rasa 3.6 logs the failed query (with the conversation's data as its parameters),
  then quietly keeps the turn in an in-memory store that is never read again, so the user believes the
  answers were saved. Here the failure is logged without data, nothing is kept in memory, and the user is
  told once, at the end of the turn, that the answers could not be saved (channels/messages.yml, not_saved).
"""
from __future__ import annotations

import contextvars
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Set, Text

logger = logging.getLogger(__name__)

DATABASE_WAIT_SECONDS = 12.0  # Rasa's own imports take about 10 s more: the exit comes well within 30 s
EXIT_DATABASE_UNREACHABLE = 3

# The faults of the turn being handled, set by the Agent.handle_message wrapper (None outside a turn).
_turn_faults: contextvars.ContextVar[Optional[Set[Text]]] = contextvars.ContextVar("tracker_faults", default=None)


def safe_url(url: Text) -> Text:
    """The URL with its password hidden, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(an unreadable TRACKER_URL)"


def reason(error: BaseException) -> Text:
    """What went wrong, without the failed statement or its parameters (which carry conversation data)."""
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0][:300]
    return f"{type(cause).__name__}: {first_line}" if first_line else type(cause).__name__


def secure_sqlite_file(url: Text) -> None:
    """Creates the SQLite file with mode 0600 (or sets that mode); in-memory databases have no file."""
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def _until_it_answers(probe: Callable[[], None], seconds: float) -> Optional[Text]:
    """None once probe() succeeds, or why it failed, trying every 2 s for `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            probe()
            return None
        except Exception as error:
            problem = reason(error)
        if time.monotonic() + 2 > deadline:
            return problem
        time.sleep(2)


def wait_for_database(url: Text, seconds: float) -> Optional[Text]:
    """None once the database answers, or why it did not within `seconds`."""
    import sqlalchemy

    connect_args = {"connect_timeout": 5} if url.startswith("postgres") else {}
    engine = sqlalchemy.create_engine(url, connect_args=connect_args, poolclass=sqlalchemy.pool.NullPool)

    def probe() -> None:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))

    try:
        return _until_it_answers(probe, seconds)
    finally:
        engine.dispose()


def check_database_at_start(env: Mapping[Text, Text] = os.environ) -> None:
    """Exits the process when TRACKER_URL's database, or REDIS_URL's Redis, cannot be reached (see the module's
    docstring)."""
    url = (env.get("TRACKER_URL") or "").strip()
    if url:
        try:
            if url.startswith("sqlite"):
                secure_sqlite_file(url)
            problem = wait_for_database(url, DATABASE_WAIT_SECONDS)
        except Exception as error:  # e.g. an unknown dialect or a directory that cannot be made
            problem = reason(error)
        if problem is not None:
            _stop(f"The tracker database {safe_url(url)} (TRACKER_URL) cannot be reached: {problem}. Start it "
                  f"or correct TRACKER_URL (README, 'Tracker store'); the Rasa server stops.")
    redis_url = (env.get("REDIS_URL") or "").strip()
    if redis_url:
        problem = wait_for_redis(redis_url, DATABASE_WAIT_SECONDS)
        if problem is not None:
            _stop(f"Redis at {safe_url(redis_url)} (REDIS_URL) cannot be reached: {problem}. Start it or "
                  f"correct REDIS_URL (README, 'Several instances'); the Rasa server stops.")


def wait_for_redis(url: Text, seconds: float) -> Optional[Text]:
    """None once Redis answers PING, or why it did not within `seconds`."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    try:
        return _until_it_answers(client.ping, seconds)
    finally:
        client.close()


def _stop(text: Text) -> None:
    logger.error(text)
    print(text, file=sys.stderr, flush=True)
    raise SystemExit(EXIT_DATABASE_UNREACHABLE)


def _fault(kind: Text, error: BaseException) -> None:
    logger.error("The tracker store could not %s a conversation: %s", kind, reason(error))
    faults = _turn_faults.get()
    if faults is not None:
        faults.add(kind)


def install() -> None:
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import FailSafeTrackerStore

    from channels import agent_hooks, messages

    if getattr(FailSafeTrackerStore.save, "faults_installed", False):
        return

    async def save(self: FailSafeTrackerStore, tracker: Any) -> None:
        try:
            await self._tracker_store.save(tracker)
        except Exception as error:
            _fault("save", error)

    async def retrieve(self: FailSafeTrackerStore, sender_id: Text) -> Any:
        try:
            return await self._tracker_store.retrieve(sender_id)
        except Exception as error:
            _fault("load", error)
            return None

    async def retrieve_full_tracker(self: FailSafeTrackerStore, sender_id: Text) -> Any:
        try:
            return await self._tracker_store.retrieve_full_tracker(sender_id)
        except Exception as error:
            _fault("load", error)
            return None

    save.faults_installed = True  # type: ignore[attr-defined]
    FailSafeTrackerStore.save = save
    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker

    async def tell_faults(rest: Callable[[Any], Any], agent: Agent, message: Any) -> Any:
        faults: Set[Text] = set()
        token = _turn_faults.set(faults)
        try:
            return await rest(message)
        finally:
            _turn_faults.reset(token)
            if faults and message.output_channel is not None:
                try:
                    await message.output_channel.send_response(message.sender_id,
                                                               {"text": messages.text("not_saved")})
                except Exception:
                    logger.warning("Could not tell the user that the answers were not saved")

    agent_hooks.around_each_message("tracker_faults", tell_faults)
