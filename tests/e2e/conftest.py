"""Starts the real servers once for all end-to-end tests: scripts/run.sh (action server, Rasa server with the
REST, socket.io, Telegram and WeChat channels, and the web chat page), on ports of their own and with a fresh
SQLite tracker store, so a running `make run` is not disturbed. The Telegram Bot API and the WeChat API are
fakes on loopback (tests/fakes) that record what the channels send."""
import contextlib
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.fakes import channel_settings as channel_settings_for_fakes
from tests.fakes import telegram_bot_api, wechat_api

ROOT = Path(__file__).resolve().parents[2]
RASA_PORT = int(os.environ.get("E2E_RASA_PORT", "15005"))
ACTION_PORT = int(os.environ.get("E2E_ACTION_PORT", "15055"))
WEB_PORT = int(os.environ.get("E2E_WEB_PORT", "18080"))
START_TIMEOUT = 300  # seconds; loading TensorFlow models takes about a minute on two cores


@pytest.fixture(scope="session")
def telegram_api():
    server = telegram_bot_api.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def wechat_api_server():
    server = wechat_api.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def channel_settings(telegram_api, wechat_api_server):
    """The channel credentials the servers are started with (all made up for the test run)."""
    return channel_settings_for_fakes.made_up(f"http://127.0.0.1:{RASA_PORT}", telegram_api.url,
                                              wechat_api_server.url)


@pytest.fixture(scope="session")
def servers(tmp_path_factory, channel_settings):
    with running_servers(tmp_path_factory.mktemp("e2e"), channel_settings, RASA_PORT, ACTION_PORT, WEB_PORT) as found:
        yield found


@contextlib.contextmanager
def running_servers(work, channel_settings, rasa_port, action_port, web_port, extra_probes=(), **env_changes):
    """scripts/run.sh on these ports with a fresh tracker store, until the block ends; `env_changes` are added
    to its environment (e.g. another ACTION_ENDPOINT_URL); `extra_probes` are more URLs that must answer
    before the servers count as started (e.g. a second instance)."""
    db = work / "tracker.db"
    log_path = work / "servers.log"
    log = open(log_path, "w")
    base = f"http://127.0.0.1:{rasa_port}"
    token = uuid.uuid4().hex
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port), WEB_PORT=str(web_port),
               RASA_API_TOKEN=token, ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
               TRACKER_URL=f"sqlite:///{db}",
               # every test's client is 127.0.0.1: the default per-address limit would count them all as one
               RATE_LIMIT_PER_IP="0", RATE_LIMIT_PER_SENDER="30",
               # the most talkative logs, so that tests/e2e/test_security.py can check that none of it is personal
               LOG_LEVEL="DEBUG", LOG_LEVEL_LIBRARIES="INFO", **channel_settings)
    env.update(env_changes)
    process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    probes = [base, f"http://127.0.0.1:{action_port}/health", f"http://127.0.0.1:{web_port}/", *extra_probes]
    deadline = time.time() + START_TIMEOUT
    ready = False
    while time.time() < deadline and process.poll() is None:
        try:
            ready = all(requests.get(url, timeout=2).ok for url in probes)
        except requests.RequestException:
            ready = False
        if ready:
            break
        time.sleep(2)
    if not ready:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        log.close()
        pytest.fail("servers did not start:\n" + log_path.read_text()[-3000:])
    try:
        yield {"db": db, "log": log_path, "root": ROOT, "base": base, "token": token,
               "web": f"http://127.0.0.1:{web_port}", "rasa_port": rasa_port, "action_port": action_port,
               "web_port": web_port}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
