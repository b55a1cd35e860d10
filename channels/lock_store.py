"""The conversation lock store named in endpoints.yml: Rasa's Redis lock store when REDIS_URL is set (several
Rasa instances then never interleave the turns of one conversation), Rasa's in-memory one otherwise."""
from __future__ import annotations

import logging
import os
from typing import Any, Mapping, Optional, Text

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

from channels import shared_state

logger = logging.getLogger(__name__)

KEY_PREFIX = "kvisa"  # Redis keys: kvisa:lock:<conversation id>


def redis_settings(url: Text) -> dict:
    """RedisLockStore's arguments from a redis:// or rediss:// URL."""
    from redis.connection import parse_url

    parsed = parse_url(url)
    return {"host": parsed.get("host", "localhost"), "port": int(parsed.get("port", 6379)),
            "db": int(parsed.get("db", 0)), "username": parsed.get("username"),
            "password": parsed.get("password"), "use_ssl": url.startswith("rediss://")}


def from_environment(endpoint_config: Optional[Any] = None, env: Mapping[Text, Text] = os.environ) -> LockStore:
    url = shared_state.redis_url(env)
    if url is None:
        return InMemoryLockStore()
    store = RedisLockStore(key_prefix=KEY_PREFIX, **redis_settings(url))
    store.red.ping()  # fails now, with Rasa's "Cannot connect to lock store", rather than on the first message
    logger.info("Conversation locks are in Redis (REDIS_URL): several Rasa instances may serve together.")
    return store
