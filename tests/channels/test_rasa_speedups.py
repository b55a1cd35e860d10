"""channels/rasa_speedups.py changes how fast Rasa does three things, never what it does: the same action-server
responses pass and fail validation, with the same error; every stored event type resolves to the same class,
and unknown types behave as before; the spaCy pipeline is loaded once however many nodes ask for it."""
import json
import uuid

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from channels import rasa_speedups

ORIGINAL_VALIDATE = RemoteAction._validate_action_result
ORIGINAL_RESOLVE = rasa_speedups._original_resolve_by_type
ACTION = RemoteAction("action_assess_eligibility", None)

RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "age", "value": 29}], "responses": [{"text": "ok"}]},
    {"events": [{"event": "slot", "name": "age", "value": 29, "timestamp": 1.5}]},
    {"events": [{"event": "bot", "text": "hi"}, {"event": "active_loop", "name": None}]},
    {},
    # invalid ones
    {"events": [{"event": "slot"}]},
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"responses": "nope"},
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    [],
    "text",
]


def outcome(validate, response):
    try:
        return validate(ACTION, response)
    except ValidationError as error:
        return ("error", error.message, list(error.path), list(error.schema_path))


@pytest.mark.parametrize("response", RESPONSES)
def test_validation_passes_and_fails_exactly_as_in_rasa(response):
    assert outcome(rasa_speedups._validate_action_result, response) == outcome(ORIGINAL_VALIDATE, response)


def test_at_least_one_response_fails_so_the_comparison_means_something():
    assert outcome(rasa_speedups._validate_action_result, {"events": "not a list"})[0] == "error"


def test_every_event_type_resolves_to_the_same_class():
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "slot", "action", "bot", "session_started"} <= names
    for name in names:
        assert rasa_speedups._resolve_by_type(name) is ORIGINAL_RESOLVE(name), name


def test_unknown_types_behave_as_before():
    assert rasa_speedups._resolve_by_type("topic") is None
    assert rasa_speedups._resolve_by_type("no_such", default=SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such'"):
        rasa_speedups._resolve_by_type("no_such")


def test_an_event_class_defined_later_is_found():
    rasa_speedups._resolve_by_type("user")  # the table is built now

    name = f"late_event_{uuid.uuid4().hex}"
    LateEvent = type("LateEvent", (UserUttered,), {"type_name": name})
    assert rasa_speedups._resolve_by_type(name) is LateEvent


def test_installed_events_round_trip_through_the_table():
    rasa_speedups.install()
    event = Event.from_parameters({"event": "slot", "name": "age", "value": 29})
    assert event == SlotSet("age", 29)


def test_the_spacy_pipeline_is_loaded_once_and_shared(monkeypatch):
    calls = []

    def counting_load(name, **kwargs):
        calls.append(name)
        return object()

    import spacy
    monkeypatch.setattr(spacy, "load", counting_load)
    monkeypatch.setattr(spacy, "info", lambda name: {"spacy_version": ">=3.0.0"})
    rasa_speedups._load_spacy_once.cache_clear()
    try:
        first = rasa_speedups._load_spacy_once("some/pipeline")
        second = rasa_speedups._load_spacy_once("some/pipeline")
        other = rasa_speedups._load_spacy_once("another/pipeline")
    finally:
        rasa_speedups._load_spacy_once.cache_clear()
    assert calls == ["some/pipeline", "another/pipeline"]
    assert first is second and first.model is second.model
    assert other.model is not first.model
    assert first.model_name == "some/pipeline"


def test_the_server_uses_the_shared_loader():
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    rasa_speedups.install()
    assert SpacyNLP.load_model is rasa_speedups._load_spacy_once


# ------------------------------------------------------------------ saving without counting the stored events

def _stored_rows(store, sender):
    with store.session_scope() as session:
        return [(row.type_name, row.timestamp, row.intent_name, row.action_name, json.loads(row.data)) for row in
                session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)]


