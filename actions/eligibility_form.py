"""Validates the eligibility form: each answer is read by kvisa, a bad one gets a precise re-ask."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

import kvisa
from actions.common import echo, latest_entities, latest_text, requested_slot

SUMMARY = {
    "age": lambda value: f"age {value}",
    "degree": lambda value: kvisa.level_label(value),
    "field": lambda value: str(value),
    "institution": lambda value: str(value),
}
FAILURES_BEFORE_OFFER = 2  # after this many unusable answers in a row, offer to skip or stop
FAILED_ATTEMPTS = "failed_attempts"


def field_of_the_degree(tracker: Tracker) -> Optional[str]:
    """Several fields in one message ("PhD in CS from MIT, now running an online shop for fashion"): the field
    of the degree is the one that follows the degree mention; Rasa's slot mapping would keep the last one."""
    entities = (tracker.latest_message or {}).get("entities") or []
    fields = [e for e in entities if e.get("entity") == "field" and e.get("start") is not None]
    if len(fields) < 2:
        return None
    degree_ends = [e["end"] for e in entities if e.get("entity") == "degree" and e.get("end") is not None]
    after_degree = [f for f in fields if any(0 <= f["start"] - end <= 12 for end in degree_ends)]
    chosen = after_degree[0] if after_degree else fields[0]
    return chosen.get("value")


class FailureCountingValidator:
    """Mixin for form validators: counts repeated failures of the question being asked, then offers a way out.
    (Not an Action itself, so the action server does not register it.)"""

    def _reject(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, response: str,
                **values: Any) -> Dict[Text, Any]:
        dispatcher.utter_message(response=response, **values)
        if requested_slot(tracker) != slot:
            return {slot: None}
        counts = dict(tracker.get_slot(FAILED_ATTEMPTS) or {})
        counts[slot] = counts.get(slot, 0) + 1
        if counts[slot] >= FAILURES_BEFORE_OFFER:
            dispatcher.utter_message(response="utter_offer_skip")
        return {slot: None, FAILED_ATTEMPTS: counts}

    def _accept(self, slot: str, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        result: Dict[Text, Any] = {slot: value}
        counts = dict(tracker.get_slot(FAILED_ATTEMPTS) or {})
        if requested_slot(tracker) == slot and counts.get(slot):
            counts.pop(slot)
            result[FAILED_ATTEMPTS] = counts
        return result

    @staticmethod
    def _is_side_remark(slot: str, value: Any, tracker: Tracker) -> bool:
        """The whole message landed in the asked slot, but it named other facts instead ("sorry, I'm 31"
        while we asked for the field): not an answer to this question, so no error message."""
        return (requested_slot(tracker) == slot and value == latest_text(tracker)
                and slot not in latest_entities(tracker) and bool(latest_entities(tracker)))

    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                  read: Callable[[str], Optional[Any]], response: str, **values: Any) -> Dict[Text, Any]:
        if value is None:
            return {slot: None}
        if str(value).strip().lower() == kvisa.SKIPPED:
            return self._accept(slot, kvisa.SKIPPED, tracker)
        accepted = read(str(value))
        if accepted is not None:
            return self._accept(slot, accepted, tracker)
        if self._is_side_remark(slot, value, tracker):
            return {slot: None}
        return self._reject(slot, dispatcher, tracker, response, answer=echo(value), **values)


class ValidateEligibilityForm(FailureCountingValidator, FormValidationAction):
    def name(self) -> Text:
        return "validate_eligibility_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        events = await super().run(dispatcher, tracker, domain)
        self._acknowledge(events, dispatcher, tracker)
        return events

    @staticmethod
    def _acknowledge(events, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Several facts in one message, or a fact we did not ask for (a correction): say what was understood
        before asking for the rest."""
        accepted = {e["name"]: e["value"] for e in events
                    if e.get("event") == "slot" and e.get("name") in kvisa.CRITERIA and e.get("value") is not None}
        answers = {name: tracker.get_slot(name) for name in kvisa.CRITERIA}
        answers.update(accepted)
        still_missing = [name for name in kvisa.CRITERIA if answers.get(name) is None]
        asked = tracker.get_slot("requested_slot")
        volunteered = [name for name in accepted if name != asked]  # e.g. "actually I'm 30" while asked the field
        if still_missing and (len(accepted) >= 2 or volunteered):
            shown = [SUMMARY[name](value) for name, value in accepted.items() if value != kvisa.SKIPPED]
            dispatcher.utter_message(response="utter_noted", facts=", ".join(shown))

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        """Once an official condition is clearly not met (degree below bachelor's, a non-STEM field), the
        remaining questions cannot change the outcome: stop asking and give the verdict."""
        answers = {name: tracker.get_slot(name) for name in kvisa.CRITERIA}
        if kvisa.assess(**answers).outcome is kvisa.Outcome.NOT_ELIGIBLE:
            return [name for name in domain_slots if answers.get(name) is not None]
        return domain_slots

    def validate_age(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> Dict[Text, Any]:
        if value is None or str(value).strip().lower() == kvisa.SKIPPED:
            return self._validate("age", value, dispatcher, tracker, lambda _: None, "")
        parsed = kvisa.parse_age(str(value))
        if parsed.value is None:
            if self._is_side_remark("age", value, tracker):
                return {"age": None}
            number = parsed.raw_number
            shown = int(number) if number is not None and float(number).is_integer() else number
            return self._reject("age", dispatcher, tracker, f"utter_invalid_age_{parsed.problem}",
                                answer=echo(value), number=shown)
        verdict = kvisa.assess(age=str(parsed.value)).criterion("age")
        if verdict.result == kvisa.Result.UNCERTAIN:
            dispatcher.utter_message(response="utter_note_age_uncertain", reason=verdict.reason)
        return self._accept("age", str(parsed.value), tracker)

    def validate_degree(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Dict[Text, Any]:
        def read(text: str) -> Optional[str]:
            return kvisa.parse_degree(text).level

        return self._validate("degree", value, dispatcher, tracker, read, "utter_invalid_degree")

    def validate_field(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        value = field_of_the_degree(tracker) or value
        def read(text: str) -> Optional[str]:
            parsed = kvisa.parse_field(text)
            if parsed.name is None:
                return None
            if parsed.fuzzy:
                dispatcher.utter_message(response="utter_note_understood_as", answer=echo(text), name=parsed.name)
            if parsed.status == "borderline":
                dispatcher.utter_message(response="utter_note_field_borderline", name=parsed.name)
            return parsed.name

        return self._validate("field", value, dispatcher, tracker, read, "utter_invalid_field")

    def validate_institution(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        def read(text: str) -> Optional[str]:
            parsed = kvisa.match_institution(text)
            if parsed.name is None:
                return None
            if parsed.fuzzy:
                dispatcher.utter_message(response="utter_note_understood_as", answer=echo(text), name=parsed.name)
            if not parsed.listed:
                dispatcher.utter_message(response="utter_note_institution_unlisted", name=echo(parsed.name))
            return parsed.name

        return self._validate("institution", value, dispatcher, tracker, read, "utter_invalid_institution")
