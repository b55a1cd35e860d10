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


def ranked(text, first, second, confidence=0.7):
    message = Message(data={"text": text})
    message.set("intent", {"name": first, "confidence": confidence})
    message.set("intent_ranking", [{"name": first, "confidence": confidence}, {"name": second, "confidence": 0.2}])
    return component.process([message])[0]


@pytest.mark.parametrize("text,first,second,expected", [
    ("26 yrs old", "check_eligibility", "inform", "inform"),  # a fact, no question, no request
    ("I have a master in chemistry, am I eligible", "inform", "check_eligibility", "check_eligibility"),
    ("mi hijo tiene 25 años, puedo aplicar por él", "inform", "check_eligibility", "check_eligibility"),
    # a whole profile without a question is a profile given to be checked
    ("29, PhD in physics from ETH Zurich", "check_eligibility", "inform", "check_eligibility"),
    ("check my eligibility please", "check_eligibility", "inform", "check_eligibility"),  # no fact at all
])
def test_a_statement_or_a_request(text, first, second, expected):
    message = ranked(text, first, second)
    assert message.get("intent") == {"name": expected, "confidence": 0.7}
    assert [r["name"] for r in message.get("intent_ranking")][0] == expected


def test_two_intents_as_close_as_the_fallbacks_ambiguity_count_as_unsure():
    message = Message(data={"text": "age 32"})
    message.set("intent", {"name": "greet", "confidence": 0.5})
    message.set("intent_ranking", [{"name": "greet", "confidence": 0.5}, {"name": "thank", "confidence": 0.48}])
    assert component.process([message])[0].get("intent") == {"name": "inform", "confidence": 0.6}


@pytest.mark.parametrize("text,expected", [
    ("naci en 1983 y tengo maestria en estadistica por la PUC de Chile. aplica para mi?", "check_eligibility"),
    ("ok so i work as a research assistant at a lab in Pune", "inform"),  # the teaching or research route
    ("my field is agronomy", "inform"),  # a field named without a degree
])
def test_what_an_unsure_message_with_facts_is(text, expected):
    assert unsure(text).get("intent") == {"name": expected, "confidence": 0.6}


def test_the_profile_reader_counts_teaching_and_a_field_without_a_degree():
    assert fact_count("I am a lecturer at a university") == 1
    assert fact_count("my field is agronomy") == 1
