"""Which messages ask to delete the user's data, and which confirm or cancel it (channels/forget.yml). Plain
text in, a word out: no Rasa, so every case can be tested on its own."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, Text

import yaml

RULES = Path(__file__).with_name("forget.yml")

REQUEST, YES, NO = "request", "yes", "no"

_NOT_WORD = re.compile(r"[^\w\s/']+", re.UNICODE)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _rules() -> Dict[Text, Any]:
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return {
        "max_words": int(rules["max_words"]),
        "commands": {kind: [command.lower() for command in commands]
                     for kind, commands in rules["commands"].items()},
        "request": [re.compile(pattern) for pattern in rules["request_patterns"]],
        "yes": re.compile(rules["yes_pattern"]),
        "no": re.compile(rules["no_pattern"]),
    }


def normalised(text: Text) -> Text:
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text.lower().replace("’", "'"))).strip()


def command(text: Text) -> Optional[Text]:
    """REQUEST, YES or NO for one of the exact commands (/forget, a confirmation button), else None."""
    typed = text.strip().lower()
    for kind, commands in _rules()["commands"].items():
        if typed in commands:
            return kind
    return None


def is_request(text: Text) -> bool:
    """Whether the message asks to delete the user's data ("please delete my data", "forget me", /forget)."""
    if command(text) == REQUEST:
        return True
    words = normalised(text)
    if not words or len(words.split()) > _rules()["max_words"]:
        return False
    return any(pattern.search(words) for pattern in _rules()["request"])


def answer(text: Text) -> Optional[Text]:
    """YES or NO when the message answers the confirmation question, else None (it is about something else)."""
    typed = command(text)
    if typed in (YES, NO):
        return typed
    words = normalised(text)
    if not words or len(words.split()) > _rules()["max_words"]:
        return None
    if _rules()["no"].match(words):  # "no, don't delete it" starts with "no"; tried first
        return NO
    if _rules()["yes"].match(words):
        return YES
    return None


def first_commands() -> Dict[Text, Text]:
    """The command each confirmation button sends: {"yes": "/forget_confirm", "no": "/forget_cancel"}."""
    return {kind: _rules()["commands"][kind][0] for kind in (YES, NO)}
