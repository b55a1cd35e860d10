"""The conversation lock store named in endpoints.yml: Rasa's Redis lock store when REDIS_URL is set (several
Rasa instances then never interleave the turns of one conversation), Rasa's in-memory one otherwise."""
from __future__ import annotations

import contextlib
import logging
import os
from typing import Any, Mapping, Optional, Text

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore, TicketLock

from channels import shared_state

logger = logging.getLogger(__name__)

KEY_PREFIX = "kvisa"  # Redis keys: kvisa:lock:<conversation id>
MUTEX_SECONDS = 5.0  # a read-change-write of a lock takes a millisecond; a crashed holder frees it after this


def redis_settings(url: Text) -> dict:
    """RedisLockStore's arguments from a redis:// or rediss:// URL."""
    from redis.connection import parse_url

    parsed = parse_url(url)
    return {"host": parsed.get("host", "localhost"), "port": int(parsed.get("port", 6379)),
            "db": int(parsed.get("db", 0)), "username": parsed.get("username"),
            "password": parsed.get("password"), "use_ssl": url.startswith("rediss://")}


def from_environment(env: Mapping[Text, Text] = os.environ) -> LockStore:
    url = shared_state.redis_url(env)
    if url is None:
        return InMemoryLockStore()
    store = RedisLockStore(key_prefix=KEY_PREFIX, **redis_settings(url))
    store.red.ping()  # fails now, rather than on the first message
    logger.info("Conversation locks are in Redis (REDIS_URL): several Rasa instances may serve together.")
    return store


class EnvironmentLockStore(LockStore):
    """What endpoints.yml names (Rasa wants a class): Rasa's own lock logic, on the store from_environment()
    chooses.

    Rasa 3.6 changes a lock by reading it, changing it and writing it back. In one process nothing runs in
    between, but two instances sharing Redis can both read "no lock" and both take ticket 0: then two turns
    of one conversation run at once and one turn's events are lost (seen in tests/e2e/test_instances.py).
    So with Redis, each of those read-change-write steps holds a short Redis mutex for that conversation."""

    def __init__(self, endpoint_config: Optional[Any] = None) -> None:
        self.store = from_environment()
        super().__init__()

    def _mutex(self, conversation_id: Text) -> Any:
        red = getattr(self.store, "red", None)
        if red is None:
            return contextlib.nullcontext()
        return red.lock(f"{KEY_PREFIX}:lock-mutex:{conversation_id}", timeout=MUTEX_SECONDS,
                        blocking_timeout=MUTEX_SECONDS, sleep=0.002)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # one mutex for all three steps, so no ticket issued in between is deleted with the lock
        with self._mutex(conversation_id):
            LockStore.finish_serving(self, conversation_id, ticket_number)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: Text) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)
