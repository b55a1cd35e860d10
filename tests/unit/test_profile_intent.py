"""kvisa_nlu/profile_intent.py: a message describing a profile that the FAQ selector cannot place becomes a
request to be checked; a clear FAQ question, or one with few facts, keeps its FAQ answer."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from kvisa_nlu.profile_intent import ProfileOverUnsureFaq, fact_count

PROFILE = "I'm 31, BSc in physics from Makerere University and an MSc in data science from Leeds, can I apply?"
component = ProfileOverUnsureFaq(ProfileOverUnsureFaq.get_default_config())


def parsed(text, intent="faq", topic_confidence=0.1):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.99})
    message.set("intent_ranking", [{"name": intent, "confidence": 0.99}, {"name": "check_eligibility",
                                                                          "confidence": 0.01}])
    message.set("response_selector", {"faq": {"response": {"confidence": topic_confidence,
                                                           "intent_response_key": "faq/documents"}}})
    return component.process([message])[0]


def test_the_profile_reader_counts_age_degrees_fields_and_institutions():
    assert fact_count(PROFILE) == 7
    assert fact_count("what documents do I need?") == 0


def test_a_profile_the_selector_cannot_place_is_a_request_to_be_checked():
    message = parsed(PROFILE)
    assert message.get("intent")["name"] == "check_eligibility"
    assert message.get("intent_ranking")[0]["name"] == "check_eligibility"
    ranking = [(r["name"], r["confidence"]) for r in message.get("intent_ranking")]
    assert ranking == [("check_eligibility", 0.99), ("faq", 0.01)]  # swapped: a clear first choice


@pytest.mark.parametrize("text, intent, confidence", [
    (PROFILE, "faq", 0.8),  # the selector is sure: the FAQ answer stays
    ("I'm 29, what documents do I need?", "faq", 0.1),  # one fact only
    (PROFILE, "check_eligibility", 0.1),  # not an FAQ at all
    (PROFILE, "what_if", 0.1),
])
def test_other_messages_keep_their_intent(text, intent, confidence):
    assert parsed(text, intent, confidence).get("intent")["name"] == intent


def unsure(text, top="faq", confidence=0.3):
    message = Message(data={"text": text})
    message.set("intent", {"name": top, "confidence": confidence})
    message.set("intent_ranking", [{"name": top, "confidence": confidence}, {"name": "inform", "confidence": 0.2}])
    return component.process([message])[0]


@pytest.mark.parametrize("text", ["age 32", "Ingeniero Civil, Universidad de Chile", "my master is in physics"])
def test_an_unsure_statement_of_facts_is_facts_given(text):
    message = unsure(text)
    assert message.get("intent") == {"name": "inform", "confidence": 0.6}
    assert [r["name"] for r in message.get("intent_ranking")] == ["inform", "faq"]


@pytest.mark.parametrize("text,confidence", [
    ("age 32", 0.9),  # the classifier is sure
    ("is 32 too old?", 0.3),  # a question
    ("hmm not sure", 0.3),  # no fact
])
def test_other_unsure_messages_are_left_as_they_are(text, confidence):
    assert unsure(text, confidence=confidence).get("intent") == {"name": "faq", "confidence": confidence}
