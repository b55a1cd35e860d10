"""What the channels remember for a while (rate-limit windows, WeChat's retry memory, nonces and numbered
options, Telegram's handled updates and long button payloads, pending "delete my data" questions), in this
process or, when REDIS_URL is set, in Redis, so that several Rasa instances behind a proxy share it and a
restart keeps it.

`cache(name, ...)` returns either an ExpiringCache (channels/bounded_cache.py) or a RedisCache with the same
methods. Values are stored as JSON (`dumps`/`loads` convert values JSON cannot hold); keys are strings or
tuples of strings and numbers. Redis calls are synchronous, like Rasa's own Redis lock store: on loopback or
a private network they take well under a millisecond."""
from __future__ import annotations

import json
import math
import os
import threading
import time
from typing import Any, Callable, Generic, Hashable, Mapping, Optional, Text, Tuple, TypeVar

from channels.bounded_cache import ExpiringCache

V = TypeVar("V")

PREFIX = "kvisa:"
# Redis keeps nothing for ever: what the in-memory caches keep "for ever" (bounded by count) lasts this long.
LONGEST_TTL_SECONDS = 30 * 24 * 3600
SOCKET_TIMEOUT_SECONDS = 2.0

_client: Any = None
_client_url: Optional[Text] = None
_client_lock = threading.Lock()


def redis_url(env: Mapping[Text, Text] = os.environ) -> Optional[Text]:
    return (env.get("REDIS_URL") or "").strip() or None


def redis_client(url: Optional[Text] = None) -> Any:
    """One Redis client (a connection pool) per process and URL."""
    import redis

    global _client, _client_url
    url = url or redis_url()
    with _client_lock:
        if _client is None or _client_url != url:
            _client = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                           socket_connect_timeout=SOCKET_TIMEOUT_SECONDS, decode_responses=True)
            _client_url = url
        return _client


def key_text(key: Hashable) -> Text:
    """A cache key (a string, a number or a tuple of them) as the JSON text in its Redis key."""
    return json.dumps(list(key) if isinstance(key, tuple) else key, separators=(",", ":"))


def _key_value(text: Text) -> Hashable:
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


def _identity(value: Any) -> Any:
    return value


class RedisCache(Generic[V]):
    """ExpiringCache's methods on Redis keys `kvisa:<name>:<key as JSON>`, each with the cache's TTL."""

    def __init__(self, client: Any, name: Text, ttl_seconds: float, dumps: Callable[[V], Any] = _identity,
                 loads: Callable[[Any], V] = _identity):
        self._redis = client
        self._prefix = f"{PREFIX}{name}:"
        self._ttl = max(1, int(math.ceil(min(ttl_seconds, LONGEST_TTL_SECONDS))))
        self._dumps, self._loads = dumps, loads

    def _key(self, key: Hashable) -> Text:
        return self._prefix + key_text(key)

    def get(self, key: Hashable) -> Optional[V]:
        raw = self._redis.get(self._key(key))
        return None if raw is None else self._loads(json.loads(raw))

    def set(self, key: Hashable, value: V) -> None:
        self._redis.set(self._key(key), json.dumps(self._dumps(value)), ex=self._ttl)

    def pop(self, key: Hashable) -> Optional[V]:
        pipe = self._redis.pipeline()
        pipe.get(self._key(key))
        pipe.delete(self._key(key))
        raw, _ = pipe.execute()
        return None if raw is None else self._loads(json.loads(raw))

    def get_or_create(self, key: Hashable, create: Callable[[], V]) -> Tuple[V, bool]:
        """Atomic across instances: exactly one caller creates (SET NX); the others get its value."""
        value = create()
        if self._redis.set(self._key(key), json.dumps(self._dumps(value)), ex=self._ttl, nx=True):
            return value, True
        existing = self.get(key)
        if existing is None:  # expired or popped in between: try once more
            return self.get_or_create(key, create)
        return existing, False

    def remove_where(self, condition: Callable[[Hashable, V], bool]) -> None:
        for name in self._redis.scan_iter(match=self._prefix + "*", count=500):
            raw = self._redis.get(name)
            if raw is not None and condition(_key_value(name[len(self._prefix):]), self._loads(json.loads(raw))):
                self._redis.delete(name)

    def __len__(self) -> int:
        return sum(1 for _ in self._redis.scan_iter(match=self._prefix + "*", count=500))


def cache(name: Text, max_items: int, ttl_seconds: float, dumps: Callable[[V], Any] = _identity,
          loads: Callable[[Any], V] = _identity, clock: Callable[[], float] = time.monotonic,
          env: Mapping[Text, Text] = os.environ) -> Any:
    """A cache shared through Redis when REDIS_URL is set, else an ExpiringCache of this process."""
    url = redis_url(env)
    if url is None:
        return ExpiringCache(max_items=max_items, ttl_seconds=ttl_seconds, clock=clock)
    return RedisCache(redis_client(url), name, ttl_seconds, dumps, loads)
