"""A small bounded, expiring in-memory map, for what the channels remember for a while: WeChat messages that
WeChat may retry and each user's numbered options, Telegram updates already handled and long button payloads.
Per process: several Rasa servers behind a proxy do not share it."""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, Tuple, TypeVar

V = TypeVar("V")


class ExpiringCache(Generic[V]):
    def __init__(self, max_items: int, ttl_seconds: float, clock: Callable[[], float] = time.monotonic):
        self._items: "OrderedDict[Hashable, Tuple[float, V]]" = OrderedDict()
        self._max_items = max_items
        self._ttl = ttl_seconds
        self._clock = clock

    def get(self, key: Hashable) -> Optional[V]:
        self._expire()
        item = self._items.get(key)
        return item[1] if item else None

    def set(self, key: Hashable, value: V) -> None:
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self._ttl, value)
        self._expire()

    def pop(self, key: Hashable) -> Optional[V]:
        item = self._items.pop(key, None)
        return item[1] if item else None

    def remove_where(self, condition: Callable[[Hashable, V], bool]) -> None:
        """Drops every item for which condition(key, value) is true."""
        for key, (_, value) in list(self._items.items()):
            if condition(key, value):
                del self._items[key]

    def get_or_create(self, key: Hashable, create: Callable[[], V]) -> Tuple[V, bool]:
        """The value for key and False, or a new value from create() and True."""
        value = self.get(key)
        if value is not None:
            return value, False
        value = create()
        self.set(key, value)
        return value, True

    def __len__(self) -> int:
        self._expire()
        return len(self._items)

    def _expire(self) -> None:
        now = self._clock()
        # insertion order is expiry order (every set moves the key to the end with a later deadline)
        while self._items and (len(self._items) > self._max_items or next(iter(self._items.values()))[0] <= now):
            self._items.popitem(last=False)
