"""Starts rasa-sdk's action server (the same arguments as `rasa run actions`, e.g. --actions actions --port
5055) with the log redaction of channels/log_redaction.py installed, and every request's slot values and
message texts remembered for it before the action runs: an action that fails can then log nothing personal.
LOG_LEVEL=DEBUG turns on rasa-sdk's debug log, as it does for the Rasa server."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the actions package and channels/, as when started from the project root

from channels import log_redaction  # noqa: E402 (after the path is set)

log_redaction.install()

from rasa_sdk import executor  # noqa: E402
from rasa_sdk.__main__ import main  # noqa: E402

_run = executor.ActionExecutor.run


async def _remembering_run(self: executor.ActionExecutor, action_call: Dict[str, Any]) -> Any:
    tracker = action_call.get("tracker") if isinstance(action_call, dict) else None
    if isinstance(tracker, dict):
        slots = tracker.get("slots") or {}
        log_redaction.remember({key: value for key, value in slots.items() if key != "requested_slot"})
        log_redaction.remember([event.get("text") for event in tracker.get("events") or []
                                if isinstance(event, dict) and event.get("event") in ("user", "bot")])
        log_redaction.remember((tracker.get("latest_message") or {}).get("text"))
    return await _run(self, action_call)


executor.ActionExecutor.run = _remembering_run

if __name__ == "__main__":
    if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG" and "--debug" not in sys.argv:
        sys.argv.append("--debug")
    main()
