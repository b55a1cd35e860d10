"""Waste in Rasa 3.6's server, removed without changing what Rasa does (each found with py-spy under load;
issue "Fast and light"; each with a test in tests/channels/test_rasa_speedups.py):

- Every action-server response is validated with jsonschema.validate(), which first checks the schema itself
  against jsonschema's meta-schema and builds a new validator: on every call. Here the schema is checked and
  the validator built once; the response is validated the same way (the same best-matching error, with
  Rasa's own note added). The responses this project's actions send (slot events, follow-ups) are checked in
  plain Python first, against the same schema's rules for those event types; anything else goes to jsonschema.
- Every stored event read back from the tracker store is turned into its class by walking all subclasses of
  Event (Event.resolve_by_type). Here the classes are looked up by type name in a table, rebuilt whenever a
  name is not in it (so an Event class defined later is still found); unknown names behave as before.
- The SQL store reads a conversation's events as ORM objects and writes each new event as one: here only the
  `data` column is read, and the new events are written with one multi-row INSERT, with the same columns.
- JSON for stored events and action-server requests is written with ujson (Sanic's dependency): the same
  JSON, parsed back, in less than half the time.
- Every action-server request opens a new HTTP session and with it a new TCP connection, closed afterwards:
  here the sessions share one pool of kept-alive connections per event loop.
- Every save of a tracker to the SQL store first counts the conversation's stored events (a query with a
  subquery, about a tenth of the server's CPU under load) to know which events are new. A tracker read from
  the store knows how many it was read with: that number is kept on it, and moved on after each save; a tracker
  the store did not read (a new conversation) is counted as before, the first time it is saved. One conversation is handled by one turn at
  a time (the lock store), so nothing else writes its events between the read and the save.
- Every message runs the model's graph through dask: the minimal schema for the targets is worked out again,
  a dask graph built and scheduled, for about a dozen nodes that run one after the other anyway. Here the
  order of the nodes is worked out once per set of targets and the nodes are called in that order, each
  with its parents' outputs, as dask calls them (a need that is neither a node nor an input is passed as
  its name, as dask passes it); errors are raised as dask raises them.
- RulePolicy parses each of its rules from JSON again, for every state of every turn it checks the rule
  against (json.loads in _rule_key_to_state): here each rule is parsed once and the parsed states are shared
  (RulePolicy only reads them).
- Every response is interpolated with the conversation's slots, button payloads included: an intent payload
  such as '/inform{"degree": "master"}' is taken for a placeholder, fails with a KeyError that Rasa logs as an
  exception with its traceback (four per degree question, 3% of the CPU), and is then returned unchanged. Here
  such a payload (JSON after the intent name, which no slot name can match) is returned unchanged at once.
- The model's graph holds two SpacyNLP nodes (the one that provides the pipeline and the one that runs it),
  and each loads the spaCy pipeline from disk: twice the memory (about 130 MB here) and the time. Here the
  pipeline is loaded once per name and shared; it is only read.
"""
from __future__ import annotations

import asyncio
import atexit
import functools
import itertools
import json
import re
import weakref
from typing import Any, Dict, Optional, Text, Type

import aiohttp
import sqlalchemy as sa
import ujson
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg import interpolator
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


# Event types whose part of Rasa's schema says nothing beyond the fields every event may have
# (rasa/shared/utils/schemas/events.py): each is `{"properties": {"event": {"const": <type>}}}`.
_PLAIN_EVENT_TYPES = frozenset({
    "user_featurization", "cancel_reminder", "reminder", "action_execution_rejected", "form_validation",
    "loop_interrupted", "form", "active_loop", "reset_slots", "resume", "pause", "followup", "export",
    "restart", "undo", "rewind", "bot", "session_started", "agent"})


def _is_number_or_none(value: Any) -> bool:
    return value is None or (type(value) in (int, float))  # JSON schema's number: not a boolean


