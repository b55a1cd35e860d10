"""The channels' shared memory (channels/shared_state.py, channels/rate_limit.py, channels/lock_store.py):
with REDIS_URL set, two instances (two clients of one Redis) see one state; without it, each process has
its own. Runs in both backends (tests/channels/conftest.py); the Redis-only checks say so."""
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from channels import lock_store, shared_state
from channels.admission import Admission
from channels.bounded_cache import ExpiringCache
from tests.channels.conftest import REDIS_URL, redis_or_fail


def two_instances(name, ttl=60.0, **codec):
    """The same cache as two Rasa instances would make it."""
    if shared_state.redis_url() is None:
        return shared_state.cache(name, 100, ttl, **codec), shared_state.cache(name, 100, ttl, **codec)
    import redis

    other = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    return shared_state.cache(name, 100, ttl, **codec), shared_state.RedisCache(other, name, ttl, **codec)


def test_the_backend_follows_redis_url(backend):
    made = shared_state.cache("x", 10, 60)
    assert isinstance(made, shared_state.RedisCache if backend == "redis" else ExpiringCache)


def test_get_set_pop_and_tuple_keys(backend):
    cache, _ = two_instances("basics")
    assert cache.get(("msg", "openid", "1")) is None
    cache.set(("msg", "openid", "1"), {"text": "hello"})
    assert cache.get(("msg", "openid", "1")) == {"text": "hello"}
    assert cache.pop(("msg", "openid", "1")) == {"text": "hello"}
    assert cache.pop(("msg", "openid", "1")) is None


def test_get_or_create_creates_once(backend):
    cache, _ = two_instances("once")
    assert cache.get_or_create("k", lambda: 1) == (1, True)
    assert cache.get_or_create("k", lambda: 2) == (1, False)


def test_remove_where_drops_only_the_matching_keys(backend):
    cache, _ = two_instances("remove")
    for user in ("a", "b"):
        cache.set(("msg", user, "1"), 1)
    cache.remove_where(lambda key, value: key[1] == "a")
    assert cache.get(("msg", "a", "1")) is None and cache.get(("msg", "b", "1")) == 1


def test_values_json_cannot_hold_go_through_the_codec(backend):
    cache, _ = two_instances("codec", dumps=list, loads=tuple)
    cache.set("nonce", ("msg", "o1", "7"))
    assert cache.get("nonce") == ("msg", "o1", "7")


def test_two_instances_share_one_state_with_redis_and_not_without(backend):
    shared = backend == "redis"
    first, second = two_instances("shared")
    assert first.get_or_create("update-42", lambda: True) == (True, True)
    # with Redis the other instance is not the first to see the update; without, it cannot know
    assert second.get_or_create("update-42", lambda: True) == (True, not shared)
    second.set("options", [["Yes", "/affirm"]])
    assert first.get("options") == ([["Yes", "/affirm"]] if shared else None)


def test_keys_expire(backend):
    now = [1000.0]
    cache = shared_state.cache("expiry", 100, 1, clock=lambda: now[0])
    cache.set("k", 1)
    if backend == "redis":
        assert 0 < redis_or_fail().ttl('kvisa:expiry:"k"') <= 1
    else:
        now[0] += 2
        assert cache.get("k") is None


def test_the_rate_limit_is_shared_by_the_instances_that_share_redis(backend):
    first, second = Admission(per_sender=3, per_ip=0), Admission(per_sender=3, per_ip=0)
    refused = [a.check("rest:flood", "hi") is not None for a in (first, second, first, second, first)]
    if backend == "redis":
        assert refused == [False, False, False, True, True]  # 3 a minute across both instances
    else:
        assert refused == [False] * 5  # 3 a minute in each process: neither reached its limit


def test_the_lock_store_is_redis_when_redis_url_is_set(backend):
    store = lock_store.from_environment()
    if backend == "memory":
        assert isinstance(store, InMemoryLockStore)
        return
    assert isinstance(store, RedisLockStore)
    other = lock_store.EnvironmentLockStore()
    lock = store.issue_ticket("rest:someone", lock_lifetime=30)
    assert other.get_lock("rest:someone").last_issued == lock  # the other instance sees the ticket
    store.finish_serving("rest:someone", lock)


def test_redis_settings_from_the_url():
    assert lock_store.redis_settings("rediss://user:pw@cache.example.org:6380/2") == {
        "host": "cache.example.org", "port": 6380, "db": 2, "username": "user", "password": "pw",
        "use_ssl": True}
    assert lock_store.redis_settings("redis://127.0.0.1:6379")["db"] == 0


def test_two_instances_taking_tickets_at_once_never_get_the_same_one(backend):
    import threading

    stores = [lock_store.EnvironmentLockStore(), lock_store.EnvironmentLockStore()]
    if backend == "memory":
        stores = stores[:1]  # one process: Rasa's own steps are never interleaved
    tickets, start = [], threading.Barrier(20)

    def take(store):
        start.wait()
        for _ in range(10):
            tickets.append(store.issue_ticket("rest:race", lock_lifetime=30))

    threads = [threading.Thread(target=take, args=(stores[i % len(stores)],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(200))
