"""'Delete my data' (channels/forget.py) on Rasa's real SQL tracker store (an SQLite file): the request is
answered with a confirmation and never processed or stored; "yes" really deletes the conversation's rows,
and only that conversation's; "no" keeps everything; anything else is an ordinary message again."""
from __future__ import annotations

import asyncio
import sqlite3
import uuid

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import AwaitableTrackerStore, FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import erasure, forget, messages


class StubAgent:
    """What forget.handle uses of Rasa's Agent: its lock store and tracker store (as Rasa wraps it)."""

    def __init__(self, db):
        self.lock_store = InMemoryLockStore()
        self.tracker_store = FailSafeTrackerStore(AwaitableTrackerStore(
            SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))))


@pytest.fixture
def agent(tmp_path):
    return StubAgent(tmp_path / "tracker.db")


def rows(agent, sender):
    db = agent.tracker_store._tracker_store._tracker_store.engine.url.database
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def store_profile(agent, sender):
    tracker = DialogueStateTracker(sender, [])
    tracker.update(UserUttered("I'm 29 with a PhD in physics from ETH"))
    tracker.update(SlotSet("age", "29"))
    asyncio.run(agent.tracker_store.save(tracker))


class Turns:
    """Sends messages through forget.handle; `processed` lists what reached the assistant."""

    def __init__(self, agent, sender):
        self.agent, self.sender, self.processed = agent, sender, []

    async def _process(self, message):
        self.processed.append(message.text)

    def say(self, text):
        output = CollectingOutputChannel()
        asyncio.run(forget.handle(self.agent, UserMessage(text, output, self.sender), self._process))
        return output.messages


def conversation_id():
    return f"rest:{uuid.uuid4().hex}"


def test_a_request_gets_the_confirmation_with_two_buttons_and_is_neither_processed_nor_stored(agent):
    turns = Turns(agent, conversation_id())
    [reply] = turns.say("please delete my data")
    assert reply["text"] == messages.text("forget_confirm")
    assert [button["title"] for button in reply["buttons"]] == [messages.text("forget_button_yes"),
                                                                 messages.text("forget_button_no")]
    assert turns.processed == []
    assert rows(agent, turns.sender) == 0


def test_yes_deletes_every_row_of_that_conversation_and_no_other(agent):
    mine, other = conversation_id(), conversation_id()
    store_profile(agent, mine)
    store_profile(agent, other)
    assert rows(agent, mine) > 0
    turns = Turns(agent, mine)
    turns.say("forget me")
    [reply] = turns.say("yes")
    assert reply["text"] == messages.text("forget_done")
    assert rows(agent, mine) == 0
    assert rows(agent, other) > 0
    assert asyncio.run(agent.tracker_store.retrieve(mine)) is None
    assert turns.processed == []


def test_the_yes_button_confirms_and_no_keeps_everything(agent):
    sender = conversation_id()
    store_profile(agent, sender)
    turns = Turns(agent, sender)
    [confirmation] = turns.say("/forget")
    no = confirmation["buttons"][1]["payload"]
    assert turns.say(no)[0]["text"] == messages.text("forget_kept")
    assert rows(agent, sender) > 0
    turns.say("/forget")
    turns.say(confirmation["buttons"][0]["payload"])
    assert rows(agent, sender) == 0


def test_yes_without_a_question_and_any_other_answer_are_ordinary_messages(agent):
    sender = conversation_id()
    store_profile(agent, sender)
    turns = Turns(agent, sender)
    turns.say("yes")
    turns.say("delete my data")
    turns.say("how much does it cost?")  # not an answer: the question is dropped
    turns.say("yes")  # so this is an ordinary "yes" again
    assert turns.processed == ["yes", "how much does it cost?", "yes"]
    assert rows(agent, sender) > 0


def test_another_conversation_cannot_confirm_my_request(agent):
    mine = conversation_id()
    store_profile(agent, mine)
    Turns(agent, mine).say("delete my data")
    intruder = Turns(agent, conversation_id())
    intruder.say("yes")
    assert intruder.processed == ["yes"]
    assert rows(agent, mine) > 0


def test_channels_forget_what_they_remember_of_the_conversation(agent, monkeypatch):
    monkeypatch.setattr(erasure, "_forgetters", [])
    forgotten = []
    erasure.on_erase(forgotten.append)
    sender = conversation_id()
    turns = Turns(agent, sender)
    turns.say("delete my data")
    turns.say("yes")
    assert forgotten == [sender]


def test_a_database_that_fails_gets_an_apology_and_deletes_nothing_half_way(agent, monkeypatch):
    sender = conversation_id()
    store_profile(agent, sender)

    def broken(*_):
        raise OSError("disk I/O error")

    monkeypatch.setattr(forget, "_erase_from", broken)
    turns = Turns(agent, sender)
    turns.say("delete my data")
    assert turns.say("yes")[0]["text"] == messages.text("forget_failed")
    assert rows(agent, sender) > 0
