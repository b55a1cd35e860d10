"""The log redaction (channels/log_redaction.py, rasa_redaction.py): what users said, slot values, tokens and
secrets never reach a log line, whatever the level, logger, handler or formatter. Importing `channels` (as Rasa
does) installs it in this test process too."""
from __future__ import annotations

import io
import json
import logging
import uuid

import pytest
from rasa.shared.core.events import SlotSet, UserUttered

import channels  # noqa: F401 (installs the redaction, as in the Rasa server)
from channels import log_redaction


@pytest.fixture
def log():
    """A logger with a handler added after the redaction was installed; returns (logger, what was written)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger(f"test.redaction.{uuid.uuid4().hex}")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream.getvalue
    logger.removeHandler(handler)


def secret_text():
    return f"my codename is Quokka-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL])
def test_a_remembered_message_is_redacted_at_every_level_in_arguments_and_f_strings(log, level):
    logger, written = log
    text = secret_text()
    log_redaction.remember(text)
    logger.log(level, "Received user message '%s' with intent", text)
    logger.log(level, f"Received user message '{text}'")
    assert text not in written() and "Quokka" not in written()
    assert written().count("[redacted]") == 2 and "Received user message" in written()


def test_json_and_repr_escaped_forms_are_redacted_too(log):
    logger, written = log
    text = f"Zürich \"quoted\" it's {uuid.uuid4().hex[:6]}"
    log_redaction.remember(text)
    logger.debug(json.dumps({"text": text}))
    logger.debug("%r", {"text": text})
    assert uuid_tail(text) not in written()


def uuid_tail(text):
    return text.rsplit(" ", 1)[-1]


def test_a_traceback_carrying_the_text_is_redacted(log):
    logger, written = log
    text = secret_text()
    log_redaction.remember(text)
    try:
        raise ValueError(f"could not parse {text}")
    except ValueError:
        logger.exception("failed")
    assert "ValueError: could not parse [redacted]" in written() and text not in written()


def test_values_are_redacted_as_whole_words_only(log):
    logger, written = log
    log_redaction.remember("29")
    logger.info("age 29 on port 5029, 29.")
    assert written().strip().endswith("age [redacted] on port 5029, [redacted].")


def test_secret_environment_variables_are_redacted(log, monkeypatch):
    logger, written = log
    secret = uuid.uuid4().hex
    monkeypatch.setenv("WECHAT_SECRET", secret)
    monkeypatch.setenv("SOME_API_TOKEN", secret[::-1])
    logger.debug("GET /cgi-bin/token?appid=wx1&x=%s and %s", secret, secret[::-1])
    assert secret not in written() and secret[::-1] not in written()


@pytest.mark.parametrize("line, hidden", [
    ("GET https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=Sx9q", "Sx9q"),
    ("POST /cgi-bin/message/custom/send?access_token=FAKE_ACCESS_TOKEN_7 200", "FAKE_ACCESS_TOKEN_7"),
    ("GET /conversations/rest:a/tracker?token=f00dcafe 200", "f00dcafe"),
    ("connecting to postgresql://kvisa:pa55word@db:5432/kvisa", "pa55word"),
    ("Authorization: Bearer abc.def-123", "abc.def-123"),
    ("POST https://api.telegram.org/bot123456:AAE-secret_part/sendMessage", "AAE-secret_part"),
    ("Failed to execute custom action: 500, Internal Server Error, body='{\"tracker\": {\"slots\": 1}}'",
     "tracker"),
])
def test_secrets_recognised_by_their_shape_are_redacted(log, line, hidden):
    logger, written = log
    logger.warning(line)
    assert hidden not in written()


def test_sanic_access_log_request_lines_are_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(request)s %(message)s"))
    access = logging.getLogger("sanic.access")
    access.addHandler(handler)
    level, access.level = access.level, logging.INFO
    try:
        access.info("", extra={"request": "GET http://127.0.0.1/conversations/x/tracker?token=c0ffee42",
                               "host": "127.0.0.1", "status": 200, "byte": 10})
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert "c0ffee42" not in stream.getvalue() and "token=[redacted]" in stream.getvalue()


def test_slot_values_and_user_texts_rasa_makes_are_remembered(log):
    logger, written = log
    institution, said = f"Quokka-{uuid.uuid4().hex[:6]} Institute", secret_text()
    SlotSet("institution", institution)
    UserUttered(said)
    SlotSet("requested_slot", "institution")  # a slot name: not personal, stays readable
    logger.debug(f"Current slot values: institution: {institution}, requested_slot: institution; said {said}")
    assert institution not in written() and said not in written()
    assert "requested_slot: institution" in written()


def test_installing_twice_redacts_once(log):
    logger, written = log
    log_redaction.install()
    log_redaction.install()
    text = secret_text()
    log_redaction.remember(text)
    logger.info("%s", text)
    assert written().strip().endswith("[redacted]")


def test_personal_values_in_rasa_s_json_log_events_are_redacted_whole(log):
    logger, written = log
    logger.debug(json.dumps({"parse_data_text": "x", "parse_data_entities": [{"entity": "age",
                                                                               "value": "I'm Quokka-41"}],
                             "parse_data_intent": {"name": "inform"}, "event": "processor.message.parse"}))
    assert "Quokka" not in written() and '"parse_data_entities": "[redacted]"' in written()
    assert '"parse_data_intent": {"name": "inform"}' in written()  # what is not personal stays readable
