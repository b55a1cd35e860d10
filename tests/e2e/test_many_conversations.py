"""100 conversations at once over REST on the real servers (tests/e2e/conftest.py), 20 at a time: no answer
reaches another conversation and no conversation's state leaks into another's.

Each conversation gives a profile with facts of its own: an (age, field) pair that no other conversation has,
and a renowned institution (from kvisa/data/institutions.yml) whose name is neither part of another chosen name
nor contains one. The verdict says each of them back ("Age: 27 is ...", "Field: Chemistry is ...",
"Institution: University of Tokyo (Japan) ..."), and so does the what-if that follows ("age: 27 → 50"). So
every reply can be checked for being addressed to its own sender, for holding that sender's facts, and for
holding no other conversation's; the tracker store is checked for the same."""
import contextlib
import json
import re
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import yaml

from tests.e2e.conftest import ROOT

CONVERSATIONS = 100
WORKERS = 20
WAIT = 120  # seconds per request: 20 turns at once share two cores
WHAT_IF_AGE = 50  # no conversation has it
WHAT_IF = f"what if I were {WHAT_IF_AGE}?"
FIELDS = ("physics", "chemistry", "mathematics", "computer science")
AGES = range(20, 45)  # 25 ages x 4 fields: 100 distinct pairs
TEMPLATES = (
    "I'm {age} with a {degree} in {field} from {institution}. Am I eligible?",
    "Hi, I am {age} years old and I have a {degree} in {field} from {institution}. Can I get the K visa?",
    "{degree} in {field}, {institution}, age {age}. Do I qualify for the K visa?",
    "am I eligible for the K visa? I'm {age}, {degree} in {field} from {institution}",
)


def renowned_institutions(count):
    """Universities of the project's list whose names are plain words, none part of another chosen one."""
    listed = yaml.safe_load((ROOT / "kvisa" / "data" / "institutions.yml").read_text(encoding="utf-8"))
    chosen = []
    for entry in listed["institutions"]:
        name = entry["name"]
        if entry["kind"] != "university" or not re.fullmatch(r"[A-Za-z ]+", name):
            continue
        if any(name.lower() in other.lower() or other.lower() in name.lower() for other in chosen):
            continue
        chosen.append(name)
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"only {len(chosen)} suitable institutions in institutions.yml")


def profiles():
    pairs = [(age, field) for field in FIELDS for age in AGES]
    made = []
    for number, ((age, field), institution) in enumerate(zip(pairs, renowned_institutions(CONVERSATIONS))):
        degree = "BSc" if age < 24 else "master's" if age < 28 else "PhD"
        made.append({"sender": f"many-{number:03d}-{uuid.uuid4().hex[:8]}", "age": age, "field": field,
                     "institution": institution,
                     "text": TEMPLATES[number % len(TEMPLATES)].format(age=age, degree=degree, field=field,
                                                                       institution=institution)})
    return made


def say(servers, sender, text):
    reply = requests.post(f"{servers['base']}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                          timeout=WAIT)
    return reply.status_code, reply.json() if reply.status_code == 200 else reply.text


def converse(servers, profile):
    """One conversation: the profile, then the what-if; the status and messages of each turn."""
    return [say(servers, profile["sender"], text) for text in (profile["text"], WHAT_IF)]


@pytest.fixture(scope="module")
def conversations(servers):
    made = profiles()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        turns = list(pool.map(lambda profile: converse(servers, profile), made))
    return list(zip(made, turns))


def json_text(data):
    return json.loads(data).get("text")


def texts(messages):
    return "\n".join(m["text"] for m in messages if m.get("text"))


def others(conversations, profile):
    return [other for other, _ in conversations if other is not profile]


def test_every_turn_is_answered(conversations):
    failed = [(profile["sender"], status, messages) for profile, turns in conversations
              for status, messages in turns if status != 200 or not messages]
    assert failed == [], failed[:3]


def test_every_reply_is_addressed_to_its_own_sender(conversations):
    misaddressed = [(profile["sender"], message.get("recipient_id")) for profile, turns in conversations
                    for _, messages in turns for message in messages
                    if message.get("recipient_id") != profile["sender"]]
    assert misaddressed == [], misaddressed[:5]


def test_every_verdict_holds_its_own_facts(conversations):
    for profile, [(_, verdict), (_, what_if)] in conversations:
        said, field = texts(verdict), profile["field"].capitalize()
        assert f"Age: {profile['age']} is" in said, (profile["text"], said)
        assert f"Field: {field} is" in said, (profile["text"], said)
        assert f"Institution: {profile['institution']} (" in said, (profile["text"], said)
        changed = texts(what_if)
        assert f"age: {profile['age']} → {WHAT_IF_AGE}" in changed, (profile["text"], changed)
        assert f"Institution: {profile['institution']} (" in changed, changed


def test_no_reply_holds_another_conversations_facts(conversations):
    for profile, turns in conversations:
        said = "\n".join(texts(messages) for _, messages in turns)
        leaked = [other["institution"] for other in others(conversations, profile)
                  if other["institution"].lower() in said.lower()]
        assert leaked == [], (profile["sender"], leaked)
        # the ages said back: its own, and the what-if's
        ages = set(re.findall(r"Age: (\d+) is", said)) | set(re.findall(r"age: (\d+) →", said))
        assert ages == {str(profile["age"]), str(WHAT_IF_AGE)}, (profile["sender"], ages)
        fields = set(re.findall(r"Field: (.+?) is a", said))
        assert fields == {profile["field"].capitalize()}, (profile["sender"], fields)


def test_each_stored_conversation_holds_only_its_own_messages_and_answers(servers, conversations):
    with contextlib.closing(sqlite3.connect(servers["db"], timeout=10)) as connection:
        for profile, _ in conversations:
            rows = connection.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id",
                                      (f"rest:{profile['sender']}",)).fetchall()
            users = [json_text(data) for kind, data in rows if kind == "user"]
            assert users == [profile["text"], WHAT_IF], (profile["sender"], users)
            bots = "\n".join(json_text(data) or "" for kind, data in rows if kind == "bot")
            assert f"Institution: {profile['institution']} (" in bots
            leaked = [other["institution"] for other in others(conversations, profile)
                      if other["institution"].lower() in bots.lower()]
            assert leaked == [], (profile["sender"], leaked)
        stored = {sender for (sender,) in connection.execute(
            "SELECT DISTINCT sender_id FROM events WHERE sender_id LIKE 'rest:many-%'")}
    # every conversation is stored under its own id, and nothing under an id no conversation has
    assert stored == {f"rest:{profile['sender']}" for profile, _ in conversations}


def test_each_conversations_slots_are_its_own(servers, conversations):
    for profile, _ in conversations:
        reply = requests.get(f"{servers['base']}/conversations/rest:{profile['sender']}/tracker",
                             params={"token": servers["token"]}, timeout=30)
        assert reply.status_code == 200, reply.text
        slots = reply.json()["slots"]
        # the what-if is hypothetical: the stored answers stay those of the profile
        assert (slots["age"], slots["field"], slots["institution"]) == (
            str(profile["age"]), profile["field"].capitalize(), profile["institution"]), (profile["sender"], slots)
