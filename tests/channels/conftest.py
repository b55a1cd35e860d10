"""Every channel test runs twice: with the channels' memory in this process, and in Redis (REDIS_URL), as when
several Rasa instances serve together (channels/shared_state.py). The Redis runs use database 15 of the
server this machine kind runs on 127.0.0.1:6379, emptied before each test; when it does not answer they fail
and say how to start it."""
import os
import sys

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_fail(url=REDIS_URL):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis does not answer at {url} ({error}). Start it with 'redis-server --daemonize yes "
                    "--bind 127.0.0.1 -::1 --port 6379 --save \"\" --appendonly no'.")
    return client


@pytest.fixture(autouse=True, params=["memory", "redis"])
def backend(request, monkeypatch):
    if request.param == "redis":
        redis_or_fail().flushdb()
        monkeypatch.setenv("REDIS_URL", REDIS_URL)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    forget = sys.modules.get("channels.forget")
    if forget is not None:  # its pending questions are made on first use, in the backend of that moment
        monkeypatch.setattr(forget, "_pending_questions", None)
    return request.param