def surely_valid(result: Any) -> bool:
    """True only for a response that Rasa's schema accepts, checked in plain Python: slot events and the event
    types above, with the common fields' types. Anything else (user or action events, entities, any doubt)
    is False and goes to jsonschema, which decides and words the error."""
    if type(result) is not dict:
        return False
    events, responses = result.get("events", []), result.get("responses", [])
    if type(events) is not list or type(responses) is not list \
            or any(type(response) is not dict for response in responses):
        return False
    for event in events:
        if type(event) is not dict or type(event.get("event")) is not str:
            return False
        if "timestamp" in event and not _is_number_or_none(event["timestamp"]):
            return False
        if "metadata" in event and not (event["metadata"] is None or type(event["metadata"]) is dict):
            return False
        kind = event["event"]
        if kind == "slot":
            if type(event.get("name")) is not str or "value" not in event:
                return False
        elif kind not in _PLAIN_EVENT_TYPES:
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    # jsonschema.validate(result, schema), minus checking the schema and building the validator each time,
    # and minus jsonschema itself for the responses the actions send (slots, follow-ups): 5% of the CPU
    if surely_valid(result):
        return True
    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_classes: Dict[Text, Type[Event]] = {}


def _event_class(type_name: Text) -> Optional[Type[Event]]:
    found = _event_classes.get(type_name)
    if found is None:
        _event_classes.clear()
        for cls in all_subclasses(Event):  # the first class with a name wins, as in Rasa's loop
            _event_classes.setdefault(cls.type_name, cls)
        found = _event_classes.get(type_name)
    return found


_original_resolve_by_type = Event.resolve_by_type


def _resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    found = _event_class(type_name)
    if found is not None:
        return found
    return _original_resolve_by_type(type_name, default)  # "topic", the default, or Rasa's own error


_original_load_spacy = SpacyNLP.load_model


@functools.lru_cache(maxsize=None)
def _load_spacy_once(spacy_model_name: Text) -> SpacyModel:
    return _original_load_spacy(spacy_model_name)


# The same JSON as json.dumps gives, parsed back (compact separators, non-ASCII escaped alike), two to three times
# faster: for each new event stored and each call to the action server, which carries the session's events.
# ujson is Sanic's own dependency (requirements.lock).
def _dumps(value: Any) -> str:
    return ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False)


# Below the action server's own keep-alive (Sanic closes an idle connection after 5 s), so that a connection is
# never reused just as the server closes it.
KEEPALIVE_SECONDS = 2.0
_connectors: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.TCPConnector]" = \
    weakref.WeakKeyDictionary()


def _shared_connector() -> Optional[aiohttp.TCPConnector]:
    """This event loop's connection pool for endpoint requests; None outside a running loop."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    connector = _connectors.get(loop)
    if connector is None or connector.closed:
        _close_connectors(of_closed_loops_only=True)
        connector = _connectors[loop] = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
    return connector


@atexit.register
def _close_connectors(of_closed_loops_only: bool = False) -> None:
    # kept-alive connections are closed before their loop's end or the interpreter's would log them as leaked
    for loop, connector in list(_connectors.items()):
        if loop.is_closed() or not of_closed_loops_only:
            try:
                connector._close()  # what aiohttp's (awaitable) close() does, synchronously
            except Exception:  # noqa: BLE001 - a transport of a closed loop may refuse; it is gone either way
                pass
            _connectors.pop(loop, None)


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    # Rasa's EndpointConfig.session, with the faster JSON for request bodies, and connections kept open between
    # requests: Rasa makes a session per request and closes it, and with it a new TCP connection per action.
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    connector = _shared_connector()
    return aiohttp.ClientSession(headers=self.headers, auth=auth, json_serialize=_dumps,
                                 timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                 connector=connector, connector_owner=connector is None)


STORED_EVENTS = "_kvisa_events_in_store"  # on a tracker: how many of its events the SQL store holds
_original_retrieve = SQLTrackerStore._retrieve
_original_additional_events = SQLTrackerStore._additional_events
_original_save = SQLTrackerStore.save


def _events_statement(store: SQLTrackerStore, all_sessions: bool) -> Any:
    """Rasa's _event_query as one SQL statement, built once per store: the `data` of the conversation's events
    (from the latest SessionStarted on, or all of them when there is none, or with all_sessions), in id order.
    Building and compiling Rasa's ORM query again for every message cost more than running it."""
    key = "_kvisa_events_statement_all" if all_sessions else "_kvisa_events_statement"
    statement = store.__dict__.get(key)
    if statement is None:
        table = store.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        statement = sa.select(table.c.data).where(table.c.sender_id == sender).order_by(table.c.id)
        if not all_sessions:
            start = (sa.select(sa.func.max(table.c.timestamp))
                     .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
                     .scalar_subquery())
            statement = statement.where(sa.or_(table.c.timestamp >= start, start.is_(None)))
        store.__dict__[key] = statement
    return statement


