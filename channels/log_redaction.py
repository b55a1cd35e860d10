"""Keeps what users said and the server's secrets out of every log line, at every level.

A logging filter rewrites each record as it is made (through the log-record factory, so it covers every logger
and handler, also those Rasa and Sanic configure later): the message with its arguments, the traceback and
the stack, and the request line of Sanic's access log, which comes as an `extra`. It replaces

- the values of secret environment variables (names ending in TOKEN, SECRET, PASSWORD, KEY),
- secrets recognised by their shape: URL passwords, `access_token=`/`secret=`/`token=`/signature query
  parameters, bearer tokens, Telegram bot tokens in Bot API paths, and the action server's answer that
  Rasa quotes in its errors (`body='...'`, a whole tracker),
- every value remembered with remember(): user messages (by each channel, before the assistant sees them),
  slot values and message texts (by channels/rasa_redaction.py in the Rasa server, scripts/action_server.py in
  the action server), web session tokens.

Rasa 3.6 logs many events as JSON objects (structlog); in those, the values of the keys Rasa itself counts as
personal (its `_anonymizer` list in rasa/utils/log_utils.py) are replaced whole, whatever they hold, so that
also what is not remembered (entity values the NLU found before any event was made) stays out.

Remembered values are matched as whole words, also JSON- and repr-escaped (Rasa logs both), longest first.
Memory is bounded: the most recently remembered values are kept. No Rasa import, so the action server can
use it too."""
from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import OrderedDict
from typing import Any, Iterable, List, Optional, Pattern, Tuple

REDACTED = "[redacted]"
MAX_REMEMBERED = 5000
MIN_LENGTH = 2  # a lone digit (an option number) is everywhere in logs and reveals nothing
SECRET_VARIABLE = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|_KEY)$", re.IGNORECASE)
SHAPES: List[Tuple[Pattern, str]] = [
    # \b: a match starts only where a word starts, so a long word costs linear time, not quadratic
    (re.compile(r"(\b\w+://[^/\s:@]*:)[^@\s/]+@"), rf"\1{REDACTED}@"),
    (re.compile(r"(?i)\b(access_token|secret|appsecret|token|auth_token|password|signature|msg_signature"
                r"|echostr)=[^&\s'\"]+"), rf"\1={REDACTED}"),
    (re.compile(r"(?i)\b(bearer\s+)[\w.~+/=-]+"), rf"\1{REDACTED}"),
    (re.compile(r"/bot\d+:[\w-]+"), f"/bot{REDACTED}"),
    (re.compile(r"body='[^\n]*'"), f"body={REDACTED}"),
]


# rasa/utils/log_utils.py, _anonymizer: the structlog keys whose values Rasa Pro anonymises
PERSONAL_KEYS = {
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response", "slot_candidates",
    "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states", "successes",
    "current_entity", "next_entity", "states", "entity", "token_text", "user_message", "json_message",
}


def _redact_json_event(text: str) -> str:
    """A structlog JSON line with its personal values replaced; any other text unchanged."""
    if not (text.startswith("{") and text.endswith("}")):
        return text
    try:
        event = json.loads(text)
    except ValueError:
        return text
    if not isinstance(event, dict):
        return text
    return json.dumps({key: REDACTED if key in PERSONAL_KEYS and value not in (None, "", [], {}) else value
                       for key, value in event.items()}, ensure_ascii=False)


class _Remembered:
    def __init__(self, capacity: int = MAX_REMEMBERED):
        self._values: "OrderedDict[str, Tuple[Tuple[str, ...], Pattern]]" = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()
        self._longest_first: Optional[List[Tuple[Tuple[str, ...], Pattern]]] = None

    def add(self, value: str) -> None:
        with self._lock:
            if value in self._values:
                self._values.move_to_end(value)
                return
            forms = tuple(sorted({value, json.dumps(value)[1:-1], repr(value)[1:-1]}, key=len, reverse=True))
            self._values[value] = forms, re.compile("|".join(_whole(form) for form in forms))
            while len(self._values) > self._capacity:
                self._values.popitem(last=False)
            self._longest_first = None

    def redact(self, text: str) -> str:
        with self._lock:
            if self._longest_first is None:
                self._longest_first = sorted(self._values.values(), key=lambda item: len(item[0][0]),
                                             reverse=True)
            values = self._longest_first
        for forms, pattern in values:
            if any(form in text for form in forms):  # a plain substring test first: most lines have none
                text = pattern.sub(REDACTED, text)
        return text


def _whole(form: str) -> str:
    """`form` not inside a longer word: 29 is redacted in "age 29", not in "5029"."""
    start = r"(?<!\w)" if re.match(r"\w", form) else ""
    end = r"(?!\w)" if re.search(r"\w$", form) else ""
    return f"{start}{re.escape(form)}{end}"


_remembered = _Remembered()


def remember(*values: Any) -> None:
    """Values that must never appear in a log line: strings, numbers, and the strings inside lists or dicts."""
    for value in _leaves(values):
        if len(value) >= MIN_LENGTH:
            _remembered.add(value)


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (str, int, float)):
        yield str(value).strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _leaves(item)


def redact(text: str) -> str:
    text = _redact_json_event(text)
    for name, value in os.environ.items():
        if SECRET_VARIABLE.search(name) and len(value) >= 6 and value in text:
            text = text.replace(value, REDACTED)
    for pattern, replacement in SHAPES:
        text = pattern.sub(replacement, text)
    return _remembered.redact(text)


def redact_record(record: logging.LogRecord) -> None:
    for extra in ("request", "host"):  # Sanic's access log line, set after the record was made
        if isinstance(getattr(record, extra, None), str):
            setattr(record, extra, redact(getattr(record, extra)))
    if getattr(record, "redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep its pieces, redacted
        message = f"{record.msg} {record.args}"
    record.msg, record.args = redact(str(message)), None
    if record.exc_info:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None  # so no handler formats the raw traceback again
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record.redacted = True


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_filter = RedactionFilter()


def install() -> None:
    """Filters every record of this process from now on; calling it again changes nothing."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "redacting", False):
        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = factory(*args, **kwargs)
            _filter.filter(record)
            return record

        redacting_factory.redacting = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(redacting_factory)
    access = logging.getLogger("sanic.access")  # its `extra` fields are set after the factory has run
    if _filter not in access.filters:
        access.addFilter(_filter)
