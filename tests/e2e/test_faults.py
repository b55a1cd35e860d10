"""Faults on the real servers: the action server killed in the middle of a form is started again by
scripts/run.sh and the form goes on where it was; the tracker database locked during a turn gets the user told
that the answers were not saved; an unreachable tracker database stops the start within 30 s, naming the
database without its password."""
import os
import signal
import socket
import sqlite3
import subprocess
import time
import uuid

import requests

from channels import messages
from tests.e2e.conftest import ROOT
from tests.e2e.test_security import joined, rest_says

APOLOGY = messages.text("something_went_wrong")
NOT_SAVED = messages.text("not_saved")


def action_server_pids(port):
    found = subprocess.run(["pgrep", "-f", f"scripts/action_server.py --actions actions --port {port}"],
                           capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def wait_for_health(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


def test_the_action_server_killed_mid_form_is_restarted_and_the_form_goes_on(servers):
    sender = f"faults-{uuid.uuid4().hex}"
    assert "how old" in joined(rest_says(servers, sender, "am I eligible for the K visa?")).lower()
    [pid] = action_server_pids(servers["action_port"])
    os.kill(pid, signal.SIGKILL)
    assert APOLOGY in joined(rest_says(servers, sender, "I'm 31"))
    assert wait_for_health(servers["action_port"]), "the action server was not started again"
    assert action_server_pids(servers["action_port"]) != [pid]
    assert "starting it again" in servers["log"].read_text()
    # the question is still open: the age answers it now
    assert "degree" in joined(rest_says(servers, sender, "I'm 31")).lower()


def test_a_locked_tracker_database_gets_the_user_told_and_the_conversation_goes_on(servers):
    sender = f"faults-{uuid.uuid4().hex}"
    rest_says(servers, sender, "hello")
    holder = sqlite3.connect(servers["db"], isolation_level=None, timeout=30)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # nobody else may read or write until the end
        reply = joined(rest_says(servers, sender, "am I eligible for the K visa?"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert NOT_SAVED in reply
    assert "how old" in joined(rest_says(servers, sender, "am I eligible for the K visa?")).lower()


def test_an_unreachable_tracker_database_stops_the_start_within_30_seconds(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    secret = "Db-Passw0rd-" + uuid.uuid4().hex[:8]
    env = dict(os.environ, TRACKER_URL=f"postgresql://kvisa:{secret}@127.0.0.1:{closed}/kvisa",
               RASA_PORT="15305", ACTION_PORT="15355", WEB_PORT="18380",
               ACTION_ENDPOINT_URL="http://127.0.0.1:15355/webhook")
    started = time.monotonic()
    done = subprocess.run([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, start_new_session=True)
    took = time.monotonic() - started
    said = done.stdout + done.stderr
    assert done.returncode != 0, said[-2000:]
    assert took < 30, f"took {took:.0f} s"
    assert f"postgresql://kvisa:***@127.0.0.1:{closed}/kvisa" in said and "cannot be reached" in said
    assert secret not in said