def _conversation(store, sender, steps):
    """Saves a new tracker, then reads it back, adds a turn and saves it `steps` times, as Rasa does for each
    message; the second turn starts a new session in the same tracker, as Rasa does after a long pause."""
    import asyncio
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.storage.test_tracker_store import DOMAIN

    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start", timestamp=1.0))
    tracker.update(SessionStarted(timestamp=1.0))
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}, timestamp=2.0))
    asyncio.run(store.save(tracker))
    for i in range(steps):
        tracker = asyncio.run(store.retrieve(sender))
        if i == 1:
            tracker.update(ActionExecuted("action_session_start", timestamp=10.0 + i))
            tracker.update(SessionStarted(timestamp=10.0 + i))
        tracker.update(UserUttered(f"I'm {30 + i}", {"name": "inform", "confidence": 1.0}, timestamp=20.0 + i))
        tracker.update(SlotSet("age", str(30 + i), timestamp=20.5 + i))
        asyncio.run(store.save(tracker))


@pytest.fixture
def sqlite_store(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    from tests.storage.test_tracker_store import DOMAIN
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):
    """Rasa's SQL store on an SQLite file, and on the PostgreSQL server on loopback (fails if it is down)."""
    import socket

    from rasa.core.tracker_store import SQLTrackerStore

    from tests.storage.test_tracker_store import DOMAIN, PG_DB, PG_HOST, PG_PORT, PG_USER
    if request.param == "sqlite":
        yield SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
        return
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=3).close()
    except OSError as error:
        pytest.fail(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} ({error})")
    store = SQLTrackerStore(DOMAIN, dialect="postgresql", host=PG_HOST, port=PG_PORT, db=PG_DB, username=PG_USER,
                            login_db="postgres")
    yield store
    with store.session_scope() as session:  # the database is shared with other tests (the purge test counts it)
        session.query(store.SQLEvent).filter(store.SQLEvent.sender_id.like("speedups-%")).delete(
            synchronize_session=False)
        session.commit()


def test_the_store_holds_the_same_events_as_with_rasas_count(any_store, monkeypatch):
    sqlite_store = any_store
    name = {p: f"speedups-{p}-{uuid.uuid4().hex[:8]}" for p in (False, True)}
    from rasa.core.tracker_store import SQLTrackerStore

    for patched in (False, True):
        if patched:
            rasa_speedups.install()
        else:
            monkeypatch.setattr(SQLTrackerStore, "_retrieve", rasa_speedups._original_retrieve)
            monkeypatch.setattr(SQLTrackerStore, "_additional_events", rasa_speedups._original_additional_events)
            monkeypatch.setattr(SQLTrackerStore, "save", rasa_speedups._original_save)
        _conversation(sqlite_store, name[patched], steps=4)
        monkeypatch.undo()
    without, with_speedup = (_stored_rows(sqlite_store, name[p]) for p in (False, True))
    # every session's events too, as Rasa's retrieve_full_tracker reads them
    import asyncio
    full = [[e.as_dict() for e in asyncio.run(sqlite_store.retrieve_full_tracker(name[p])).events]
            for p in (False, True)]
    assert len(full[0]) == len(without) and full[0] == full[1]
    assert len(without) == 3 + 4 * 2 + 2 and with_speedup == without
    assert [row[2] for row in without if row[0] == "user"][:2] == ["greet", "inform"]
    # and read back, the same trackers
    import asyncio
    read = [asyncio.run(sqlite_store.retrieve(name[p])) for p in (False, True)]
    assert [e.as_dict() for e in read[0].events] == [e.as_dict() for e in read[1].events] != []
    assert read[1].get_slot("age") == "33"


@pytest.fixture
def counted(monkeypatch):
    """The speed-ups installed; each time a save falls back on Rasa's count of the stored events, a 1."""
    rasa_speedups.install()
    calls = []
    original = rasa_speedups._original_additional_events
    monkeypatch.setattr(rasa_speedups, "_original_additional_events",
                        lambda *args: calls.append(1) or original(*args))
    return calls


def test_a_tracker_read_from_the_store_is_saved_without_counting(sqlite_store, counted):
    _conversation(sqlite_store, "counted", steps=3)
    assert counted == [1]  # only the first save, of a tracker the store never read


# ------------------------------------------------------------------------- the graph without dask's scheduler

