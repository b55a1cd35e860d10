"""What channels remember of a conversation outside the tracker store (numbered options, remembered replies),
dropped when its user has it deleted (channels/forget.py). No Rasa here, so the channels can register cheaply."""
from __future__ import annotations

import logging
from typing import Callable, List, Text

logger = logging.getLogger(__name__)

_forgetters: List[Callable[[Text], None]] = []


def on_erase(forget: Callable[[Text], None]) -> None:
    """`forget(conversation_id)` is called whenever a conversation is erased."""
    _forgetters.append(forget)


def erased(conversation_id: Text) -> None:
    for forget in list(_forgetters):
        forget(conversation_id)
