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
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RASA_PORT, ACTION_PORT = 16005, 16055
BASE = f"http://127.0.0.1:{RASA_PORT}"
PROFILE = "I'm 29 with a PhD in physics from ETH Zurich, am I eligible?"


def start_servers(workdir: Path) -> tuple[subprocess.Popen, float]:
    env = dict(os.environ, RASA_PORT=str(RASA_PORT), ACTION_PORT=str(ACTION_PORT), WEB_PORT="16080",
               ACTION_ENDPOINT_URL=f"http://127.0.0.1:{ACTION_PORT}/webhook", TRACKER_URL=f"sqlite:///{workdir / 'tracker.db'}", SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="2")
    started = time.perf_counter()
    process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env,
                               stdout=open(workdir / "servers.log", "w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if requests.post(f"{BASE}/webhooks/rest/webhook", json={"sender": "warmup", "message": "hello"},
                             timeout=5).ok:
                return process, time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    sys.exit("servers did not start; see " + str(workdir / "servers.log"))


def rss_mb(pattern: str) -> float:
    """Resident memory of the processes whose command line contains `pattern` (MB)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if pattern in cmdline and "rest_throughput" not in cmdline:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


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
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    return {"kind": kind, "concurrency": concurrency, "turns": turns, "tps": turns / elapsed,
            "p50": pct(50), "p95": pct(95), "p99": pct(99), "mean": statistics.mean(latencies) * 1000}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, startup = start_servers(Path(tmp))
        try:
            rows = []
            for concurrency in (1, args.concurrency):
                for kind in ("baseline", "greet", "verdict"):
                    measure(kind, min(20, args.turns), concurrency)  # warm-up
                    rows.append(measure(kind, args.turns, concurrency))
            rasa_mb, actions_mb = rss_mb("rasa run --model"), rss_mb("rasa run actions")
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=60)
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