async def _retrieve(self: SQLTrackerStore, sender_id: Text, fetch_events_from_all_sessions: bool) -> Any:
    # Rasa's _retrieve, with a statement built once and reading only the `data` column
    with self.session_scope() as session:
        rows = session.execute(_events_statement(self, fetch_events_from_all_sessions),
                               {"sender_id": sender_id}).all()
        events = [json.loads(data) for (data,) in rows]
    if not (self.domain and events):
        return None
    tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    if not fetch_events_from_all_sessions:
        # the events of the latest session, which is what Rasa's count would count
        setattr(tracker, STORED_EVENTS, len(tracker.events))
    return tracker


def _additional_events(self: SQLTrackerStore, session: Any, tracker: Any) -> Any:
    stored = getattr(tracker, STORED_EVENTS, None)
    if stored is None or stored > len(tracker.events):
        return _original_additional_events(self, session, tracker)
    return itertools.islice(tracker.events, stored, len(tracker.events))


async def _save(self: SQLTrackerStore, tracker: Any) -> None:
    # Rasa's save, with one multi-row INSERT instead of an ORM object per new event
    await self.stream_events(tracker)
    with self.session_scope() as session:
        rows = []
        for event in self._additional_events(session, tracker):
            data = event.as_dict()
            rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                         "timestamp": data.get("timestamp"),
                         "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                         "action_name": data.get("name"), "data": _dumps(data)})
        if rows:
            session.execute(self.SQLEvent.__table__.insert(), rows)
        session.commit()
    setattr(tracker, STORED_EVENTS, len(tracker.events))  # only once the new events are committed


_INTENT_PAYLOAD = re.compile(r'^/[\w-]+\{\s*"[^\n]*\}\s*$')
_original_interpolate_text = interpolator.interpolate_text


def _interpolate_text(response: Any, values: Dict[Text, Text]) -> Any:
    if isinstance(response, str) and _INTENT_PAYLOAD.match(response):
        return response  # what Rasa returns for it, after logging its KeyError
    return _original_interpolate_text(response, values)


_original_rule_key_to_state = RulePolicy._rule_key_to_state
_rule_key_to_state = functools.lru_cache(maxsize=None)(_original_rule_key_to_state)


_original_run_graph = DaskGraphRunner.run


def _plan(runner: DaskGraphRunner, targets: tuple) -> list:
    """The nodes the targets need, each after its parents: [(node name, names of its needs)]."""
    plans = runner.__dict__.setdefault("_kvisa_plans", {})
    if targets not in plans:
        schema = runner._graph_schema.minimal_graph_schema(list(targets))
        order: list = []
        placed: set = set()

        def place(name: Text, path: tuple = ()) -> None:
            if name in placed or name not in schema.nodes:
                return
            if name in path:
                raise GraphRunError(f"The graph has a cycle through '{name}'.")
            for need in schema.nodes[name].needs.values():
                place(need, path + (name,))
            placed.add(name)
            order.append((name, list(schema.nodes[name].needs.values())))

        for target in targets:
            place(target)
        plans[targets] = order
    return plans[targets]


def _run_graph(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
               targets: Optional[list] = None) -> Dict[Text, Any]:
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    plan = _plan(self, run_targets)
    values: Dict[Text, Any] = {}
    if inputs:
        nodes = {name for name, _ in plan}
        for name, value in inputs.items():
            if isinstance(value, str) and value in nodes:
                self._add_inputs_to_graph({name: value}, {n: None for n in nodes})  # Rasa's own error
            values[name] = (name, value)
    try:
        for name, needs in plan:
            values[name] = self._instantiated_nodes[name](*(values.get(need, need) for need in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[t] for t in run_targets)


def install() -> None:
    if getattr(RemoteAction._validate_action_result, "compiled_once", False):
        return
    _validate_action_result.compiled_once = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    SpacyNLP.load_model = staticmethod(_load_spacy_once)
    DaskGraphRunner.run = _run_graph
    RulePolicy._rule_key_to_state = staticmethod(_rule_key_to_state)
    interpolator.interpolate_text = _interpolate_text
    EndpointConfig.session = _session
    SQLTrackerStore._retrieve = _retrieve
    SQLTrackerStore._additional_events = _additional_events
    SQLTrackerStore.save = _save
