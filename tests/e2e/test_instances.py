"""Two Rasa instances and one action server on PostgreSQL and Redis, behind nginx (deploy/nginx.conf), as
`RASA_INSTANCES=2 make run` starts them (scripts/run.sh). The turns of the same conversations are sent
alternately and at the same time to both instances, over REST, both webhooks and socket.io, and through the
proxy; then the tracker store is read back. Checked: no event is lost or duplicated, every reply reaches its
own user, two turns of one conversation never interleave, a Telegram redelivery or a WeChat retry that lands
on the other instance is handled once, and the proxy passes on only the public routes.

Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (this machine kind runs both): when they do
not answer, the tests fail and say how to start them."""
import concurrent.futures
import itertools
import socket
import time
import uuid

import pytest
import requests
import sqlalchemy as sa
from wechatpy.crypto import WeChatCrypto

from tests.channels.conftest import redis_or_fail
from tests.e2e.conftest import running_servers
from tests.e2e.test_security import Widget, joined
from tests.e2e.test_telegram_webhook import Telegram
from tests.fakes import channel_settings as channel_settings_for_fakes
from tests.fakes.wechat_api import Platform, next_msg_id, text_xml

PG = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/14"
RASA_PORTS = (15405, 15406)
ACTION_PORT, WEB_PORT, PUBLIC_PORT = 15455, 18481, 18480
PROXY = f"http://127.0.0.1:{PUBLIC_PORT}"
INSTANCES = [f"http://127.0.0.1:{port}" for port in RASA_PORTS]
WAIT = 90


def postgres_or_fail():
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=3).close()
    except OSError as error:
        pytest.fail(f"PostgreSQL does not answer on 127.0.0.1:5432 ({error}). Start it with "
                    "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'.")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, telegram_api, wechat_api_server):
    postgres_or_fail()
    redis_or_fail(REDIS_URL).flushdb()
    database = f"kvisa_instances_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    settings = channel_settings_for_fakes.made_up(PROXY, telegram_api.url, wechat_api_server.url)
    try:
        with running_servers(tmp_path_factory.mktemp("instances"), settings, RASA_PORTS[0], ACTION_PORT, WEB_PORT,
                             extra_probes=[INSTANCES[1], f"{PROXY}/"], RASA_INSTANCES="2",
                             PUBLIC_PORT=str(PUBLIC_PORT), TRACKER_URL=f"{PG}/{database}", REDIS_URL=REDIS_URL,
                             RATE_LIMIT_PER_SENDER="0") as servers:
            yield {**servers, "settings": settings, "database": f"{PG}/{database}"}
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def rest(base, sender, text):
    reply = requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=WAIT)
    assert reply.status_code == 200, reply.text
    messages = reply.json()
    assert all(message["recipient_id"] == sender for message in messages), messages
    return messages


def events(cluster, conversation_id):
    """The conversation's events, as stored in PostgreSQL (read by the first instance's HTTP API)."""
    reply = requests.get(f"{INSTANCES[0]}/conversations/{conversation_id}/tracker",
                         params={"token": cluster["token"]}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()["events"]


def user_texts(stored):
    return [event["text"] for event in stored if event["event"] == "user"]


def assert_turns_not_interleaved(stored):
    """Each user message comes after the previous turn ended (the bot listens again): no two turns mixed."""
    kinds = [(event["event"], event.get("name")) for event in stored if event["event"] in ("user", "action")]
    for index, kind in enumerate(kinds):
        if kind[0] == "user" and index > 0:
            assert kinds[index - 1] == ("action", "action_listen"), kinds


PROFILE_TURNS = ["am I eligible for the K visa?", "I'm {age}", "PhD", "physics", "ETH Zurich"]


def form_conversation(cluster, sender, age, route):
    """The whole eligibility form, each turn sent where route(turn number) says; returns the last answer."""
    texts = [turn.format(age=age) for turn in PROFILE_TURNS]
    answers = [rest(route(number), sender, text) for number, text in enumerate(texts)]
    return texts, joined(answers[-1])


def test_rest_turns_alternating_between_instances_and_through_the_proxy_lose_and_repeat_nothing(cluster):
    senders = [f"inst-{uuid.uuid4().hex[:10]}" for _ in range(12)]
    routes = {sender: (lambda n: INSTANCES[n % 2]) if i % 3 else (lambda n: PROXY) for i, sender in
              enumerate(senders)}
    ages = dict(zip(senders, itertools.count(21)))
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        done = {sender: pool.submit(form_conversation, cluster, sender, ages[sender], routes[sender])
                for sender in senders}
        results = {sender: future.result() for sender, future in done.items()}
    for sender, (texts, verdict) in results.items():
        assert "likely" in verdict.lower(), verdict
        stored = events(cluster, f"rest:{sender}")
        assert user_texts(stored) == texts  # every message once, in order
        assert_turns_not_interleaved(stored)
        slots = {event["name"]: event["value"] for event in stored if event["event"] == "slot"}
        assert str(slots.get("age")) == str(ages[sender])  # this conversation's own age, no other's


def test_two_turns_of_one_conversation_sent_at_once_to_both_instances_are_serialised(cluster):
    sender = f"inst-{uuid.uuid4().hex[:10]}"
    texts = ["what is the K visa?", "how much does it cost?"]
    for _ in range(5):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda pair: rest(pair[0], sender, pair[1]), zip(INSTANCES, texts)))
        assert all(joined(answer) for answer in answers)
    stored = events(cluster, f"rest:{sender}")
    assert sorted(user_texts(stored)) == sorted(texts * 5)
    assert_turns_not_interleaved(stored)


