"""Small helpers shared by the actions."""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker

ECHO_LIMIT = 60  # characters of the user's text quoted back in a re-ask


def echo(text: Any) -> str:
    """The user's text, shortened and on one line, for quoting it back."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_entities(tracker: Tracker) -> list[str]:
    return [e.get("entity") for e in (tracker.latest_message or {}).get("entities") or []]


def requested_slot(tracker: Tracker) -> Optional[str]:
    return tracker.get_slot("requested_slot")
