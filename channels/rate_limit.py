"""Messages per minute per key (a sender, a client address): a sliding window, so a burst cannot be doubled
across a minute boundary. In memory, bounded, per process; or in Redis, shared by every instance, when
REDIS_URL is set (rate_limit())."""
from __future__ import annotations

import time
import uuid
from collections import deque
from typing import Callable, Deque, Hashable

from channels.bounded_cache import ExpiringCache

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000  # keys idle for a whole window are forgotten first


class RateLimit:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        """per_minute: messages allowed per key in any 60 seconds; 0 turns the limit off."""
        if per_minute < 0:
            raise ValueError("a rate limit is a number of messages per minute, 0 for none")
        self.per_minute = per_minute
        self._clock = clock
        self._recent: ExpiringCache[Deque[float]] = ExpiringCache(MAX_KEYS, WINDOW_SECONDS, clock)

    def allow(self, key: Hashable) -> bool:
        """True, and the message counts, if `key` has sent fewer than the limit in the last minute; a refused
        message does not count, so a flood does not prolong its own refusal."""
        if not self.per_minute:
            return True
        now = self._clock()
        recent = self._recent.get(key) or deque()
        while recent and recent[0] <= now - WINDOW_SECONDS:
            recent.popleft()
        allowed = len(recent) < self.per_minute
        if allowed:
            recent.append(now)
        self._recent.set(key, recent)  # refreshed: an active key is not forgotten
        return allowed


# The same sliding window in Redis (a sorted set of message times per key), atomic across instances.
_ALLOW_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
local allowed = 0
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  allowed = 1
end
redis.call('EXPIRE', KEYS[1], math.ceil(ARGV[2]) + 1)
return allowed
"""


class RedisRateLimit:
    def __init__(self, client, name: str, per_minute: int, clock: Callable[[], float] = time.time):
        if per_minute < 0:
            raise ValueError("a rate limit is a number of messages per minute, 0 for none")
        self.per_minute = per_minute
        self._clock = clock  # wall time: every instance must agree on it
        self._prefix = f"kvisa:rate:{name}:"
        self._script = client.register_script(_ALLOW_SCRIPT)

    def allow(self, key: Hashable) -> bool:
        if not self.per_minute:
            return True
        now = self._clock()
        member = f"{now:.6f}:{uuid.uuid4().hex[:8]}"
        return bool(self._script(keys=[f"{self._prefix}{key}"], args=[now, WINDOW_SECONDS, self.per_minute, member]))


def rate_limit(name: str, per_minute: int, clock: Callable[[], float] = time.monotonic):
    """A RateLimit of this process, or one shared through Redis when REDIS_URL is set."""
    from channels import shared_state

    url = shared_state.redis_url()
    if url is None:
        return RateLimit(per_minute, clock)
    return RedisRateLimit(shared_state.redis_client(url), name, per_minute)
