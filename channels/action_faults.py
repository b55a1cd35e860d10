"""When the action server is down, fails or is slow, Rasa 3.6 logs the error, drops the action's events and
carries on, so the user gets silence. Here every call to the action server (Rasa's RemoteAction) is held to
ACTION_TIMEOUT seconds (default 20; Rasa's own is 5 minutes, longer than users wait and than the conversation
lock lasts), and when it fails the user is told once per message, through whichever channel they use,
"something went wrong, please try again" (channels/messages.yml). Rasa's behaviour is otherwise unchanged:
the error still reaches it and is logged; a form validation's deliberate rejection is not a failure."""
from __future__ import annotations

import asyncio
import functools
import logging
import os
from typing import Any, Callable, Mapping, Text

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.exceptions import RasaException

from channels import messages
from channels.bounded_cache import ExpiringCache

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0
_told: ExpiringCache[bool] = ExpiringCache(max_items=10_000, ttl_seconds=600)


def action_timeout(env: Mapping[Text, Text] = os.environ) -> float:
    raw = (env.get("ACTION_TIMEOUT") or "").strip() or str(DEFAULT_TIMEOUT)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 55:  # below Rasa's 60-second conversation lock
        raise ValueError(f"ACTION_TIMEOUT must be a number of seconds between 0 and 55, not {raw!r}")
    return seconds


async def _tell_once(output_channel: Any, tracker: Any) -> None:
    latest = getattr(tracker, "latest_message", None)
    key = (tracker.sender_id, getattr(latest, "message_id", None) or id(latest))
    _, first = _told.get_or_create(key, lambda: True)
    if not first or output_channel is None:
        return
    try:
        await output_channel.send_response(tracker.sender_id, {"text": messages.text("something_went_wrong")})
    except Exception:  # the channel itself may be what is down
        logger.warning("Could not tell the user that the action server failed", exc_info=True)


def _guarded(run: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(run)
    async def guarded_run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await asyncio.wait_for(run(self, output_channel, nlg, tracker, domain), action_timeout())
        except ActionExecutionRejection:
            raise  # a validation that refuses a value: the form handles it
        except asyncio.TimeoutError:
            await _tell_once(output_channel, tracker)
            raise RasaException(f"The action server did not answer '{self.name()}' within "
                                f"{action_timeout():g} s (ACTION_TIMEOUT).") from None
        except Exception:
            await _tell_once(output_channel, tracker)
            raise

    guarded_run.guarded = True  # type: ignore[attr-defined]
    return guarded_run


def install() -> None:
    if not getattr(RemoteAction.run, "guarded", False):
        RemoteAction.run = _guarded(RemoteAction.run)
