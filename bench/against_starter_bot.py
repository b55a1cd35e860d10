"""This assistant against the stock Rasa starter bot, measured in one run on this machine.

    .venv/bin/python bench/against_starter_bot.py [--seconds 20] [--levels 1,10,50] [--write-docs]
                                                  [--instances N]

1. Makes the stock starter bot (`rasa init --no-prompt`: its project, trained now with its default config)
   in build/bench/starter-bot, and serves it with `rasa run` on port 16105 with the same tracker store type
   as this assistant (Rasa's SQL store on an SQLite file).
2. Serves this assistant with scripts/run.sh (bench/_servers.py) on 16005/16055/16080.
3. Puts the same closed-loop REST load on each, one bot at a time, at each concurrency level: every virtual
   user runs whole conversations (small talk, two FAQ questions, the whole eligibility form, thanks) one
   turn after the other, for --seconds per level.
With --instances N (N > 1) this assistant runs as N Rasa servers behind nginx on PostgreSQL and Redis
(`RASA_INSTANCES=N`, README "Several instances") and the load goes through the proxy; both bots then use
Rasa's SQL tracker store on PostgreSQL (a database of their own, dropped afterwards), so the store type is
still the same for both. Prints, for both bots: turns/s and p50/p95/p99 latency per level with the ratio between them, cold start
(process start to the first answered message) and the resident memory of each process. With --write-docs
the figures, the machine and a plot go into docs/performance.md and docs/performance.png.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

import requests

from _servers import ROOT, Servers, _first_answer, _stop, percentile, running

STARTER_DIR = ROOT / "build" / "bench" / "starter-bot"
STARTER_PORT = 16105
RASA_PORT, ACTION_PORT, WEB_PORT = 16005, 16055, 16080
RASA = ROOT / ".venv" / "bin" / "rasa"

# One conversation: small talk, FAQ questions, the whole eligibility form (age, degree, field, institution).
CONVERSATION = ["hi", "what is the K visa?", "am I eligible?", "29", "PhD", "physics", "ETH Zurich",
                "how much does it cost?", "thanks, bye"]


@dataclass
class Level:
    concurrency: int
    latencies: List[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: int = 0

    @property
    def tps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float) -> float:
        return percentile(sorted(self.latencies), p) if self.latencies else float("nan")


def closed_loop(base: str, concurrency: int, seconds: float) -> Level:
    level, lock = Level(concurrency), threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user(number: int) -> None:
        session = requests.Session()
        while time.perf_counter() < stop_at:
            sender = f"bench-{number}-{uuid.uuid4().hex[:8]}"
            for text in CONVERSATION:
                if time.perf_counter() >= stop_at:
                    return
                began = time.perf_counter()
                try:
                    session.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                 timeout=120).raise_for_status()
                    took = time.perf_counter() - began
                    with lock:
                        level.latencies.append(took)
                except requests.RequestException:
                    with lock:
                        level.errors += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(user, range(concurrency)))
    level.elapsed = time.perf_counter() - began
    return level


def warm_up(base: str) -> None:
    sender = f"warm-{uuid.uuid4().hex[:8]}"
    for text in CONVERSATION:
        requests.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                      timeout=120).raise_for_status()


def make_starter_bot() -> float:
    """`rasa init --no-prompt` into STARTER_DIR (trains its model); seconds it took."""
    shutil.rmtree(STARTER_DIR, ignore_errors=True)
    STARTER_DIR.mkdir(parents=True)  # rasa init wants the folder to exist
    began = time.perf_counter()
    done = subprocess.run([str(RASA), "init", "--no-prompt", "--init-dir", str(STARTER_DIR)], cwd=ROOT,
                          env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"), capture_output=True, text=True)
    if done.returncode != 0 or not list((STARTER_DIR / "models").glob("*.tar.gz")):
        sys.exit("rasa init failed:\n" + (done.stdout + done.stderr)[-3000:])
    return time.perf_counter() - began


PG = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/13"
PUBLIC_PORT = 16480


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    import sqlalchemy as sa

    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def starter_bot(workdir: Path, tracker_url: str = "") -> Iterator[Servers]:
    endpoints = workdir / "endpoints.yml"
    if tracker_url:
        endpoints.write_text(f"tracker_store:\n  type: SQL\n  url: {tracker_url}\n")
    else:
        endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'starter.db'}\n")
    model = sorted((STARTER_DIR / "models").glob("*.tar.gz"))[-1]
    log = open(workdir / "starter.log", "w")
    started = time.perf_counter()
    process = subprocess.Popen([str(RASA), "run", "--model", str(model), "--port", str(STARTER_PORT),
                                "--interface", "127.0.0.1", "--endpoints", str(endpoints),
                                "--credentials", str(STARTER_DIR / "credentials.yml")],
                               cwd=STARTER_DIR, env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        startup = _first_answer(f"http://127.0.0.1:{STARTER_PORT}", process, started)
        if startup is None:
            sys.exit("the starter bot did not start:\n" + (workdir / "starter.log").read_text()[-3000:])
        yield Servers(process, STARTER_PORT, startup)
    finally:
        _stop(process)
        log.close()


def measure(servers: Servers, levels: List[int], seconds: float, processes: Dict[str, str],
            base: str = "") -> dict:
    base = base or servers.base
    warm_up(base)
    results = [closed_loop(base, concurrency, seconds) for concurrency in levels]
    memory = {name: servers.rss_mb(pattern) for name, pattern in processes.items()}
    return {"startup": servers.startup, "levels": results, "memory": memory}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def table(starter: dict, kvisa: dict) -> List[str]:
    lines = ["| concurrent | bot | turns/s | p50 ms | p95 ms | p99 ms | errors |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for ours, theirs in zip(kvisa["levels"], starter["levels"]):
        for name, level in (("starter bot", theirs), ("K-visa assistant", ours)):
            lines.append(f"| {level.concurrency} | {name} | {level.tps:.1f} | {level.pct(50):.0f} | "
                         f"{level.pct(95):.0f} | {level.pct(99):.0f} | {level.errors} |")
        ratio = ours.tps / theirs.tps if theirs.tps else float("nan")
        lines.append(f"| {ours.concurrency} | **ratio** | **{ratio:.2f}x** | "
                     f"{ours.pct(50) / theirs.pct(50):.2f}x | {ours.pct(95) / theirs.pct(95):.2f}x | "
                     f"{ours.pct(99) / theirs.pct(99):.2f}x | |")
    return lines


def plot(starter: dict, kvisa: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, result in (("starter bot", starter), ("K-visa assistant", kvisa)):
        levels = [level.concurrency for level in result["levels"]]
        left.plot(levels, [level.tps for level in result["levels"]], marker="o", label=name)
        right.plot(levels, [level.pct(95) for level in result["levels"]], marker="o", label=name)
    left.set(title="Throughput", xlabel="concurrent conversations", ylabel="turns per second")
    right.set(title="95th percentile latency", xlabel="concurrent conversations", ylabel="ms")
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="load per concurrency level (default 20)")
    parser.add_argument("--levels", default="1,10,50", help="concurrency levels (default 1,10,50)")
    parser.add_argument("--write-docs", action="store_true", help="write docs/performance.md and its plot")
    parser.add_argument("--instances", type=int, default=1,
                        help="Rasa instances of this assistant, behind nginx on PostgreSQL and Redis (default 1)")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    print(f"Machine: {machine()}")
    print("Making the stock starter bot (rasa init --no-prompt, trained now)...", flush=True)
    trained = make_starter_bot()
    print(f"  trained in {trained:.0f} s")
    several = args.instances > 1
    store = "PostgreSQL" if several else "an SQLite file"
    with tempfile.TemporaryDirectory(prefix="kvisa-bench-") as work, contextlib.ExitStack() as stack:
        work_dir = Path(work)
        tag = uuid.uuid4().hex[:8]
        starter_url = stack.enter_context(postgres_database(f"bench_starter_{tag}")) if several else ""
        print("Starter bot under load...", flush=True)
        with starter_bot(work_dir, starter_url) as servers:
            starter = measure(servers, levels, args.seconds, {"rasa": "rasa run"})
        env = {}
        if several:
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
            env = {"RASA_INSTANCES": str(args.instances), "PUBLIC_PORT": str(PUBLIC_PORT), "REDIS_URL": REDIS_URL,
                   "TRACKER_URL": stack.enter_context(postgres_database(f"bench_kvisa_{tag}"))}
        print(f"K-visa assistant ({args.instances} instance(s)) under load...", flush=True)
        with running(work_dir, RASA_PORT, ACTION_PORT, WEB_PORT, env) as servers:
            proxy = f"http://127.0.0.1:{PUBLIC_PORT}" if several else ""
            kvisa = measure(servers, levels, args.seconds, {"rasa": "rasa run", "actions": "action_server.py"},
                            base=proxy)

    lines = table(starter, kvisa)
    lines += ["", "| | starter bot | K-visa assistant |", "|---|---:|---:|",
              f"| cold start (s) | {starter['startup']:.1f} | {kvisa['startup']:.1f} |",
              f"| Rasa process{'es' if several else ''} (MB) | {starter['memory']['rasa']:.0f} | "
              f"{kvisa['memory']['rasa']:.0f}{f' ({args.instances} instances)' if several else ''} |",
              f"| action server (MB) | none | {kvisa['memory']['actions']:.0f} |"]
    print("\n".join(lines))
    if args.write_docs:
        docs = ROOT / "docs"
        docs.mkdir(exist_ok=True)
        plot(starter, kvisa, docs / "performance.png")
        (docs / "performance.md").write_text("\n".join([
            "# Performance: this assistant against the stock Rasa starter bot",
            "",
            f"Measured by `make bench` (`bench/against_starter_bot.py --write-docs`) on "
            f"{time.strftime('%Y-%m-%d')}, on this machine: {machine()}.",
            "",
            f"Both bots serve REST with Rasa's SQL tracker store on {store}, one bot at a time, under the "
            f"same closed-loop load: each virtual user runs whole conversations ({', '.join(repr(t) for t in CONVERSATION)}) "
            f"one turn after the other, for {args.seconds:g} s per level. The starter bot is `rasa init "
            "--no-prompt`'s project with its default config, trained in the same run."
            + (f" This assistant runs as {args.instances} Rasa instances behind nginx, with Redis."
               if several else ""),
            "",
            *lines,
            "",
            "![turns per second and p95 latency against concurrency](performance.png)",
            "",
        ]))
        print(f"wrote {docs / 'performance.md'} and {docs / 'performance.png'}")


if __name__ == "__main__":
    main()
