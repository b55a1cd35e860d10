"""What the benchmarks share: scripts/run.sh started on ports of their own with a fresh SQLite tracker store,
stopped whatever happens (exception, Ctrl-C, SIGTERM), its processes' memory, and latency percentiles."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence

import requests

ROOT = Path(__file__).resolve().parents[1]
PROFILE = "I'm 29 with a PhD in physics from ETH Zurich, am I eligible?"
START_TIMEOUT = 300  # seconds; start-up takes about 10 s here, far more on a loaded machine
STOP_TIMEOUT = 60


@dataclass
class Servers:
    process: subprocess.Popen
    rasa_port: int
    startup: float  # seconds from process start to the first answered message

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def rss_mb(self, pattern: str) -> float:
        """Resident memory (MB) of this run's processes whose command line contains `pattern`. Only this run's
        process group counts: other Rasa servers on the machine (a `make run`, an e2e run) do not."""
        total = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.getpgid(int(pid)) != self.process.pid:
                    continue
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                if pattern in cmdline:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024


def _exit_on_sigterm(signum, frame):  # so that `finally` blocks run and stop the servers
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def running(workdir: Path, rasa_port: int, action_port: int, web_port: int,
            env: Optional[Dict[str, str]] = None) -> Iterator[Servers]:
    """scripts/run.sh with `env` added, once it has answered a REST message; stopped on leaving the block."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    full_env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port), WEB_PORT=str(web_port),
                    ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
                    TRACKER_URL=f"sqlite:///{workdir / 'tracker.db'}", SQLALCHEMY_SILENCE_UBER_WARNING="1",
                    TF_CPP_MIN_LOG_LEVEL="2",
                    # a benchmark is one client sending as fast as it can: the rate limits would measure themselves
                    RATE_LIMIT_PER_SENDER="0", RATE_LIMIT_PER_IP="0")
    full_env.update(env or {})  # may replace any of the above (e.g. TRACKER_URL)
    log_path = workdir / "servers.log"
    started = time.perf_counter()
    with open(log_path, "w") as log:
        # a session of its own: Ctrl-C in the terminal reaches only us, and we stop the whole group
        process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=full_env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        startup = _first_answer(f"http://127.0.0.1:{rasa_port}", process, started)
        if startup is None:
            sys.exit("servers did not start; see " + str(log_path) + "\n" + log_path.read_text()[-3000:])
        yield Servers(process, rasa_port, startup)
    finally:
        _stop(process)


def _first_answer(base: str, process: subprocess.Popen, started: float) -> Optional[float]:
    deadline = time.time() + START_TIMEOUT
    while time.time() < deadline and process.poll() is None:
        try:
            if requests.post(f"{base}/webhooks/rest/webhook", json={"sender": "warmup", "message": "hello"},
                             timeout=5).ok:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return None


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # run.sh may have gone while a child lingers: make sure nothing of the group is left
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of sorted seconds, in milliseconds."""
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000
