"""Builds Rasa SDK trackers in the test, the way the Rasa server sends them to the action server."""
import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


def load_domain() -> dict:
    """The project's domain files merged into the dict the action server receives."""
    merged: dict = {"responses": {}, "slots": {}, "forms": {}, "intents": [], "entities": [], "actions": []}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, value in part.items():
            if isinstance(merged.get(key), dict):
                merged[key].update(value)
            elif isinstance(merged.get(key), list):
                merged[key] += value
    return merged


DOMAIN = load_domain()


def make_tracker(slots=None, text="", intent="inform", entities=None, slot_events=None,
                 active_loop="eligibility_form", sender_id="test-user"):
    """A tracker whose latest user message is `text`, followed by SlotSet candidates (as the form sends them)."""
    values = {name: None for name in DOMAIN["slots"]}
    values["requested_slot"] = None
    values.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "entities": [{"entity": e, "value": v} for e, v in (entities or {}).items()]}
    events = [{"event": "action", "name": "action_listen"},
              {"event": "user", "text": text, "parse_data": latest}]
    for name, value in (slot_events or {}).items():
        events.append({"event": "slot", "name": name, "value": value})
        values[name] = value
    return Tracker(sender_id, values, latest, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run_action(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


def slot_sets(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages) -> list:
    return [m.get("response") for m in messages if m.get("response")]


@pytest.fixture
def domain():
    return DOMAIN
