"""Runs the eligibility form: every message is read once by kvisa into a profile; the form asks for what is
still missing, and an answer it cannot use gets a precise re-ask."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

import kvisa
from actions.common import echo, latest_text, requested_slot
from actions.profile_slots import (ANSWER_INTENTS, FOR_SOMEONE_ELSE, PENDING, PROFILE, form_values, merge,
                                   slot_events, stored_profile)
from actions.verdict import assessed_profile
from kvisa.text import looks_like_a_question


SUMMARY = {
    "age": lambda value: f"age {value}",
    "degree": lambda value: kvisa.level_label(value) if value not in (kvisa.UNCLEAR, "") else "your degree",
    "field": lambda value: str(value),
    "institution": lambda value: "an institution not on our list" if value == kvisa.UNLISTED else str(value),
}
FAILURES_BEFORE_OFFER = 2  # after this many unusable answers in a row, offer to skip or stop
FAILURES_BEFORE_MOVING_ON = 3  # after this many, the eligibility form leaves the question open and goes on
FAILED_ATTEMPTS = "failed_attempts"
INVALID_RESPONSE = {"degree": "utter_invalid_degree", "field": "utter_invalid_field",
                    "institution": "utter_invalid_institution"}


_NOT_ANSWERS = {"greet", "goodbye", "thank", "bot_challenge", "help", "stop", "ask_why", "start_over", "affirm",
                "deny"}


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


class FailureCountingValidator:
    """Mixin for form validators: counts repeated failures of the question being asked, then offers a way out.
    (Not an Action itself, so the action server does not register it.)"""

    failures_before_moving_on = 10 ** 9  # a form that can go on without the answer lowers this

    def _reject(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, response: str,
                **values: Any) -> Dict[Text, Any]:
        dispatcher.utter_message(response=response, **values)
        if requested_slot(tracker) != slot:
            return {slot: None}
        counts = dict(tracker.get_slot(FAILED_ATTEMPTS) or {})
        counts[slot] = counts.get(slot, 0) + 1
        if FAILURES_BEFORE_OFFER <= counts[slot] < self.failures_before_moving_on:
            dispatcher.utter_message(response="utter_offer_skip")
        return {slot: None, FAILED_ATTEMPTS: counts}

    def _accept(self, slot: str, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        result: Dict[Text, Any] = {slot: value}
        counts = dict(tracker.get_slot(FAILED_ATTEMPTS) or {})
        if requested_slot(tracker) == slot and counts.get(slot):
            counts.pop(slot)
            result[FAILED_ATTEMPTS] = counts
        return result

    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                  read, response: str, **values: Any) -> Dict[Text, Any]:
        if value is None:
            return {slot: None}
        if str(value).strip().lower() == kvisa.SKIPPED:
            return self._accept(slot, kvisa.SKIPPED, tracker)
        accepted = read(str(value))
        if accepted is not None:
            return self._accept(slot, accepted, tracker)
        return self._reject(slot, dispatcher, tracker, response, answer=echo(value), **values)


class ValidateEligibilityForm(FailureCountingValidator, FormValidationAction):
    failures_before_moving_on = FAILURES_BEFORE_MOVING_ON

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """As FormValidationAction.run, but keeps the events for slots outside the form (the profile, the
        failure counts), which the base class drops."""
        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        validation = await self._extract_validation_events(dispatcher, tracker, domain)
        validated = {e.get("name") for e in validation if e.get("event") == "slot"}
        return [e for e in extraction if e.get("name") not in validated] + validation

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        """Reads the latest message into the profile (all facts it states, and a bare answer to the question
        asked), and says what was understood, what is noted and what cannot be used."""
        from rasa_sdk.events import SlotSet

        asked = requested_slot(tracker)
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        if asked is None and tracker.get_slot(PENDING) == text:
            return []  # the form starts for a what-if: its facts are hypothetical, not the user's answers
        before = stored_profile(tracker)
        # While a question is open, a statement is an answer whatever the classifier made of it ("Faculdade X,
        # a small private faculdade" can look like a question about renowned universities).
        answering = intent in ANSWER_INTENTS or (asked in kvisa.CRITERIA and intent not in _NOT_ANSWERS
                                                 and not looks_like_a_question(text))
        if intent == "skip" and asked in kvisa.CRITERIA:
            new = kvisa.Profile(skipped=(asked,))
        else:
            new = kvisa.answer_profile(text, asked if answering else None)
        profile = merge(before, new)
        values = slot_events(profile)
        updates: Dict[str, Any] = {PROFILE: values[PROFILE]}
        old_values = form_values(before)
        for name in kvisa.CRITERIA:
            if values[name] != old_values.get(name):
                updates[name] = values[name]
        # the questions say "they" instead of "you" when the profile is someone else's (domain/core.yml)
        if bool(profile.applicant) != bool(tracker.get_slot(FOR_SOMEONE_ELSE)):
            updates[FOR_SOMEONE_ELSE] = bool(profile.applicant)
        if asked is None:  # the form starts: a second question in the same message is answered first
            from actions.conversation import faq_beside_another_intent
            also = faq_beside_another_intent(tracker)
            if also:
                dispatcher.utter_message(response=f"utter_{also}")
        self._notes(dispatcher, tracker, before, profile, new, asked)
        # "am I eligible?" again while a question is open is not a wrong answer: the rules say "let's carry on"
        if asked in kvisa.CRITERIA and answering and intent != "check_eligibility" and values.get(asked) is None:
            understood_other = any(values[n] != old_values.get(n) for n in kvisa.CRITERIA if n != asked)
            updates.update(self._cannot_use(asked, text, new, profile, understood_other, dispatcher, tracker))
        elif asked in kvisa.CRITERIA and values.get(asked) is not None:
            updates.update({k: v for k, v in self._accept(asked, values[asked], tracker).items() if k != asked})
        if profile == before and set(updates) == {PROFILE}:
            # Nothing in this message for the form ("what is the age limit?", "why do you ask?"): no event, so
            # that Rasa rejects the form and the rules answer the interruption, then come back to the question.
            return []
        return [SlotSet(k, v) for k, v in updates.items()]

    def _cannot_use(self, asked: str, text: str, new: kvisa.Profile, profile: kvisa.Profile,
                    understood_other: bool, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        if understood_other:
            return {}  # the message said other things (a side remark, a correction), acknowledged: no error
        if asked == "degree" and any(d.in_progress for d in new.degrees):
            if any(d.in_progress for d in stored_profile(tracker).degrees):
                # Said again: nothing is completed yet. The form goes on; the verdict explains that a degree in
                # progress does not count yet.
                return {"degree": kvisa.SKIPPED}
            dispatcher.utter_message(response="utter_degree_in_progress_which_completed")
            return {}
        if asked == "age":
            parsed = kvisa.parse_age(text)
            number = parsed.raw_number
            shown = int(number) if number is not None and float(number).is_integer() else number
            problem = parsed.problem or "no_number"
            response, values = f"utter_invalid_age_{problem}", {"number": shown}
        else:
            response, values = INVALID_RESPONSE[asked], {}
        result = self._reject(asked, dispatcher, tracker, response, answer=echo(text), **values)
        counts = result.get(FAILED_ATTEMPTS) or {}
        if counts.get(asked, 0) >= self.failures_before_moving_on:
            # Asking a fourth time would only go round in circles: leave the question open, as a skip, and go on.
            dispatcher.utter_message(response="utter_moving_on")
            events = slot_events(merge(profile, kvisa.Profile(skipped=(asked,))))
            events[FAILED_ATTEMPTS] = {k: v for k, v in counts.items() if k != asked}
            return events
        return {k: v for k, v in result.items() if k != asked}

    @staticmethod
    def _notes(dispatcher: CollectingDispatcher, tracker: Tracker, before: kvisa.Profile, after: kvisa.Profile,
               new: kvisa.Profile, asked: Optional[str]) -> None:
        old, now = form_values(before), form_values(after)
        changed = [name for name in kvisa.CRITERIA if now.get(name) and now[name] != old.get(name)
                   and now[name] != kvisa.SKIPPED]
        if new.applicant and not before.applicant:
            dispatcher.utter_message(response="utter_note_for_someone_else", who=new.applicant)
        if after.age is not None and "age" in changed:
            criterion = kvisa.assess(after).criterion("age")
            if after.age_note:
                dispatcher.utter_message(response="utter_note_age_read_as", age=after.age, note=after.age_note)
            if criterion.result == kvisa.Result.UNCERTAIN:
                dispatcher.utter_message(response="utter_note_age_uncertain", reason=criterion.reason)
        chosen = kvisa.best_degree(after)
        if asked == "field" and "field" in changed:
            typed = kvisa.parse_field(latest_text(tracker))
            if typed.fuzzy and typed.name == now["field"]:
                dispatcher.utter_message(response="utter_note_understood_as", answer=echo(latest_text(tracker)),
                                         name=typed.name)
        if "field" in changed and chosen is not None and chosen.field:
            parsed = kvisa.parse_field(chosen.field)
            if parsed.status == "borderline":
                dispatcher.utter_message(response="utter_note_field_borderline", name=parsed.name)
        if "institution" in changed and now.get("institution") == kvisa.UNLISTED:
            shown = chosen.institution_text if chosen is not None and chosen.institution_text else "this institution"
            dispatcher.utter_message(response="utter_note_institution_unlisted", name=echo(shown))
        for d in new.degrees:
            if d.in_progress:
                dispatcher.utter_message(response="utter_note_in_progress", degree=kvisa.describe_degree(d))
        if any(d.online for d in new.degrees):
            dispatcher.utter_message(response="utter_note_online")
        still_missing = [name for name in kvisa.CRITERIA if now.get(name) is None]
        volunteered = [name for name in changed if name != asked]
        if still_missing and (len(changed) >= 2 or volunteered):
            shown = [SUMMARY[name](now[name]) for name in kvisa.CRITERIA if name in changed]
            dispatcher.utter_message(response="utter_noted", facts=", ".join(shown))

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        """Once an official condition is clearly not met (degree below bachelor's, a non-STEM field), the
        remaining questions cannot change the outcome: stop asking and give the verdict."""
        asked = [name for name in domain_slots if tracker.get_slot(name) is not None]
        if tracker.get_slot(PENDING):
            # A what-if waits for the facts it lacks: ask only those.
            verdict = kvisa.assess(assessed_profile(tracker))
            missing = {c.criterion for c in verdict.criteria if c.result is kvisa.Result.MISSING}
            return [name for name in domain_slots if name in asked or name in missing]
        verdict = kvisa.assess(stored_profile(tracker))
        final = {kvisa.Reason.DEGREE_BELOW_MINIMUM, kvisa.Reason.FIELD_NOT_STEM}  # not "a degree in progress"
        if any(c.result is kvisa.Result.NOT_MET and c.reason_code in final for c in verdict.criteria):
            return asked
        return domain_slots
