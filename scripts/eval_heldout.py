"""Measures the assistant on the held-out set (tests/heldout/, see its README) and prints the figures:

  a. messages through the trained NLU model, in-process: intent accuracy, FAQ topic accuracy, per label and topic;
  b. facts: kvisa.profile.extract_profile() against the labelled facts, precision / recall / F1 per entity;
  c. conversations against the real servers (scripts/run.sh on ports of its own, fresh SQLite tracker store):
     verdict accuracy of the openings and follow-up accuracy;
  d. a summary of the five headline figures; all figures also go to results/heldout.json.

    .venv/bin/python scripts/eval_heldout.py [--model models/kvisa.tar.gz] [--skip-conversations]

It asserts nothing: a conversation that fails is a miss, not a crash. `make eval` runs it.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
import warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "heldout"
REFERENCE_YEAR = 2026  # the held-out ages are as on 2026-12-01: "born: Y" is 2026-Y-1 or 2026-Y
ASKED = ("age", "degree", "field", "institution")
FORM = "eligibility_form"
MAX_TURNS = 12
START_TIMEOUT = 300      # seconds for the servers to load (about a minute on two cores)
CONVERSATION_BUDGET = 330  # seconds for all conversations; the rest are reported as not run
REQUEST_TIMEOUT = 60

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
sys.path.insert(0, str(ROOT))


def short(text, n: int = 100) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def held_messages() -> list:
    out = []
    for path in sorted(HELDOUT.glob("messages_*.yml")):
        for m in load_yaml(path).get("messages") or []:
            out.append(dict(m, file=path.name))
    return out


def held_conversations() -> list:
    out = []
    for path in sorted(HELDOUT.glob("conversations_*.yml")):
        for c in load_yaml(path).get("conversations") or []:
            out.append(dict(c, file=path.name))
    return out


def ratio(correct: int, n: int):
    return round(correct / n, 4) if n else None


def fmt(value) -> str:
    return "  n/a" if value is None else f"{value:.3f}"


def section(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n{'=' * 100}", flush=True)


# ================================================================================================ a. messages


def label_of(result: dict) -> str:
    """faq/<topic> for the retrieval intent, else the intent name (nlu_fallback stays nlu_fallback: a miss)."""
    intent = (result.get("intent") or {}).get("name") or "none"
    if intent == "faq":
        key = (((result.get("response_selector") or {}).get("faq") or {}).get("response") or {}) \
            .get("intent_response_key")
        return key or "faq/?"
    return intent


def confidences(result: dict) -> str:
    intent = result.get("intent") or {}
    text = f"{intent.get('confidence', 0):.2f}"
    if intent.get("name") == "faq":
        response = ((result.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        text += f" (topic {response.get('confidence', 0):.2f})"
    return text


def ranked_labels(result: dict) -> list:
    """Labels in the model's order, the faq intent expanded into its topics by the response selector's ranking."""
    topics = [r.get("intent_response_key") for r in
              (((result.get("response_selector") or {}).get("faq") or {}).get("ranking") or [])]
    out = []
    for r in result.get("intent_ranking") or []:
        if r.get("name") == "faq":
            out += [t for t in topics if t]
        else:
            out.append(r.get("name"))
    return out


async def parse_all(model: Path, texts: list) -> list:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog
    configure_structlog(logging.WARNING)  # else every parse is logged at debug level
    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def evaluate_messages(model: Path, messages: list) -> dict:
    section(f"a. Messages through the NLU model ({model.relative_to(ROOT) if model.is_relative_to(ROOT) else model})")
    warnings.filterwarnings("ignore")
    warnings.showwarning = lambda *args, **kwargs: None  # the libraries reset the filters on import
    for name in ("rasa", "tensorflow", "absl", "spacy", "sanic", "matplotlib"):
        logging.getLogger(name).setLevel(logging.ERROR)
    started = time.time()
    results = asyncio.run(parse_all(model, [m["text"] for m in messages]))
    print(f"parsed {len(messages)} messages in {time.time() - started:.0f} s (model load included)")

    per_label = collections.defaultdict(lambda: [0, 0])
    per_intent = collections.defaultdict(lambda: [0, 0])
    misses, also_rows = [], []
    correct = coarse_correct = faq_n = faq_correct = same_action_correct = 0
    also = {"n": 0, "top_is_also": 0, "also_in_top3": 0, "primary_or_also": 0}
    for m, result in zip(messages, results):
        expected, predicted = m["intent"], label_of(result)
        ok = predicted == expected
        correct += ok
        # inform and check_eligibility start the same check (a statement of facts outside the form is read as
        # a profile to check): shown as a separate figure, never instead of the strict one
        same_action_correct += ok or {predicted, expected} == {"inform", "check_eligibility"}
        per_label[expected][0] += 1
        per_label[expected][1] += ok
        coarse_expected = expected.split("/")[0]
        coarse_ok = predicted.split("/")[0] == coarse_expected
        coarse_correct += coarse_ok
        per_intent[coarse_expected][0] += 1
        per_intent[coarse_expected][1] += coarse_ok
        if expected.startswith("faq/"):
            faq_n += 1
            faq_correct += ok
        if not ok:
            misses.append({"file": m["file"], "text": short(m["text"]), "expected": expected,
                           "predicted": predicted, "confidence": confidences(result)})
        if m.get("also"):
            ranking = ranked_labels(result)
            also["n"] += 1
            also["top_is_also"] += predicted == m["also"]
            also["also_in_top3"] += m["also"] in ranking[:3]
            also["primary_or_also"] += predicted in (expected, m["also"])
            also_rows.append((m["file"], short(m["text"], 70), expected, m["also"], predicted))

    accuracy, faq_accuracy = ratio(correct, len(messages)), ratio(faq_correct, faq_n)
    print(f"\nintent accuracy (all labels, faq/<topic> must match): {fmt(accuracy)}  ({correct}/{len(messages)})")
    print(f"intent accuracy with faq as one intent:               "
          f"{fmt(ratio(coarse_correct, len(messages)))}  ({coarse_correct}/{len(messages)})")
    print(f"intent accuracy, inform = check_eligibility (same action): "
          f"{fmt(ratio(same_action_correct, len(messages)))}  ({same_action_correct}/{len(messages)})")
    print(f"FAQ topic accuracy (messages labelled faq/*):          {fmt(faq_accuracy)}  ({faq_correct}/{faq_n})")

    print(f"\n{'intent':<28}{'n':>5}{'correct':>9}{'accuracy':>10}")
    for name, (n, c) in sorted(per_intent.items()):
        print(f"{name:<28}{n:>5}{c:>9}{fmt(ratio(c, n)):>10}")
    print(f"\n{'FAQ topic':<36}{'n':>5}{'correct':>9}{'accuracy':>10}")
    for name, (n, c) in sorted((k, v) for k, v in per_label.items() if k.startswith("faq/")):
        print(f"{name:<36}{n:>5}{c:>9}{fmt(ratio(c, n)):>10}")

    print(f"\nsecond labels (`also:`): {also['n']} messages; predicted label = the second label: "
          f"{also['top_is_also']}; second label in the top 3: {also['also_in_top3']}; "
          f"predicted = first or second: {also['primary_or_also']}")
    for file, text, expected, second, predicted in also_rows:
        mark = "first" if predicted == expected else "second" if predicted == second else "neither"
        print(f"  [{mark:>7}] {file}: {text!r}  {expected} + {second} -> {predicted}")

    print(f"\nmisses ({len(misses)}):")
    for miss in sorted(misses, key=lambda x: (x["expected"], x["file"])):
        print(f"  {miss['file']}: {miss['text']!r}\n      expected {miss['expected']}, "
              f"predicted {miss['predicted']} ({miss['confidence']})")
    return {"n": len(messages), "intent_accuracy": accuracy,
            "intent_accuracy_faq_as_one": ratio(coarse_correct, len(messages)),
            "intent_accuracy_inform_as_check": ratio(same_action_correct, len(messages)),
            "faq_topic_accuracy": faq_accuracy, "faq_n": faq_n,
            "per_intent": {k: {"n": n, "correct": c, "accuracy": ratio(c, n)} for k, (n, c) in per_intent.items()},
            "per_label": {k: {"n": n, "correct": c, "accuracy": ratio(c, n)} for k, (n, c) in per_label.items()},
            "also": also, "misses": misses}


# ================================================================================================ b. facts


class Score:
    def __init__(self):
        self.tp = self.fp = self.fn = 0
        self.misses = []

    def multiset(self, expected: list, got: list) -> bool:
        left = collections.Counter(expected)
        right = collections.Counter(got)
        tp = sum((left & right).values())
        self.tp += tp
        self.fp += sum(right.values()) - tp
        self.fn += sum(left.values()) - tp
        return left == right

    def binary(self, expected: bool, got: bool) -> bool:
        self.tp += expected and got
        self.fp += got and not expected
        self.fn += expected and not got
        return expected == got

    def figures(self) -> dict:
        if self.tp + self.fp + self.fn == 0:
            return {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None}
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4)}


def evaluate_facts(messages: list) -> dict:
    section("b. Facts: kvisa.profile.extract_profile() against the labels")
    from kvisa.parsing import match_institution, parse_field
    from kvisa.profile import extract_profile

    entities = ["age", "degree_level", "field", "institution", "applicant", "in_progress", "online",
                "teaching_or_research"]
    scores = {e: Score() for e in entities}
    unknown_fields = set()
    no_level = 0
    labelled = [m for m in messages if m.get("facts")]

    def field_id(label: str) -> str:
        name = parse_field(str(label)).name
        if name is None:
            unknown_fields.add(str(label).lower())
            return str(label).lower()
        return name.lower()

    def institution_id(label: str) -> str:
        if str(label).strip().lower() == "unlisted":
            return "unlisted"
        found = match_institution(str(label))
        return found.name.lower() if found.listed and found.name else "unlisted"

    for m in labelled:
        facts, text = m["facts"], m["text"]
        try:
            profile = extract_profile(text)
            degrees = list(profile.degrees)
            error = None
        except Exception as exc:  # an extractor crash is a miss for every entity
            profile, degrees, error = None, [], f"{type(exc).__name__}: {exc}"

        def miss(entity, expected, got):
            scores[entity].misses.append({"file": m["file"], "text": short(text), "expected": expected,
                                          "got": error or got})

        # age
        if "age" in facts:
            accepted = {int(facts["age"])}
        elif "born" in facts:
            accepted = {REFERENCE_YEAR - int(facts["born"]) - 1, REFERENCE_YEAR - int(facts["born"])}
        else:
            accepted = set()
        got_age = profile.age if profile else None
        s = scores["age"]
        if accepted and got_age in accepted:
            s.tp += 1
        else:
            s.fn += bool(accepted)
            s.fp += got_age is not None
            if accepted or got_age is not None:
                miss("age", sorted(accepted) or None, got_age)

        labels = facts.get("degrees") or []
        no_level += sum(1 for d in labels if not d.get("level"))
        exp_levels = [d["level"] for d in labels if d.get("level")]
        # a degree with no level (an institution or field said alone) is not a degree mention
        got_levels = ["uncertain" if d.level == "unclear" else d.level for d in degrees if d.level]
        if not scores["degree_level"].multiset(exp_levels, got_levels):
            miss("degree_level", exp_levels, got_levels)

        exp_fields = [field_id(d["field"]) for d in labels if d.get("field")]
        got_fields = [str(d.field).lower() for d in degrees if d.field]
        if not scores["field"].multiset(exp_fields, got_fields):
            miss("field", exp_fields, got_fields)

        exp_inst = [institution_id(d["institution"]) for d in labels if d.get("institution")]
        got_inst = [str(d.institution).lower() for d in degrees if d.institution]
        if not scores["institution"].multiset(exp_inst, got_inst):
            miss("institution", exp_inst, got_inst)

        exp_other = bool(facts.get("for_someone_else"))
        got_other = profile is not None and profile.applicant is not None
        if not scores["applicant"].binary(exp_other, got_other):
            miss("applicant", exp_other, profile.applicant if profile else None)

        for flag in ("in_progress", "online"):
            exp_flags = [bool(d.get(flag)) for d in labels]
            got_flags = [bool(getattr(d, flag)) for d in degrees]
            same = True
            for i in range(max(len(exp_flags), len(got_flags))):
                e = exp_flags[i] if i < len(exp_flags) else False
                g = got_flags[i] if i < len(got_flags) else False
                same &= scores[flag].binary(e, g)
            if not same:
                miss(flag, exp_flags, got_flags)

        exp_tr = bool(facts.get("teaching_or_research"))
        got_tr = bool(profile.teaching_or_research) if profile else False
        if not scores["teaching_or_research"].binary(exp_tr, got_tr):
            miss("teaching_or_research", exp_tr, got_tr)

    figures = {e: scores[e].figures() for e in entities}
    print(f"{len(labelled)} messages with facts\n")
    print(f"{'entity':<22}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>9}{'F1':>8}")
    for e in entities:
        f = figures[e]
        print(f"{e:<22}{f['tp']:>5}{f['fp']:>5}{f['fn']:>5}{fmt(f['precision']):>11}{fmt(f['recall']):>9}"
              f"{fmt(f['f1']):>8}")
    if no_level:
        print(f"({no_level} labelled degree(s) without a level: not counted for degree_level)")
    print(f"\nlabels the field list does not know ({len(unknown_fields)}): "
          + (", ".join(sorted(unknown_fields)) or "none"))
    for e in entities:
        if scores[e].misses:
            print(f"\nmisses: {e} ({len(scores[e].misses)})")
            for x in scores[e].misses:
                print(f"  {x['file']}: {x['text']!r}\n      expected {x['expected']}, got {x['got']}")
    measured = {e: f["f1"] for e, f in figures.items() if f["f1"] is not None}
    worst = min(measured, key=measured.get) if measured else None
    return {"n": len(labelled), "entities": figures, "unknown_field_labels": sorted(unknown_fields),
            "min_f1": measured.get(worst) if worst else None, "min_f1_entity": worst,
            "misses": {e: scores[e].misses for e in entities}}


# ================================================================================================ c. conversations


class Servers:
    """scripts/run.sh on ports of its own, with a fresh SQLite tracker store and an API token."""

    def __init__(self, model: Path):
        self.model = model
        self.action_port = int(os.environ.get("EVAL_ACTION_PORT", "16055"))
        self.rasa_port = int(os.environ.get("EVAL_RASA_PORT", "16005"))
        self.web_port = int(os.environ.get("EVAL_WEB_PORT", "16080"))
        self.base = f"http://127.0.0.1:{self.rasa_port}"
        self.token = secrets.token_hex(16)
        self.work = Path(tempfile.mkdtemp(prefix="kvisa-eval-"))
        self.log_path = self.work / "servers.log"
        self.process = None
        self.log = None

    def ports_in_use(self) -> list:
        busy = []
        for port in (self.action_port, self.rasa_port, self.web_port):
            with socket.socket() as probe:
                probe.settimeout(1)
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    busy.append(port)
        return busy

    def start(self) -> None:
        busy = self.ports_in_use()
        if busy:  # another server there would answer in place of ours
            raise RuntimeError(f"port(s) {busy} already in use (set EVAL_RASA_PORT, EVAL_ACTION_PORT, EVAL_WEB_PORT)")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WECHAT_"))}
        env.update(ACTION_PORT=str(self.action_port), RASA_PORT=str(self.rasa_port), WEB_PORT=str(self.web_port),
                   MODEL=str(self.model), RASA_API_TOKEN=self.token, ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
                   TRACKER_URL=f"sqlite:///{self.work / 'tracker.db'}",
                   RATE_LIMIT_PER_SENDER="0", RATE_LIMIT_PER_IP="0")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self) -> None:
        import requests
        probes = [self.base + "/", f"http://127.0.0.1:{self.action_port}/health"]
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the servers exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                if all(requests.get(url, timeout=2).ok for url in probes):
                    return
            except requests.RequestException:
                pass
            time.sleep(2)
        raise RuntimeError(f"the servers did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the whole process group (run.sh and the three servers), SIGKILL to what is left."""
        if self.process is not None:
            group = self.process.pid  # start_new_session: the group id is run.sh's pid
            try:
                os.killpg(group, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.time() + 30
            while time.time() < deadline:
                self.process.poll()
                try:
                    os.killpg(group, 0)  # anyone left in the group?
                except ProcessLookupError:
                    break
                time.sleep(0.5)
            else:
                try:
                    os.killpg(group, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.log:
            self.log.close()
            self.log = None


# REST conversations live in the "rest:" namespace (channels/namespaces.py; not imported here: importing the
# channels package installs its Rasa patches in this process, which parses messages with Rasa too)
REST_NAMESPACE = "rest:"


class Chat:
    def __init__(self, servers: Servers):
        import requests
        self.http = requests.Session()
        self.servers = servers
        self.sender = f"heldout-{uuid.uuid4().hex}"
        self.transcript = []

    def say(self, text: str) -> list:
        self.transcript.append(f"> {short(text, 80)}")
        reply = self.http.post(f"{self.servers.base}/webhooks/rest/webhook",
                               json={"sender": self.sender, "message": text}, timeout=REQUEST_TIMEOUT)
        if reply.status_code != 200:
            raise RuntimeError(f"REST webhook answered {reply.status_code}: {short(reply.text, 200)}")
        messages = reply.json()
        for m in messages:
            if m.get("text"):
                self.transcript.append(f"< {short(m['text'], 90)}")
            found = verdict_of([m])
            if found:
                self.transcript.append(f"< [verdict card: {found}]")
        return messages

    def tracker(self) -> dict:
        # REST conversations live in the "rest:" namespace (channels/namespaces.py)
        conversation = REST_NAMESPACE + self.sender
        reply = self.http.get(f"{self.servers.base}/conversations/{conversation}/tracker",
                              params={"token": self.servers.token}, timeout=REQUEST_TIMEOUT)
        if reply.status_code != 200:
            raise RuntimeError(f"tracker answered {reply.status_code}: {short(reply.text, 200)}")
        return reply.json()


def verdict_of(messages: list):
    for m in messages:
        custom = m.get("custom") if isinstance(m, dict) else None
        if isinstance(custom, dict) and custom.get("type") == "kvisa_verdict":
            return custom.get("verdict")
    return None


def asking(tracker: dict):
    """(form active, requested slot)."""
    loop = tracker.get("active_loop") or {}
    active = loop.get("name") == FORM
    return active, (tracker.get("slots") or {}).get("requested_slot") if active else None


def answer_form(chat: Chat, answers: dict, verdict, may_ask_eligibility: bool):
    """Plays the user while the eligibility form asks; returns the verdict (or None) and the turns used."""
    asked_eligibility = not may_ask_eligibility
    for _ in range(MAX_TURNS):
        if verdict:
            break
        active, slot = asking(chat.tracker())
        if not active:
            if asked_eligibility:
                break
            asked_eligibility = True
            verdict = verdict_of(chat.say("am I eligible?"))
            continue
        asked_eligibility = True  # the form started: "am I eligible?" is no longer needed
        if slot not in ASKED:
            chat.transcript.append(f"  [form active, requested_slot {slot!r}: stopped]")
            break
        verdict = verdict_of(chat.say(str(answers.get(slot, "I don't know"))))
    return verdict


def tracker_label(tracker: dict) -> str:
    return label_of((tracker.get("latest_message") or {}))


def run_conversation(servers: Servers, c: dict) -> dict:
    chat = Chat(servers)
    answers = c.get("answers") or {}
    out = {"file": c["file"], "id": c.get("id"), "expect": c.get("expect"), "verdict": None, "ok": False,
           "error": None, "followups": []}
    try:
        verdict = verdict_of(chat.say(c["opening"]))
        verdict = answer_form(chat, answers, verdict, may_ask_eligibility=True)
        out["verdict"] = verdict
        out["ok"] = verdict == c.get("expect")
        for f in c.get("followups") or []:
            row = {"say": short(f["say"], 80), "expect": f.get("expect"), "intent": f.get("intent"),
                   "verdict": None, "label": None, "ok": False, "error": None}
            out["followups"].append(row)
            try:
                replies = chat.say(f["say"])
                row["label"] = tracker_label(chat.tracker())
                ok = True
                if f.get("intent"):
                    ok &= row["label"] == f["intent"]
                if f.get("expect"):
                    row["verdict"] = answer_form(chat, answers, verdict_of(replies), may_ask_eligibility=False)
                    ok &= row["verdict"] == f["expect"]
                row["ok"] = ok
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {short(exc, 200)}"
                chat.transcript.append(f"  [error: {row['error']}]")
    except Exception as exc:
        out["error"] = f"{type(exc).__name__}: {short(exc, 200)}"
        chat.transcript.append(f"  [error: {out['error']}]")
        for f in (c.get("followups") or [])[len(out["followups"]):]:
            out["followups"].append({"say": short(f["say"], 80), "expect": f.get("expect"),
                                     "intent": f.get("intent"), "verdict": None, "label": None, "ok": False,
                                     "error": "not run: the conversation failed"})
    out["transcript"] = chat.transcript
    return out


def evaluate_conversations(servers: Servers, conversations: list, start_error) -> dict:
    section(f"c. Conversations against the real servers (REST on :{servers.rasa_port})")
    rows = []
    started = time.time()
    for c in conversations:
        if start_error or not servers.alive() or time.time() - started > CONVERSATION_BUDGET:
            reason = ("not run: the servers did not start" if start_error
                      else "not run: the servers are not running" if not servers.alive()
                      else f"not run: over the {CONVERSATION_BUDGET} s budget")
            rows.append({"file": c["file"], "id": c.get("id"), "expect": c.get("expect"), "verdict": None,
                         "ok": False, "error": reason, "transcript": [],
                         "followups": [{"say": short(f["say"], 80), "expect": f.get("expect"),
                                        "intent": f.get("intent"), "verdict": None, "label": None, "ok": False,
                                        "error": reason} for f in c.get("followups") or []]})
            continue
        rows.append(run_conversation(servers, c))
    elapsed = time.time() - started
    if start_error:
        print(f"servers did not start (log: {servers.log_path}):\n{start_error}\n")

    n, right = len(rows), sum(r["ok"] for r in rows)
    followups = [f for r in rows for f in r["followups"]]
    f_right = sum(f["ok"] for f in followups)
    kinds = {"expect": [f for f in followups if f.get("expect")], "intent": [f for f in followups if f.get("intent")]}
    by_expect = collections.defaultdict(lambda: [0, 0])
    confusion = collections.Counter()
    for r in rows:
        by_expect[r["expect"]][0] += 1
        by_expect[r["expect"]][1] += r["ok"]
        confusion[(r["expect"], r["verdict"] or "none")] += 1
    print(f"{n} conversations in {elapsed:.0f} s, {sum(1 for r in rows if r['error'])} with errors")
    print(f"verdict accuracy (openings): {fmt(ratio(right, n))}  ({right}/{n})")
    print(f"followup accuracy:           {fmt(ratio(f_right, len(followups)))}  ({f_right}/{len(followups)});"
          f" verdict followups {sum(f['ok'] for f in kinds['expect'])}/{len(kinds['expect'])},"
          f" intent followups {sum(f['ok'] for f in kinds['intent'])}/{len(kinds['intent'])}")
    print(f"\n{'expected':<18}{'n':>4}{'correct':>9}   got")
    for expect, (k, c) in sorted(by_expect.items(), key=lambda x: str(x[0])):
        got = ", ".join(f"{v} {cnt}" for (e, v), cnt in sorted(confusion.items()) if e == expect)
        print(f"{str(expect):<18}{k:>4}{c:>9}   {got}")

    print("\nmisses:")
    for r in rows:
        bad = [f for f in r["followups"] if not f["ok"]]
        if r["ok"] and not bad:
            continue
        if str(r["error"]).startswith("not run"):
            print(f"  {r['file']} {r['id']}: {r['error']}")
            continue
        print(f"\n  {r['file']} {r['id']}: expected {r['expect']}, got {r['verdict']}"
              + (f"  [{r['error']}]" if r["error"] else "") + (" (verdict right)" if r["ok"] else ""))
        for f in bad:
            wanted = " and ".join(x for x in (f.get("expect") and f"verdict {f['expect']}",
                                               f.get("intent") and f"intent {f['intent']}") if x)
            print(f"    followup {f['say']!r}: wanted {wanted}; got verdict {f['verdict']}, intent {f['label']}"
                  + (f" [{f['error']}]" if f["error"] else ""))
        for line in r.get("transcript") or []:
            print(f"      {line}")
    return {"n": n, "verdict_accuracy": ratio(right, n), "followups": len(followups),
            "followup_accuracy": ratio(f_right, len(followups)),
            "verdict_followups": {"n": len(kinds["expect"]), "correct": sum(f["ok"] for f in kinds["expect"])},
            "intent_followups": {"n": len(kinds["intent"]), "correct": sum(f["ok"] for f in kinds["intent"])},
            "seconds": round(elapsed, 1), "start_error": start_error, "conversations": rows}


# ================================================================================================ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.environ.get("MODEL", "models/kvisa.tar.gz"))
    parser.add_argument("--out", default="results/heldout.json")
    parser.add_argument("--set", default="tests/heldout",
                        help="the set to measure: tests/heldout (default), or tests/dev, the development set that "
                             "may be looked at while improving the assistant")
    parser.add_argument("--skip-conversations", action="store_true", help="parts a and b only (no servers)")
    args = parser.parse_args()
    os.chdir(ROOT)
    global HELDOUT
    HELDOUT = (ROOT / args.set).resolve()
    model = (ROOT / args.model).resolve()
    begun = time.time()

    messages, conversations = held_messages(), held_conversations()
    print(f"{args.set}: {len(messages)} messages, {len(conversations)} conversations")

    servers = None if args.skip_conversations else Servers(model)  # the same model as parts a and b
    # A SIGTERM (make interrupted, a CI timeout) still stops the servers through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    figures = {"model": str(args.model)}
    try:
        start_error = None
        if servers:
            try:
                servers.start()  # they load while the messages are parsed here
            except Exception as exc:
                start_error = str(exc)
        try:
            figures["messages"] = evaluate_messages(model, messages)
        except Exception as exc:
            traceback.print_exc()
            figures["messages"] = {"error": f"{type(exc).__name__}: {exc}"}
        try:
            figures["facts"] = evaluate_facts(messages)
        except Exception as exc:
            traceback.print_exc()
            figures["facts"] = {"error": f"{type(exc).__name__}: {exc}"}
        if servers:
            if not start_error:
                try:
                    servers.wait_ready()
                except Exception as exc:
                    start_error = str(exc)[-3000:]
            figures["conversations"] = evaluate_conversations(servers, conversations, start_error)
    finally:
        if servers:
            servers.stop()
            if not (figures.get("conversations") or {}).get("start_error"):
                shutil.rmtree(servers.work, ignore_errors=True)  # else keep servers.log for a look

    m, f, c = figures.get("messages", {}), figures.get("facts", {}), figures.get("conversations", {})
    figures["summary"] = {
        "faq_topic_accuracy": m.get("faq_topic_accuracy"),
        "intent_accuracy": m.get("intent_accuracy"),
        "min_entity_f1": f.get("min_f1"), "min_entity_f1_entity": f.get("min_f1_entity"),
        "conversation_verdict_accuracy": c.get("verdict_accuracy"),
        "followup_accuracy": c.get("followup_accuracy"),
        "seconds": round(time.time() - begun, 1),
    }
    s = figures["summary"]
    section("d. Summary (held-out set)")
    print(f"FAQ topic accuracy            {fmt(s['faq_topic_accuracy'])}")
    print(f"intent accuracy               {fmt(s['intent_accuracy'])}")
    print(f"min entity F1                 {fmt(s['min_entity_f1'])}  ({s['min_entity_f1_entity']})")
    print(f"conversation verdict accuracy {fmt(s['conversation_verdict_accuracy'])}")
    print(f"followup accuracy             {fmt(s['followup_accuracy'])}")
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"({s['seconds']:.0f} s; all figures in {args.out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
