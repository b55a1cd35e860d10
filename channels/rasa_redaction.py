"""In the Rasa server: every slot value and user message text is remembered for the log redaction
(channels/log_redaction.py) as soon as Rasa makes its event, also when it reads a conversation back from the
tracker store, so neither can appear in a later log line (Rasa logs slot values at DEBUG, and quotes a whole
tracker when the action server fails)."""
from __future__ import annotations

import functools
from typing import Any, Callable

from rasa.shared.core import events

from channels import log_redaction

NOT_PERSONAL_SLOTS = {"requested_slot"}  # its values are slot names


def _after(init: Callable[..., None], remember: Callable[[Any], None]) -> Callable[..., None]:
    @functools.wraps(init)
    def init_and_remember(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        remember(self)

    init_and_remember.remembering = True  # type: ignore[attr-defined]
    return init_and_remember


def _slot_value(event: events.SlotSet) -> None:
    if event.key not in NOT_PERSONAL_SLOTS:
        log_redaction.remember(event.value)


def _user_text(event: events.UserUttered) -> None:
    log_redaction.remember(event.text)


def install() -> None:
    if not getattr(events.SlotSet.__init__, "remembering", False):
        events.SlotSet.__init__ = _after(events.SlotSet.__init__, _slot_value)
    if not getattr(events.UserUttered.__init__, "remembering", False):
        events.UserUttered.__init__ = _after(events.UserUttered.__init__, _user_text)
