"""Steps that run around every message in Rasa's Agent.handle_message, which every channel calls: the one
place where the Rasa server can act on any message of any channel."""
from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable, Text

Step = Callable[[Callable[[Any], Awaitable[Any]], Any, Any], Awaitable[Any]]


def around_each_message(name: Text, step: Step) -> None:
    """Wraps Agent.handle_message, once per `name`: `step(handle, agent, message)`, where `handle(message)` runs
    the rest (the steps installed before this one, then Rasa)."""
    from rasa.core.agent import Agent

    original = Agent.handle_message
    installed = getattr(original, "steps", ())
    if name in installed:
        return

    @functools.wraps(original)
    async def handle_message(self: Any, message: Any) -> Any:
        return await step(functools.partial(original, self), self, message)

    handle_message.steps = (*installed, name)  # type: ignore[attr-defined]
    Agent.handle_message = handle_message
