"""Messages per minute per key (a sender, a client address): a sliding window, so a burst cannot be doubled
across a minute boundary. In memory, bounded, per process."""
from __future__ import annotations

import time
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
