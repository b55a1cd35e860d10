"""The channels' own sentences to users (channels/messages.yml), so that wording lives in data, not in code."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Text

import yaml

MESSAGES = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def _all() -> Dict[Text, Text]:
    return yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))


def text(name: Text, **values: object) -> Text:
    """The sentence `name`, with its {placeholders} filled in; a missing name raises KeyError."""
    return _all()[name].format(**values)
