"""Z visa or K visa? Asks the purpose of the stay when unknown, then answers from kvisa.advice."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

import kvisa
from actions.common import echo
from actions.eligibility_form import FailureCountingValidator

CERTAINTY_NOTES = {"official": "official rules", "reported": "reported, not official"}


class ValidatePurposeForm(FailureCountingValidator, FormValidationAction):
    def name(self) -> Text:
        return "validate_purpose_form"

    def validate_purpose(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[Text, Any]:
        def read(text: str):
            found = kvisa.advice(text)
            return found.purpose if found else None

        return self._validate("purpose", value, dispatcher, tracker, read, "utter_invalid_purpose")


class ActionZVisaAdvice(Action):
    def name(self) -> Text:
        return "action_z_visa_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        found = kvisa.advice(tracker.get_slot("purpose"))
        if found is None or found.purpose == kvisa.SKIPPED:
            dispatcher.utter_message(response="utter_z_visa_general")
            return [SlotSet("purpose", None)]
        route = "Z visa with a work permit" if found.needs_work_permit else f"{found.visa} visa"
        dispatcher.utter_message(
            text=f"Your plan: {found.label}. The usual route: the {route}.\n\n{found.text}\n\n"
                 f"Source: {found.source} ({CERTAINTY_NOTES.get(found.certainty, found.certainty)}).")
        dispatcher.utter_message(response="utter_after_z_advice")
        # Forget the purpose: the next "do I need a Z visa?" may be about another plan.
        return [SlotSet("purpose", None)]
