"""Keeps one false alarm out of the Rasa server's log.

Rasa 3.6 fills {slot} placeholders in every button payload too, so each button like `/inform{"degree": "phd"}`
logs an ERROR with a traceback (and the conversation's slot values) although the payload is sent unchanged and
works. Only those records are dropped: an unfilled placeholder in a response text is still logged.
"""
from __future__ import annotations

import logging
import re

INTERPOLATOR_LOGGER = "rasa.core.nlg.interpolator"
INTENT_PAYLOAD = re.compile(r"/[A-Za-z_][\w-]*\{")  # "/intent{" starts a payload with entities


class ButtonPayloadFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("interpolator.interpolate.text" in message and INTENT_PAYLOAD.search(message))


def install() -> None:
    logger = logging.getLogger(INTERPOLATOR_LOGGER)
    if not any(isinstance(f, ButtonPayloadFilter) for f in logger.filters):
        logger.addFilter(ButtonPayloadFilter())
