"""Actions around the form: why a question is asked, and starting the check over."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import kvisa
from actions.common import requested_slot

EXPLAINED_SLOTS = set(kvisa.CRITERIA) | {"purpose"}


class ActionExplainWhy(Action):
    def name(self) -> Text:
        return "action_explain_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        slot = requested_slot(tracker)
        dispatcher.utter_message(response=f"utter_why_{slot}" if slot in EXPLAINED_SLOTS else "utter_why_general")
        return []


class ActionResetEligibility(Action):
    def name(self) -> Text:
        return "action_reset_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_reset")
        return [SlotSet(name, None) for name in kvisa.CRITERIA] + [SlotSet("failed_attempts", None)]
