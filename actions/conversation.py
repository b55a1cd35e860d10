"""Actions around the form: why a question is asked, starting the check over, and routing statements."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import kvisa
from actions.common import latest_text, requested_slot
from actions.profile_slots import FOR_SOMEONE_ELSE, PENDING, PROFILE, form_values

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
        return [SlotSet(name, None) for name in kvisa.CRITERIA] + [SlotSet(PROFILE, None),
                                                                   SlotSet("failed_attempts", None),
                                                                   SlotSet(PENDING, None),
                                                                   SlotSet(FOR_SOMEONE_ELSE, None)]


class ActionStopEligibilityForm(Action):
    """'stop' while the form asks: no more questions, and a what-if waiting for an answer is dropped."""

    def name(self) -> Text:
        return "action_stop_eligibility_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_stopped")
        return [SlotSet(PENDING, None)]


def stated_facts(text: str) -> int:
    """How many of the four facts a message states about the applicant."""
    values = form_values(kvisa.extract_profile(text))
    return sum(1 for name in kvisa.CRITERIA if values.get(name))


class ActionRouteDetails(Action):
    """The user stated something about themselves outside a form ("I have a PhD in physics", "I want to start
    a company there"): start the eligibility check, or the Z-visa advice, or say what the assistant can do."""

    def name(self) -> Text:
        return "action_route_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        text = latest_text(tracker)
        if stated_facts(text):
            return [FollowupAction("eligibility_form")]
        purpose = kvisa.parse_purpose(text)
        if purpose.purpose:
            return [SlotSet("purpose", purpose.purpose), FollowupAction("purpose_form")]
        dispatcher.utter_message(response="utter_fallback")
        return []


PROFILE_FACTS_FOR_A_CHECK = 2  # this many of age/degree/field/institution in an FAQ question: check their case too
SECOND_TOPIC_MIN_CONFIDENCE = 0.15  # the runner-up topic of a two-question message must be at least this likely
_QUESTION_START = re.compile(
    r"(?:\?|\.|;|\band\b|\balso\b|\bplus\b)\s*(?:also\s+|and\s+)?(?:how|what|when|where|which|who|why|can|could|do|does|"
    r"is|are|will|would|should|must|may|any|pls|please)\b", re.IGNORECASE)


def asks_two_questions(text: str) -> bool:
    """'How much is it and how long does it take?': a second question starts after the first one."""
    text = " ".join(str(text or "").split())
    return text.count("?") >= 2 or bool(_QUESTION_START.search(text[8:]))


def second_topic(tracker: Tracker) -> Optional[str]:
    """The runner-up FAQ topic of a two-question message, when the selector found it likely enough."""
    message = tracker.latest_message or {}
    if not asks_two_questions(message.get("text") or ""):
        return None
    selector = (message.get("response_selector") or {}).get("faq") or {}
    first = ((selector.get("response") or {}).get("intent_response_key"))
    for item in (selector.get("ranking") or [])[:2]:
        key = item.get("intent_response_key")
        if key and key != first and float(item.get("confidence") or 0) >= SECOND_TOPIC_MIN_CONFIDENCE:
            return key
    return None


FAQ_BESIDE_ANOTHER_INTENT_MIN_CONFIDENCE = 0.5


def faq_beside_another_intent(tracker: Tracker) -> Optional[str]:
    """'Am I eligible, and do I need Mandarin?': a message of another intent that also asks an FAQ question;
    the selector's topic for it, when it is confident."""
    message = tracker.latest_message or {}
    if not asks_two_questions(message.get("text") or ""):
        return None
    selector = (message.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key")
    if key and float(response.get("confidence") or 0) >= FAQ_BESIDE_ANOTHER_INTENT_MIN_CONFIDENCE:
        return key
    return None


class ActionAfterFaq(Action):
    """After the FAQ answer: a second question in the same message gets its answer too; and an FAQ question
    that also described the asker ("I'm 41 with a PhD in chemistry, is 45 the limit?") gets their own check."""

    def name(self) -> Text:
        return "action_after_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        second = second_topic(tracker)
        if second:
            dispatcher.utter_message(response="utter_also_asked")
            dispatcher.utter_message(response=f"utter_{second}")
        if stated_facts(latest_text(tracker)) < PROFILE_FACTS_FOR_A_CHECK:
            return []
        dispatcher.utter_message(response="utter_check_your_case")
        return [FollowupAction("eligibility_form")]