class _Add:
    """A graph component: adds its config's number to the sum of what it is given, and records the call."""
    calls: list = []

    def __init__(self, config):
        self.number = config["number"]

    @classmethod
    def create(cls, config, model_storage, resource, execution_context):
        return cls(config)

    def add(self, **given):
        _Add.calls.append((self.number, tuple(sorted(given))))
        return self.number + sum(v for v in given.values() if isinstance(v, int))


def _runner(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    component = type("AddComponent", (_Add, GraphComponent), {})

    def node(number, **needs):
        return SchemaNode(needs=needs, uses=component, constructor_name="create", fn="add",
                          config={"number": number}, eager=True)

    schema = GraphSchema({
        "a": node(1, message="__message__"), "b": node(10, a="a"), "c": node(100, a="a", b="b"),
        "d": node(1000, c="c", missing="not_a_node"), "e": node(5, message="__message__"),
    })
    return DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "test"))


@pytest.mark.parametrize("targets", [["c"], ["b", "e"], ["a"], ["c", "a"], ["e"]])
def test_the_graph_gives_what_dask_gives_with_the_same_calls(tmp_path, targets):
    runner = _runner(tmp_path)
    results = []
    for run in (rasa_speedups._original_run_graph, rasa_speedups._run_graph):
        for _ in range(2):  # the second time with the plan kept from the first
            _Add.calls = []
            results.append((run(runner, {"__message__": 7}, targets), sorted(_Add.calls)))
    assert results[0] == results[1] == results[2] == results[3]
    assert results[0][0][targets[0]] > 0


def test_a_need_that_nothing_provides_fails_as_with_dask(tmp_path):
    from rasa.engine.exceptions import GraphRunError

    runner = _runner(tmp_path)
    for run in (rasa_speedups._original_run_graph, rasa_speedups._run_graph):
        with pytest.raises(GraphRunError, match="Expected input 'not_a_node'"):
            run(runner, {"__message__": 7}, ["d"])


def test_an_input_named_like_a_node_is_refused_as_rasa_refuses_it(tmp_path):
    from rasa.engine.exceptions import GraphRunError

    runner = _runner(tmp_path)
    for run in (rasa_speedups._original_run_graph, rasa_speedups._run_graph):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            run(runner, {"__message__": "a"}, ["c"])


def test_a_new_tracker_is_counted_only_at_its_first_save(sqlite_store, counted):
    import asyncio
    from rasa.shared.core.trackers import DialogueStateTracker

    from tests.storage.test_tracker_store import DOMAIN

    tracker = DialogueStateTracker("new", DOMAIN.slots)
    tracker.update(UserUttered("hi", {"name": "greet", "confidence": 1.0}, timestamp=1.0))
    asyncio.run(sqlite_store.save(tracker))
    tracker.update(SlotSet("age", "29", timestamp=2.0))
    asyncio.run(sqlite_store.save(tracker))
    asyncio.run(sqlite_store.save(tracker))
    assert counted == [1]
    assert [row[0] for row in _stored_rows(sqlite_store, "new")] == ["user", "slot"]


@pytest.mark.parametrize("value", [
    {"event": "user", "text": "héllo / wörld 你好 \"quoted\" \n", "timestamp": 1796146882.8383274,
     "parse_data": {"intent": {"name": "faq", "confidence": 0.123456789012345}, "entities": [], "n": None}},
    [1, 2.5, True, False, None, "a/b", {"nested": ["x"]}],
])
def test_the_faster_json_is_the_same_json(value):
    fast = rasa_speedups._dumps(value)
    assert json.loads(fast) == json.loads(json.dumps(value)) == value
    assert fast.isascii()  # non-ASCII escaped as json.dumps escapes it


def test_action_server_requests_use_the_faster_json():
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    rasa_speedups.install()

    async def serializer():
        async with EndpointConfig("http://127.0.0.1:1/webhook", headers={"X-A": "b"}).session() as session:
            return session._json_serialize, session.headers.get("X-A")

    assert asyncio.run(serializer()) == (rasa_speedups._dumps, "b")


def test_rule_states_are_parsed_once_and_are_the_same():
    import json as _json

    from rasa.core.policies.rule_policy import RulePolicy

    rasa_speedups.install()
    key = _json.dumps([{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}])
    first = RulePolicy._rule_key_to_state(key)
    assert first == rasa_speedups._original_rule_key_to_state(key) == _json.loads(key)
    assert RulePolicy._rule_key_to_state(key) is first  # parsed once


