"""Two pieces of waste in Rasa 3.6's server, removed without changing what Rasa does (sampled with py-spy
under load; issue "Fast and light"):

- Every action-server response is validated with jsonschema.validate(), which first checks the schema itself
  against jsonschema's meta-schema and builds a new validator: on every call. Here the schema is checked and
  the validator built once; the response is validated the same way (the same best-matching error, with
  Rasa's own note added).
- Every stored event read back from the tracker store is turned into its class by walking all subclasses of
  Event (Event.resolve_by_type). Here the classes are looked up by type name in a table, rebuilt whenever a
  name is not in it (so an Event class defined later is still found); unknown names behave as before.
- Every save of a tracker to the SQL store first counts the conversation's stored events (a query with a
  subquery, about a tenth of the server's CPU under load) to know which events are new. A tracker read from
  the store knows how many it was read with: that number is kept on it, and moved on after each save; a tracker
  the store did not read (a new conversation) is counted as before. One conversation is handled by one turn at
  a time (the lock store), so nothing else writes its events between the read and the save.
- The model's graph holds two SpacyNLP nodes (the one that provides the pipeline and the one that runs it),
  and each loads the spaCy pipeline from disk: twice the memory (about 130 MB here) and the time. Here the
  pipeline is loaded once per name and shared; it is only read.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, Optional, Text, Type

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
import itertools

from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses


@functools.lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    # jsonschema.validate(result, schema), minus checking the schema and building the validator each time
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


STORED_EVENTS = "_kvisa_events_in_store"  # on a tracker: how many of its events the SQL store holds
_original_retrieve = SQLTrackerStore._retrieve
_original_additional_events = SQLTrackerStore._additional_events
_original_save = SQLTrackerStore.save


async def _retrieve(self: SQLTrackerStore, sender_id: Text, fetch_events_from_all_sessions: bool) -> Any:
    tracker = await _original_retrieve(self, sender_id, fetch_events_from_all_sessions)
    if tracker is not None and not fetch_events_from_all_sessions:
        # the events of the latest session, which is what Rasa's count would count
        setattr(tracker, STORED_EVENTS, len(tracker.events))
    return tracker


def _additional_events(self: SQLTrackerStore, session: Any, tracker: Any) -> Any:
    stored = getattr(tracker, STORED_EVENTS, None)
    if stored is None or stored > len(tracker.events):
        return _original_additional_events(self, session, tracker)
    return itertools.islice(tracker.events, stored, len(tracker.events))


async def _save(self: SQLTrackerStore, tracker: Any) -> None:
    await _original_save(self, tracker)
    if getattr(tracker, STORED_EVENTS, None) is not None:
        setattr(tracker, STORED_EVENTS, len(tracker.events))  # only once the new events are committed


def install() -> None:
    if getattr(RemoteAction._validate_action_result, "compiled_once", False):
        return
    _validate_action_result.compiled_once = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    SpacyNLP.load_model = staticmethod(_load_spacy_once)
    SQLTrackerStore._retrieve = _retrieve
    SQLTrackerStore._additional_events = _additional_events
    SQLTrackerStore.save = _save
