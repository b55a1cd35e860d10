"""One WeChat message and what was done about it, shared by WeChat's retries of that message, which may land
on any Rasa instance. WeChat waits 5 s for a reply and otherwise sends the same message again (up to three
times), so each message is handled exactly once:

- the first try anywhere claims the message and runs its turn; a retry starts nothing;
- every try waits (up to the reply timeout) for the turn's text and replies with it passively;
- a try that gives up waiting answers `success` and marks the answer to be pushed through the customer-service
  API; whoever finishes the turn, or the next try that sees it finished, pushes it, once;
- the rest of an answer too long for one reply is pushed once, by whichever try sends the first part.

The record of each message lives in this process (MemoryRecords) or, when REDIS_URL is set, in Redis
(RedisRecords), where each step is one atomic script, so two instances can never both deliver."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable, Dict, Hashable, Optional, Text, Tuple

from channels import shared_state
from channels.bounded_cache import ExpiringCache

RECORD_SECONDS = 120  # WeChat retries within about 15 s; two minutes covers that with room to spare
POLL_SECONDS = 0.05  # how often a try on another instance looks whether the turn is done

Finished = Tuple[Text, bool]  # the turn's text, and whether its answer is (to be) pushed instead


class MemoryRecords:
    def __init__(self, max_items: int = 2000):
        self._records: ExpiringCache[Dict[Text, Any]] = ExpiringCache(max_items, RECORD_SECONDS)

    def claim(self, key: Hashable) -> bool:
        _, created = self._records.get_or_create(key, lambda: {"done": False, "push": False, "overflow": False})
        return created

    def complete(self, key: Hashable, text: Text) -> bool:
        record = self._records.get(key)
        if record is None:
            return False
        record.update(done=True, text=text)
        return record["push"]

    def finished(self, key: Hashable) -> Optional[Finished]:
        record = self._records.get(key)
        return (record["text"], record["push"]) if record and record["done"] else None

    def defer(self, key: Hashable) -> Optional[Finished]:
        record = self._records.get(key)
        if record is None:
            return None
        if record["done"]:
            return record["text"], record["push"]
        record["push"] = True
        return None

    def claim_overflow(self, key: Hashable) -> bool:
        record = self._records.get(key)
        if record is None or record["overflow"]:
            return False
        record["overflow"] = True
        return True

    def forget(self, openid: Text) -> None:
        """Drops the user's finished messages (a message still being answered, such as the "yes" that asked
        for the deletion, keeps its record until it is answered; it then holds no earlier answer)."""
        self._records.remove_where(lambda key, record: key[1] == openid and record["done"])


_CLAIM = """
if redis.call('HSETNX', KEYS[1], 'done', '0') == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""
_COMPLETE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'done', '1', 'text', ARGV[1])
return redis.call('HGET', KEYS[1], 'push') == '1' and 1 or 0
"""
_DEFER = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HGET', KEYS[1], 'done') == '1' then
  return {redis.call('HGET', KEYS[1], 'text'), redis.call('HGET', KEYS[1], 'push') == '1' and 1 or 0}
end
redis.call('HSET', KEYS[1], 'push', '1')
return false
"""
_CLAIM_OVERFLOW = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'overflow', '1')
"""


class RedisRecords:
    PREFIX = "kvisa:wechat-message:"

    def __init__(self, client: Any):
        self._redis = client
        self._claim = client.register_script(_CLAIM)
        self._complete = client.register_script(_COMPLETE)
        self._defer = client.register_script(_DEFER)
        self._claim_overflow = client.register_script(_CLAIM_OVERFLOW)

    def _key(self, key: Hashable) -> Text:
        return self.PREFIX + shared_state.key_text(key)

    def claim(self, key: Hashable) -> bool:
        return bool(self._claim(keys=[self._key(key)], args=[RECORD_SECONDS]))

    def complete(self, key: Hashable, text: Text) -> bool:
        return bool(self._complete(keys=[self._key(key)], args=[text]))

    def finished(self, key: Hashable) -> Optional[Finished]:
        done, text, push = self._redis.hmget(self._key(key), "done", "text", "push")
        return (text or "", push == "1") if done == "1" else None

    def defer(self, key: Hashable) -> Optional[Finished]:
        outcome = self._defer(keys=[self._key(key)])
        return (outcome[0], bool(outcome[1])) if outcome else None

    def claim_overflow(self, key: Hashable) -> bool:
        return bool(self._claim_overflow(keys=[self._key(key)]))

    def forget(self, openid: Text) -> None:
        for name in self._redis.scan_iter(match=self.PREFIX + "*", count=500):
            key = json.loads(name[len(self.PREFIX):])
            if key[1] == openid and self._redis.hget(name, "done") == "1":  # as MemoryRecords.forget
                self._redis.delete(name)


class Exchanges:
    def __init__(self, records: Any):
        self.records = records
        self._turns: ExpiringCache[asyncio.Future] = ExpiringCache(2000, RECORD_SECONDS)  # run here

    def begin(self, key: Hashable, turn: Callable[[], Awaitable[Text]],
              push: Callable[[Text], Awaitable[None]]) -> None:
        """Runs `turn()` if this is the first try of the message anywhere; when the turn ends with its answer
        marked to be pushed, `push(text)` sends it."""
        if self._turns.get(key) is not None or not self.records.claim(key):
            return

        async def run() -> Text:
            text = await turn()
            if self.records.complete(key, text):
                await push(text)
            return text

        self._turns.set(key, asyncio.ensure_future(run()))

    async def wait(self, key: Hashable, timeout: float) -> Optional[Finished]:
        """The finished turn, or None when it is not finished within `timeout` seconds."""
        mine = self._turns.get(key)
        if mine is not None:
            try:
                await asyncio.wait_for(asyncio.shield(mine), timeout)
            except asyncio.TimeoutError:
                return None
            return self.records.finished(key)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:  # the turn runs on another instance
            finished = self.records.finished(key)
            if finished is not None or asyncio.get_running_loop().time() >= deadline:
                return finished
            await asyncio.sleep(POLL_SECONDS)

    def defer(self, key: Hashable) -> Optional[Finished]:
        """Marks the answer to be pushed, unless the turn has just finished (then it is returned instead)."""
        return self.records.defer(key)

    def claim_overflow(self, key: Hashable) -> bool:
        return self.records.claim_overflow(key)

    def forget(self, openid: Text) -> None:
        self.records.forget(openid)
        self._turns.remove_where(lambda key, turn: key[1] == openid and turn.done())