def test_telegram_updates_on_both_instances_and_a_redelivery_on_the_other_is_handled_once(
        cluster, telegram_api):
    chat = Telegram({"rasa_port": RASA_PORTS[0]}, telegram_api, cluster["settings"])
    chat.url = f"{INSTANCES[0]}/webhooks/telegram/webhook"
    assert chat.say("I'm 29 with a PhD in physics from ETH Zurich, am I eligible?")
    chat.url = f"{PROXY}/webhooks/telegram/webhook"
    assert chat.say("how much does it cost?")
    update = {"update_id": 900000000 + int(time.time()) % 1000000,
              "message": chat.message(text="what documents do I need?")}
    chat.url = f"{INSTANCES[0]}/webhooks/telegram/webhook"
    mark = chat.mark()
    assert chat.post(update).status_code == 200
    first = chat.sent(mark)
    assert first
    chat.url = f"{INSTANCES[1]}/webhooks/telegram/webhook"  # Telegram delivers it again, to the other one
    mark = chat.mark()
    assert chat.post(update).status_code == 200
    assert chat.sent(mark) == []
    assert user_texts(events(cluster, f"tg:{chat.chat_id}")).count("what documents do I need?") == 1


def test_a_wechat_retry_that_lands_on_the_other_instance_gets_the_same_reply_and_one_turn(cluster):
    settings = cluster["settings"]
    crypto = WeChatCrypto(settings["WECHAT_TOKEN"], settings["WECHAT_AES_KEY"], settings["WECHAT_APPID"])
    platforms = [Platform(f"{base}/webhooks/wechat/webhook", settings["WECHAT_TOKEN"], crypto)
                 for base in (*INSTANCES, PROXY)]
    openid = "o" + uuid.uuid4().hex[:27]
    message = text_xml(openid, "what is the K visa?", next_msg_id())
    first = platforms[0].say(message)
    assert first
    assert platforms[1].say(message) == first  # the retry, on the other instance
    assert platforms[2].say(message) == first  # and through the proxy
    # tries arriving at both instances at once: one turn
    other = text_xml(openid, "how much does it cost?", next_msg_id())
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda platform: platform.say(other), platforms[:2]))
    assert replies[0] and replies[0] == replies[1]
    texts = user_texts(events(cluster, f"wx:{openid}"))
    assert texts.count("what is the K visa?") == 1 and texts.count("how much does it cost?") == 1


def test_socketio_through_the_proxy_then_resumed_on_each_instance(cluster):
    widgets = []
    try:
        widgets.append(Widget({"base": PROXY}))
        token = widgets[0].session()
        assert widgets[0].say("I'm 29 with a PhD in physics from ETH Zurich, am I eligible?", token)
        widgets[0].close()
        for base in INSTANCES:  # a reload that lands on either instance resumes the same conversation
            widget = Widget({"base": base})
            widgets.append(widget)
            assert widget.session(token) == token
            assert widget.say("how much does it cost?", token)
            widget.close()
        session_id = token.split(".")[0]
        texts = user_texts(events(cluster, f"web:{session_id}"))
        assert texts == ["I'm 29 with a PhD in physics from ETH Zurich, am I eligible?",
                         "how much does it cost?", "how much does it cost?"]
    finally:
        for widget in widgets:
            widget.close()


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/", 200),
    ("GET", "/conversations/rest:someone/tracker", 404),  # Rasa's HTTP API is not public
    ("GET", "/status", 404),
    ("GET", "/version", 404),
    ("POST", "/model/parse", 403),  # only GET reaches the page, which serves its own files only
    ("GET", "/webhooks/rest/", 404),
    ("GET", "/webhooks/rest/webhook", 403),
    ("POST", "/webhook", 403),  # the action server's route
])
def test_the_proxy_passes_on_only_the_public_routes(cluster, method, path, status):
    reply = requests.request(method, f"{PROXY}{path}", params={"token": cluster["token"]}, timeout=30)
    assert reply.status_code == status, (path, reply.status_code, reply.text[:200])


def test_the_proxy_refuses_a_body_over_1_mib_and_tells_the_page_to_use_it(cluster):
    reply = requests.post(f"{PROXY}/webhooks/rest/webhook", data=b"x" * (2 * 1024 * 1024),
                          headers={"Content-Type": "application/json"}, timeout=30)
    assert reply.status_code == 413
    assert PROXY.replace("127.0.0.1", "localhost") in requests.get(f"{PROXY}/config.js", timeout=30).text
