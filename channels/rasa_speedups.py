"""Two pieces of waste in Rasa 3.6's server, removed without changing what Rasa does (sampled with py-spy
under load; issue "Fast and light"):

- Every action-server response is validated with jsonschema.validate(), which first checks the schema itself
  against jsonschema's meta-schema and builds a new validator: on every call. Here the schema is checked and
  the validator built once; the response is validated the same way (the same best-matching error, with
  Rasa's own note added).
- Every stored event read back from the tracker store is turned into its class by walking all subclasses of
  Event (Event.resolve_by_type). Here the classes are looked up by type name in a table, rebuilt whenever a
  name is not in it (so an Event class defined later is still found); unknown names behave as before.
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
from rasa.core.actions.action import RemoteAction
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


def install() -> None:
    if getattr(RemoteAction._validate_action_result, "compiled_once", False):
        return
    _validate_action_result.compiled_once = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    SpacyNLP.load_model = staticmethod(_load_spacy_once)
