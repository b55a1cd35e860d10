"""'Delete my data' in every channel. A message that asks for it ("please delete my data", "forget me",
/forget on Telegram; channels/forget.yml) never reaches the NLU and is not stored: the user is asked to
confirm, with two buttons. "Yes" erases the conversation from the tracker store (its rows deleted, under the
conversation's lock so that no turn writes it back) and from every channel's memory; "no" keeps it; anything
else is an ordinary message again. The sentences are in channels/messages.yml (forget_*).

Installed in Rasa's Agent.handle_message, which every channel calls, so one place serves them all."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Iterator, Text

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import (AwaitableTrackerStore, FailSafeTrackerStore, InMemoryTrackerStore,
                                     SQLTrackerStore, TrackerStore)

from channels import agent_hooks, erasure, forget_requests, messages, shared_state

logger = logging.getLogger(__name__)

CONFIRM_SECONDS = 600  # a confirmation question left unanswered this long is forgotten
_pending_questions = None


def _pending():
    """Conversations asked to confirm a deletion; in Redis when REDIS_URL is set (channels/shared_state.py)."""
    global _pending_questions
    if _pending_questions is None:
        _pending_questions = shared_state.cache("forget-pending", 100_000, CONFIRM_SECONDS)
    return _pending_questions


def _stores(store: TrackerStore) -> Iterator[TrackerStore]:
    """The store and every store it wraps (Rasa wraps the configured one in FailSafe and Awaitable stores)."""
    while store is not None:
        yield store
        if isinstance(store, FailSafeTrackerStore) and store._fallback_tracker_store is not None:
            yield store._fallback_tracker_store
        store = getattr(store, "_tracker_store", None)


def _erase_from(store: TrackerStore, conversation_id: Text) -> None:
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == conversation_id) \
                .delete(synchronize_session=False)
            session.commit()
    elif isinstance(store, InMemoryTrackerStore):
        store.store.pop(conversation_id, None)
    elif not isinstance(store, (FailSafeTrackerStore, AwaitableTrackerStore)):
        raise NotImplementedError(f"erasing a conversation from a {type(store).__name__} is not implemented")


async def erase(agent: Agent, conversation_id: Text) -> None:
    """Deletes the conversation everywhere it is kept. Raises when the tracker store could not delete it."""
    async with agent.lock_store.lock(conversation_id):
        for store in _stores(agent.tracker_store):
            await asyncio.get_running_loop().run_in_executor(None, _erase_from, store, conversation_id)
    erasure.erased(conversation_id)  # what the channels remember of it


async def _say(message: UserMessage, name: Text, with_buttons: bool = False) -> None:
    reply: dict = {"text": messages.text(name)}
    if with_buttons:
        commands = forget_requests.first_commands()
        reply["buttons"] = [{"title": messages.text("forget_button_yes"), "payload": commands["yes"]},
                            {"title": messages.text("forget_button_no"), "payload": commands["no"]}]
    await message.output_channel.send_response(message.sender_id, reply)


async def handle(agent: Agent, message: UserMessage, process: Callable[[UserMessage], Any]) -> Any:
    """Answers a request to delete, or its confirmation; hands every other message to `process`."""
    text = message.text or ""
    conversation_id = message.sender_id
    asked = _pending().pop(conversation_id) is not None
    if forget_requests.is_request(text):
        _pending().set(conversation_id, True)
        await _say(message, "forget_confirm", with_buttons=True)
        return None
    answer = forget_requests.answer(text) if asked else None
    if answer == forget_requests.NO:
        await _say(message, "forget_kept")
        return None
    if answer == forget_requests.YES:
        try:
            await erase(agent, conversation_id)
        except Exception as error:  # the database may be down: say so, keep nothing half-done quiet
            logger.error("Could not erase a conversation: %s", type(error).__name__)
            await _say(message, "forget_failed")
            return None
        logger.info("Erased a conversation on its user's request")
        await _say(message, "forget_done")
        return None
    return await process(message)


async def _step(rest: Callable[[UserMessage], Any], agent: Agent, message: UserMessage) -> Any:
    if not agent.is_ready():
        return await rest(message)
    return await handle(agent, message, rest)


def install() -> None:
    agent_hooks.around_each_message("forget", _step)
