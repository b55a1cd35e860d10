"""The Rasa server's log keeps real interpolation errors and drops the false alarm for button payloads."""
import logging

import pytest
from rasa.core.nlg.interpolator import interpolate_text
from rasa.utils.log_utils import configure_structlog

import channels  # noqa: F401  (installs the filter, as when Rasa loads credentials.yml)
from channels.quiet_logs import INTERPOLATOR_LOGGER


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def records():
    configure_structlog(logging.INFO)
    handler = Records()
    logging.getLogger(INTERPOLATOR_LOGGER).addHandler(handler)
    yield handler.messages
    logging.getLogger(INTERPOLATOR_LOGGER).removeHandler(handler)


def test_a_button_payload_with_entities_is_sent_unchanged_without_an_error(records):
    assert interpolate_text('/inform{"degree": "phd"}', {"age": "29"}) == '/inform{"degree": "phd"}'
    assert records == []


def test_a_missing_slot_in_a_text_is_still_logged(records):
    assert interpolate_text("Hello {nickname}", {"age": "29"}) == "Hello {nickname}"
    assert len(records) == 1 and "nickname" in records[0]
