"""A long self-introduction is a request to be checked, not an FAQ question the selector cannot place.

People often describe their whole profile in one message ("29, BSc in physics from Makerere, MSc in Leeds,
can I apply?"). The intent classifier then often says "faq" while the FAQ selector is unsure which question
is meant (topic confidence far below its usual level), and the user got an unrelated FAQ answer first. This
component, placed after the ResponseSelector, turns such a message into `check_eligibility` when the
profile reader (kvisa.profile) finds at least `min_facts` facts in it (age, each degree, its field, its
institution) and the selector's confidence is below `max_topic_confidence`. A clear FAQ question keeps its
answer, however many facts it mentions. Both numbers are set in config.yml.

It also reconsiders a statement of facts the classifier is unsure about ("age 32", "Kỹ sư điện, Đại học Bách
khoa Hà Nội"): when no intent reaches `unsure_below` (the fallback threshold), the message asks nothing and the
profile reader finds a fact in it, it is `inform` (facts given), with `statement_confidence`, instead of a
"sorry, I didn't understand"."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from kvisa.datafiles import data
from kvisa.profile import extract_profile, field_named_in
from kvisa.text import looks_like_a_question

RETRIEVAL_INTENT = "faq"


def fact_count(text: Text) -> int:
    """Age, each degree, and each degree's field and institution, as kvisa.profile reads them; teaching or
    research work; a field named without a degree ("my field is agronomy")."""
    profile = extract_profile(text)
    count = (profile.age is not None) + sum(1 + (d.field is not None) + (d.institution is not None)
                                            for d in profile.degrees) + profile.teaching_or_research
    if not any(d.field for d in profile.degrees) and field_named_in(text):
        count += 1
    return count


@lru_cache(maxsize=None)
def _request_words() -> re.Pattern:
    words = sorted((str(w).lower() for w in data("people")["asks_to_be_checked"]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")", re.IGNORECASE)


def asks_to_be_checked(text: Text) -> bool:
    """'check my profile', 'am I eligible', 'kindly advise', 'puedo aplicar' (kvisa/data/people.yml)."""
    return bool(_request_words().search(text or ""))


def topic_confidence(message: Message) -> Optional[float]:
    response = ((message.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
    return response.get("confidence")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ProfileOverUnsureFaq(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_facts": 3, "max_topic_confidence": 0.3, "intent": "check_eligibility",
                "unsure_below": 0.45, "ambiguity_below": 0.05, "statement_intent": "inform",
                "statement_confidence": 0.6}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.min_facts = int(config["min_facts"])
        self.max_topic_confidence = float(config["max_topic_confidence"])
        self.intent = config["intent"]
        self.unsure_below = float(config["unsure_below"])
        self.ambiguity_below = float(config["ambiguity_below"])
        self.statement_intent = config["statement_intent"]
        self.statement_confidence = float(config["statement_confidence"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ProfileOverUnsureFaq":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._reconsider(message)
            self._reconsider_unsure_statement(message)
            self._statement_or_request(message)
        return messages

    def _unsure(self, message: Message) -> bool:
        """No intent reaches the fallback threshold, or the first two are as close as the fallback's ambiguity."""
        ranking = [r.get("confidence", 0.0) for r in message.get(INTENT_RANKING_KEY) or []]
        top = (message.get(INTENT) or {}).get("confidence", 1.0)
        return top < self.unsure_below or (len(ranking) > 1 and ranking[0] - ranking[1] < self.ambiguity_below)

    def _statement_or_request(self, message: Message) -> None:
        """Between the two intents that start the check, the words decide: a fact or two given without a question
        or a request are `inform`; a message that asks ("can I apply?", "check for my son") is
        `check_eligibility`."""
        intent = message.get(INTENT) or {}
        text = message.get(TEXT) or ""
        asks = looks_like_a_question(text) or asks_to_be_checked(text)
        # a whole profile without a question is still a profile given to be checked
        if intent.get("name") == self.intent and not asks and 1 <= fact_count(text) < self.min_facts:
            self._choose(message, self.statement_intent)
        elif intent.get("name") == self.statement_intent and asks:
            self._choose(message, self.intent)

    @staticmethod
    def _choose(message: Message, name: Text) -> None:
        """`name` takes the first place and its confidence; the intent it replaces takes name's old one (a swap,
        so that the fallback classifier after this one sees a clear first choice, not two equal ones)."""
        intent = message.get(INTENT) or {}
        ranking = message.get(INTENT_RANKING_KEY) or []
        before = next((r.get("confidence", 0.0) for r in ranking if r.get("name") == name), 0.0)
        chosen = {"name": name, "confidence": intent.get("confidence", 1.0)}
        demoted = {"name": intent.get("name"), "confidence": before}
        others = [r for r in ranking if r.get("name") not in (name, intent.get("name"))]
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, sorted([chosen, demoted, *others], key=lambda r: -r["confidence"]),
                    add_to_output=True)

    def _reconsider_unsure_statement(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        text = message.get(TEXT) or ""
        if not intent or not self._unsure(message):
            return
        facts = fact_count(text)
        if facts < 1:
            return
        # a whole profile with a question the classifier cannot place ("naci en 1983 y tengo maestria en
        # estadistica por la PUC de Chile. aplica para mi?") asks to be checked; fewer facts, no question: facts given
        asks = looks_like_a_question(text) or asks_to_be_checked(text)
        if asks and facts < self.min_facts:
            return
        name = self.intent if asks else self.statement_intent
        chosen = {"name": name, "confidence": self.statement_confidence}
        others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)

    def _reconsider(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        if intent.get("name") != RETRIEVAL_INTENT:
            return
        confidence = topic_confidence(message)
        if confidence is None or confidence >= self.max_topic_confidence:
            return
        if fact_count(message.get(TEXT) or "") < self.min_facts:
            return
        self._choose(message, self.intent)
