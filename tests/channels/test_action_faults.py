"""Rasa's call to the action server (RemoteAction) when that server is down, fails, is slow, or refuses a value
on purpose (channels/action_faults.py): the user is told once per message, whatever the channel; the error
still reaches Rasa."""
from __future__ import annotations

import asyncio
import socket
import uuid

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from channels import action_faults, messages

APOLOGY = {"text": messages.text("something_went_wrong")}


@pytest.fixture(autouse=True)
def installed():
    action_faults.install()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def turn(sender="rest:" + uuid.uuid4().hex):
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("I'm 29", message_id=uuid.uuid4().hex)])
    return tracker, CollectingOutputChannel()


async def run(url, tracker, output, name="validate_eligibility_form"):
    action = RemoteAction(name, EndpointConfig(url=url))
    return await action.run(output, TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty())


async def serve(handler):
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/webhook"


def test_an_action_server_that_is_down_gets_the_user_one_apology_per_message():
    async def scenario():
        tracker, output = turn()
        url = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
        with pytest.raises(RasaException):
            await run(url, tracker, output)
        with pytest.raises(RasaException):  # a second failure in the same turn: no second apology
            await run(url, tracker, output, "action_assess_eligibility")
        assert output.messages == [{"recipient_id": tracker.sender_id, **APOLOGY}]
        next_tracker, next_output = turn(tracker.sender_id)  # the next message may be told again
        with pytest.raises(RasaException):
            await run(url, next_tracker, next_output)
        assert next_output.messages == [{"recipient_id": tracker.sender_id, **APOLOGY}]
    asyncio.run(scenario())


def test_an_action_server_error_500_gets_the_apology():
    async def failing(_):
        return web.json_response({"error": "boom"}, status=500)

    async def scenario():
        runner, url = await serve(failing)
        try:
            tracker, output = turn()
            with pytest.raises(RasaException):
                await run(url, tracker, output)
            assert output.messages == [{"recipient_id": tracker.sender_id, **APOLOGY}]
        finally:
            await runner.cleanup()
    asyncio.run(scenario())


def test_a_slow_action_server_is_given_up_after_action_timeout(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT", "0.5")

    async def scenario():
        never = asyncio.Event()

        async def slow(_):
            await never.wait()
            return web.json_response({"events": [], "responses": []})

        runner, url = await serve(slow)
        try:
            tracker, output = turn()
            with pytest.raises(RasaException, match="ACTION_TIMEOUT"):
                await run(url, tracker, output)
            assert output.messages == [{"recipient_id": tracker.sender_id, **APOLOGY}]
        finally:
            never.set()
            await runner.cleanup()
    asyncio.run(scenario())


def test_a_deliberate_rejection_and_a_good_answer_get_no_apology():
    async def rejecting(request):
        body = await request.json()
        return web.json_response({"action_name": body["next_action"], "error": "not an age"}, status=400)

    async def answering(_):
        return web.json_response({"events": [], "responses": [{"text": "How old are you?"}]})

    async def scenario():
        for handler in (rejecting, answering):
            runner, url = await serve(handler)
            try:
                tracker, output = turn()
                if handler is rejecting:
                    with pytest.raises(ActionExecutionRejection):
                        await run(url, tracker, output)
                else:
                    events = await run(url, tracker, output)
                    assert [e.text for e in events] == ["How old are you?"]
                assert output.messages == []
            finally:
                await runner.cleanup()
    asyncio.run(scenario())


@pytest.mark.parametrize("value", ["0", "-1", "soon", "60"])
def test_action_timeout_must_be_a_sensible_number_of_seconds(value):
    with pytest.raises(ValueError, match="ACTION_TIMEOUT"):
        action_faults.action_timeout({"ACTION_TIMEOUT": value})
    assert action_faults.action_timeout({}) == 20.0