@pytest.mark.parametrize("text,values", [
    ('/inform{"degree": "master"}', {"age": "29"}), ("How old is {who}?", {"who": "your son"}),
    ("{age} years", {"age": "29"}), ("{{escaped}} and {missing}", {}), ("/greet", {}), ("plain text", {}),
])
def test_responses_are_interpolated_as_rasa_interpolates_them(text, values):
    from rasa.core.nlg import interpolator

    rasa_speedups.install()
    assert interpolator.interpolate_text is rasa_speedups._interpolate_text
    assert rasa_speedups._interpolate_text(text, values) == rasa_speedups._original_interpolate_text(text, values)


def test_an_intent_payload_is_not_taken_for_a_placeholder(monkeypatch):
    from rasa.core.nlg import interpolator

    failures = []
    monkeypatch.setattr(interpolator.structlogger, "exception", lambda *a, **k: failures.append(a))
    buttons = {"text": "Which degree?", "buttons": [{"title": "Master's", "payload": '/inform{"degree": "master"}'}]}
    rasa_speedups.install()
    assert interpolator.interpolate(buttons, {"age": "29"})["buttons"][0]["payload"] == '/inform{"degree": "master"}'
    assert failures == []


def test_action_server_requests_reuse_one_kept_alive_connection():
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    rasa_speedups.install()
    peers = []

    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    async def three_requests():
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
            return [await endpoint.request(json={"next_action": "x"}) for _ in range(3)]
        finally:
            await runner.cleanup()

    assert asyncio.run(three_requests()) == [{"events": [], "responses": []}] * 3
    assert len(peers) == 3 and len(set(peers)) == 1  # the same client port: one connection


def test_outside_an_event_loop_a_session_has_a_connector_of_its_own():
    from rasa.utils.endpoints import EndpointConfig

    rasa_speedups.install()
    assert rasa_speedups._shared_connector() is None


def _generated_responses():
    """Responses built from every event type of Rasa's schema and from values of every JSON type in each field
    the plain check looks at: well-formed and malformed ones."""
    import itertools

    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    kinds = [alternative["properties"]["event"]["const"] for alternative in EVENT_SCHEMA["oneOf"]]
    values = [None, True, 0, 1.5, "x", [], {}, [1], {"a": 1}]
    events = [{"event": kind} for kind in kinds + ["no_such_event"]]
    events += [{"event": value} for value in values]
    events += [{"event": "slot", "name": name, "value": value} for name in values for value in values]
    events += [{"event": "slot", "value": 1}, {"event": "slot", "name": "age"}]
    events += [{"event": kind, field: value} for kind in ("slot", "followup", "bot", "active_loop")
               for field in ("timestamp", "metadata", "name", "text") for value in values]
    events += [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": 3}}},
               {"event": "action", "name": "x", "confidence": "high"}, {"name": "x"}]
    for event in events:
        if event.get("event") == "slot" and "name" not in event and "value" not in event:
            event = dict(event, name="age", value=1)
        yield {"events": [event]}
        yield {"events": [{"event": "slot", "name": "age", "value": 29}, event], "responses": [{"text": "ok"}]}
    for responses in itertools.product(values, repeat=1):
        yield {"events": [], "responses": responses[0]}
        yield {"responses": [responses[0]]}
    yield from (value for value in values)


def test_the_plain_check_accepts_only_what_jsonschema_accepts():
    responses = list(_generated_responses())
    accepted = [r for r in responses if rasa_speedups.surely_valid(r)]
    assert len(accepted) > 50 and len(accepted) < len(responses)  # both kinds are there
    for response in accepted:
        assert outcome(ORIGINAL_VALIDATE, response) is True, response


@pytest.mark.parametrize("response", list(_generated_responses()))
def test_generated_responses_pass_and_fail_exactly_as_in_rasa(response):
    rasa_speedups.install()
    assert outcome(RemoteAction._validate_action_result, response) == outcome(ORIGINAL_VALIDATE, response)
