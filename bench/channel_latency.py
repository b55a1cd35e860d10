"""Measures the Telegram and WeChat webhooks of the running assistant and prints the figures next to a baseline
from the same run.

    .venv/bin/python bench/channel_latency.py [--turns 100] [--concurrency 4]

Starts scripts/run.sh on its own ports (17005/17055/17080) with a fresh SQLite tracker store and the Telegram
and WeChat (safe mode) channels on, pointed at the fake Bot API and the fake WeChat API of tests/fakes, which
run in this process and note when each reply reaches them. Then, one conversation at a time and with N
concurrent conversations (each sending its turns one after the other, a new conversation every 10 turns), for
two messages, "hello" (NLU + rules) and a full profile (NLU + form + the long verdict from the action server):
  wechat    encrypted text message posted as WeChat does -> the passive reply, or, when the assistant takes
            longer than WeChat's window (WECHAT_REPLY_TIMEOUT, 4.5 s), `success` and then the
            customer-service API call: the latency is until the user has the answer either way;
  telegram  update posted with the secret token -> the first sendMessage reaching the fake Bot API; the
            webhook awaits the whole turn before answering, so its response time is shown too;
  rest      the same message over /webhooks/rest/webhook (the baseline: same NLU and dialogue, no channel);
  http      GET / and GET /webhooks/telegram/ (the HTTP floor: no NLU, no dialogue).
Loads only loopback, bounded in count and time; stops the servers and the fakes at the end, also on Ctrl-C.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

import requests
from wechatpy.crypto import WeChatCrypto

from _servers import PROFILE, ROOT, percentile, running

sys.path.insert(0, str(ROOT))  # the fakes live in tests/
from tests.fakes import channel_settings, telegram_bot_api, wechat_api  # noqa: E402
from tests.fakes.recording_server import Call, RecordingServer  # noqa: E402

RASA_PORT, ACTION_PORT, WEB_PORT = 17005, 17055, 17080
BASE = f"http://127.0.0.1:{RASA_PORT}"
MESSAGES = {"greet": "hello", "verdict": PROFILE}
TURNS_PER_CONVERSATION = 10  # a new conversation every 10 turns, as real users come and go
WARM_UP_TURNS = 8
PUSH_WAIT = 60  # seconds to wait for a customer-service message after `success`
_ids = itertools.count(int(time.time()) % 100000 * 1000)


class Arrivals:
    """When each call to a fake API arrived, per recipient (chat id, openid)."""

    def __init__(self, server: RecordingServer, recipient: Callable[[Call], Optional[str]]):
        self._times: Dict[str, List[float]] = {}
        self._changed = threading.Condition()

        def stamp(call: Call) -> None:
            arrived = time.perf_counter()
            key = recipient(call)
            if key is not None:
                with self._changed:
                    self._times.setdefault(key, []).append(arrived)
                    self._changed.notify_all()

        server.listeners.append(stamp)

    def after(self, key: str, since: float) -> List[float]:
        with self._changed:
            return [t for t in self._times.get(key, []) if t > since]

    def wait_after(self, key: str, since: float, timeout: float) -> Optional[float]:
        with self._changed:
            self._changed.wait_for(lambda: self.after(key, since), timeout)
        times = self.after(key, since)
        return times[0] if times else None

    def count(self, keys) -> int:
        with self._changed:
            return sum(len(self._times.get(k, [])) for k in keys)


def _telegram_chat(call: Call) -> Optional[str]:
    if telegram_bot_api.method_of(call) == "sendMessage":
        return str(call.params().get("chat_id"))
    return None


def _wechat_user(call: Call) -> Optional[str]:
    if call.path != wechat_api.SEND_PATH:
        return None
    try:
        body = call.json
    except ValueError:
        return None
    return body.get("touser") if isinstance(body, dict) else None


@dataclass
class Turn:
    latency: float  # until the user has the answer
    response: float  # until the webhook answered
    passive: bool = True  # WeChat: answered in the HTTP response rather than later through the API
    missing: bool = False  # no answer arrived at all
    messages: int = 1  # Telegram: sendMessage calls the turn made


@dataclass
class Row:
    channel: str
    message: str
    concurrency: int
    turns: List[Turn]
    elapsed: float
    note: str = ""


class Channels:
    """Plays WeChat, Telegram and a REST client against the running servers."""

    def __init__(self, settings: Dict[str, str], telegram: Arrivals, wechat: Arrivals):
        self.settings, self.telegram, self.wechat = settings, telegram, wechat
        crypto = WeChatCrypto(settings["WECHAT_TOKEN"], settings["WECHAT_AES_KEY"], settings["WECHAT_APPID"])
        self.platform = wechat_api.Platform(f"{BASE}/webhooks/wechat/webhook", settings["WECHAT_TOKEN"], crypto)

    def http(self, path: str, _sender: str, _text: str) -> Turn:
        began = time.perf_counter()
        requests.get(BASE + path, timeout=30).raise_for_status()
        took = time.perf_counter() - began
        return Turn(took, took)

    def rest(self, sender: str, text: str) -> Turn:
        began = time.perf_counter()
        reply = requests.post(f"{BASE}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
        took = time.perf_counter() - began
        reply.raise_for_status()
        return Turn(took, took, missing=not reply.json())

    def telegram_turn(self, sender: str, text: str) -> Turn:
        chat_id = 600000000 + uuid.uuid5(uuid.NAMESPACE_OID, sender).int % 100000000
        update = {"update_id": next(_ids), "message": {
            "message_id": next(_ids), "date": int(time.time()), "text": text,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ada", "language_code": "en"},
            "chat": {"id": chat_id, "first_name": "Ada", "type": "private"}}}
        body = json.dumps(update).encode()
        headers = {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": self.settings["TELEGRAM_SECRET_TOKEN"]}
        began = time.perf_counter()
        reply = requests.post(f"{BASE}/webhooks/telegram/webhook", data=body, headers=headers, timeout=60)
        took = time.perf_counter() - began
        reply.raise_for_status()
        sent = self.telegram.after(str(chat_id), began)  # the webhook returns after the turn's sendMessage calls
        return Turn(sent[0] - began if sent else took, took, missing=not sent, messages=len(sent))

    def wechat_turn(self, sender: str, text: str) -> Turn:
        openid = wechat_openid(sender)
        began = time.perf_counter()
        response = self.platform.post(wechat_api.text_xml(openid, text))  # encrypts (microseconds), then posts
        took = time.perf_counter() - began
        if self.platform.reply(response) is not None:
            return Turn(took, took)
        pushed = self.wechat.wait_after(openid, began, PUSH_WAIT)
        return Turn((pushed or time.perf_counter()) - began, took, passive=False, missing=pushed is None)


def wechat_openid(sender: str) -> str:
    return "o" + uuid.uuid5(uuid.NAMESPACE_OID, sender).hex[:27]


def measure(turn: Callable[[str, str], Turn], text: str, turns: int, concurrency: int) -> tuple:
    """`turns` turns over `concurrency` conversations at once, each conversation's turns one after the other.
    Returns the turns, the seconds they took, and the senders used."""
    run = uuid.uuid4().hex[:12]
    stop = threading.Event()

    def conversation(worker: int) -> List[Turn]:
        done = []
        for n in range(worker, turns, concurrency):
            if stop.is_set():
                break
            done.append(turn(f"bench-{run}-{worker}-{n // (concurrency * TURNS_PER_CONVERSATION)}", text))
        return done

    senders = {f"bench-{run}-{w}-{n // (concurrency * TURNS_PER_CONVERSATION)}"
               for w in range(concurrency) for n in range(w, turns, concurrency)}
    pool = ThreadPoolExecutor(max_workers=concurrency)
    began = time.perf_counter()
    try:
        results = [f.result() for f in [pool.submit(conversation, w) for w in range(concurrency)]]
    except BaseException:
        stop.set()  # Ctrl-C or a failed request: no new turns; the servers stop in running()'s finally
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [t for r in results for t in r], time.perf_counter() - began, senders


def settle(arrivals: Arrivals, keys, quiet: float = 1.0, limit: float = 30.0) -> int:
    """Customer-service messages to `keys`, once none has come for `quiet` seconds (overflow pushes of long
    answers go out after the passive reply)."""
    deadline, seen, last_change = time.time() + limit, -1, time.time()
    while time.time() < deadline:
        now = arrivals.count(keys)
        if now != seen:
            seen, last_change = now, time.time()
        elif time.time() - last_change >= quiet:
            break
        time.sleep(0.1)
    return seen


def run_rows(channels: Channels, turns: int, concurrency: int) -> List[Row]:
    rows = []
    for conc in (1, concurrency):
        for path in ("/", "/webhooks/telegram/"):
            bound = lambda s, t, p=path: channels.http(p, s, t)  # noqa: E731
            measure(bound, "", min(WARM_UP_TURNS, turns), conc)
            done, elapsed, _ = measure(bound, "", turns, conc)
            rows.append(Row("http", f"GET {path}", conc, done, elapsed))
        for kind, text in MESSAGES.items():
            for name, turn in (("rest", channels.rest), ("telegram", channels.telegram_turn),
                               ("wechat", channels.wechat_turn)):
                measure(turn, text, min(WARM_UP_TURNS, turns), conc)
                done, elapsed, senders = measure(turn, text, turns, conc)
                row = Row(name, kind, conc, done, elapsed)
                if name == "telegram":
                    returned = sorted(t.response for t in done)
                    row.note = f"webhook returns p50 {percentile(returned, 50):.0f} / p95 " \
                               f"{percentile(returned, 95):.0f} ms, " \
                               f"{sum(t.messages for t in done) / len(done):.1f} msgs/turn"
                if name == "wechat":
                    passive = sum(t.passive for t in done)
                    pushes = settle(channels.wechat, {wechat_openid(s) for s in senders})
                    row.note = f"passive {passive}/{len(done)}, fell back {len(done) - passive}, " \
                               f"customer-service msgs {pushes}"
                missing = sum(t.missing for t in done)
                if missing:
                    row.note += f" NO ANSWER {missing}"
                rows.append(row)
                print(f"  measured {name} {kind} x{conc}", file=sys.stderr, flush=True)
    return rows


def print_table(rows: List[Row]) -> None:
    print(f"{'channel':<9}{'message':<24}{'conc.':>5}{'turns':>6}{'turns/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
          f"{'max ms':>8}  notes")
    for r in rows:
        ordered = sorted(t.latency for t in r.turns)
        print(f"{r.channel:<9}{r.message:<24}{r.concurrency:>5}{len(r.turns):>6}{len(r.turns) / r.elapsed:>8.1f}"
              f"{percentile(ordered, 50):>8.0f}{percentile(ordered, 95):>8.0f}{percentile(ordered, 100):>8.0f}"
              f"  {r.note}".rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    telegram = telegram_bot_api.start()
    wechat = wechat_api.start()
    try:
        channels = Channels(channel_settings.made_up(BASE, telegram.url, wechat.url, bot_name="kvisa_bench_bot"), Arrivals(telegram, _telegram_chat),
                            Arrivals(wechat, _wechat_user))
        with tempfile.TemporaryDirectory() as tmp, \
                running(Path(tmp), RASA_PORT, ACTION_PORT, WEB_PORT, channels.settings) as servers:
            rows = run_rows(channels, args.turns, args.concurrency)
            rasa_mb, actions_mb = servers.rss_mb("rasa run --model"), servers.rss_mb("scripts/action_server.py")
    finally:
        telegram.stop()
        wechat.stop()
    print(f"start-up to first answered message: {servers.startup:.1f} s")
    print(f"resident memory: Rasa server {rasa_mb:.0f} MB, action server {actions_mb:.0f} MB")
    print_table(rows)
    budget = os.environ.get("WECHAT_REPLY_TIMEOUT") or "4.5"
    print("latency = until the user has the answer: wechat, the passive reply (or, past the "
          f"{budget} s window, the customer-service message); telegram, the first sendMessage at the Bot API; "
          "rest, the HTTP response. http = no NLU, no dialogue. greet = \"hello\"; verdict = a full profile "
          "(form + verdict on the action server).")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:  # the servers and the fakes are stopped by then
        sys.exit("interrupted")
