"""Measures the running assistant over REST and prints the figures next to a baseline from the same run.

    .venv/bin/python bench/rest_throughput.py [--turns 200] [--concurrency 10]

Starts scripts/run.sh on its own ports (16005/16055) with a fresh SQLite tracker store, then measures:
  - start-up: seconds from process start to the first answered message;
  - memory: resident set size of the Rasa and action servers after the run;
  - for three kinds of request, turns per second and latency percentiles, one conversation at a time and
    with N concurrent conversations:
      baseline  GET /                  (HTTP only: no NLU, no dialogue)
      greet     "hello"                (NLU + rules, no action server)
      verdict   a full profile message (NLU + entities + form validation + verdict on the action server)
Each conversation lasts 10 turns, then a new one starts. Loads only loopback, bounded in count and time; stops the servers at the end.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from _servers import PROFILE, percentile, running

RASA_PORT, ACTION_PORT, WEB_PORT = 16005, 16055, 16080
BASE = f"http://127.0.0.1:{RASA_PORT}"


def one_request(kind: str, sender: str) -> float:
    began = time.perf_counter()
    if kind == "baseline":
        requests.get(BASE, timeout=30).raise_for_status()
    else:
        text = "hello" if kind == "greet" else PROFILE
        requests.post(f"{BASE}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                      timeout=60).raise_for_status()
    return time.perf_counter() - began


TURNS_PER_CONVERSATION = 10  # a new conversation every 10 turns, as real users come and go


def measure(kind: str, turns: int, concurrency: int) -> dict:
    run = uuid.uuid4().hex
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(
            lambda i: one_request(kind, f"bench-{run}-{i % concurrency}-{i // (concurrency * TURNS_PER_CONVERSATION)}"),
            range(turns)))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return percentile(ordered, p)

    return {"kind": kind, "concurrency": concurrency, "turns": turns, "tps": turns / elapsed,
            "p50": pct(50), "p95": pct(95), "p99": pct(99), "mean": statistics.mean(latencies) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running(Path(tmp), RASA_PORT, ACTION_PORT, WEB_PORT) as servers:
        startup = servers.startup
        rows = []
        for concurrency in (1, args.concurrency):
            for kind in ("baseline", "greet", "verdict"):
                measure(kind, min(20, args.turns), concurrency)  # warm-up
                rows.append(measure(kind, args.turns, concurrency))
        rasa_mb, actions_mb = servers.rss_mb("rasa run --model"), servers.rss_mb("scripts/action_server.py")
    print(f"start-up to first answered message: {startup:.1f} s")
    print(f"resident memory: Rasa server {rasa_mb:.0f} MB, action server {actions_mb:.0f} MB")
    print(f"{'request':<10}{'conc.':>6}{'turns':>7}{'turns/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for r in rows:
        print(f"{r['kind']:<10}{r['concurrency']:>6}{r['turns']:>7}{r['tps']:>10.1f}{r['p50']:>9.1f}"
              f"{r['p95']:>9.1f}{r['p99']:>9.1f}")
    print("baseline = GET / on the same server (HTTP only); greet = NLU + rules; verdict = NLU + form + actions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
