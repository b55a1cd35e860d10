"""Actions around the form: why a question is asked, and starting the check over."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
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


class ActionRouteDetails(Action):
    """The user stated something about themselves outside a form ("I have a PhD in physics", "I want to start
    a company there"): start the eligibility check, or the Z-visa advice, or say what the assistant can do."""

    def name(self) -> Text:
        return "action_route_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        entities = {e.get("entity"): e.get("value") for e in (tracker.latest_message or {}).get("entities") or []}
        if any(name in entities for name in kvisa.CRITERIA):
            return [FollowupAction("eligibility_form")]
        if "purpose" in entities:
            return [SlotSet("purpose", entities["purpose"]), FollowupAction("purpose_form")]
        dispatcher.utter_message(response="utter_fallback")
        return []


PROFILE_FACTS_FOR_A_CHECK = 2  # this many of age/degree/field/institution in an FAQ question: check their case too


class ActionCheckProfileAfterFaq(Action):
    """An FAQ question that also describes the asker ("I'm 41 with a PhD in chemistry, is 45 the limit?"):
    after the general answer, check their own case with what they said."""

    def name(self) -> Text:
        return "action_check_profile_after_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        stated = {e.get("entity") for e in (tracker.latest_message or {}).get("entities") or []} & set(kvisa.CRITERIA)
        if len(stated) < PROFILE_FACTS_FOR_A_CHECK:
            return []
        dispatcher.utter_message(response="utter_check_your_case")
        return [FollowupAction("eligibility_form")]
