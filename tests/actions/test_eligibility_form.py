"""The eligibility form validator: exact events and messages for good, bad and repeated answers."""
import pytest

from actions.eligibility_form import ValidateEligibilityForm
from tests.actions.conftest import make_tracker, responses, run_action, slot_sets

FORM = ValidateEligibilityForm()


def validate(requested, **candidates):
    text = candidates.pop("text", next(iter(candidates.values()), ""))
    entities = candidates.pop("entities", None)
    failed = candidates.pop("failed_attempts", None)
    tracker = make_tracker(slots={"requested_slot": requested, "failed_attempts": failed}, text=text,
                           entities=entities, slot_events=candidates)
    events, messages = run_action(FORM, tracker)
    return slot_sets(events), messages


@pytest.mark.parametrize("answer,stored", [("29", "29"), ("twenty-nine", "29"), ("I'm 31", "31")])
def test_age_is_normalised(answer, stored):
    slots, messages = validate("age", age=answer)
    assert slots["age"] == stored
    assert messages == []


@pytest.mark.parametrize("answer,response", [
    ("150", "utter_invalid_age_out_of_range"), ("banana", "utter_invalid_age_no_number"),
    ("I have 2 kids and 3 cats", "utter_invalid_age_ambiguous"),
])
def test_bad_age_is_rejected_with_a_specific_reask(answer, response):
    slots, messages = validate("age", age=answer)
    assert slots["age"] is None
    assert slots["failed_attempts"] == {"age": 1}
    assert responses(messages) == [response]


def test_out_of_range_message_names_the_number():
    _, messages = validate("age", age="150")
    assert messages[0]["number"] == 150


def test_age_above_reported_limit_is_kept_with_a_note():
    slots, messages = validate("age", age="52")
    assert slots["age"] == "52"
    assert responses(messages) == ["utter_note_age_uncertain"]
    assert "45" in messages[0]["reason"]


def test_second_failure_offers_skip_or_stop():
    slots, messages = validate("age", age="banana", failed_attempts={"age": 1})
    assert slots["failed_attempts"] == {"age": 2}
    assert responses(messages) == ["utter_invalid_age_no_number", "utter_offer_skip"]


def test_success_resets_the_failure_count():
    slots, _ = validate("age", age="30", failed_attempts={"age": 2})
    assert slots["age"] == "30" and slots["failed_attempts"] == {}


def test_skip_is_accepted():
    slots, messages = validate("age", age="skipped", text="/skip")
    assert slots["age"] == "skipped" and messages == []


@pytest.mark.parametrize("answer,level", [("PhD", "doctorate"), ("M.Sc.", "master"), ("bachelor", "bachelor"),
                                          ("below_bachelor", "below_bachelor")])
def test_degree_is_normalised(answer, level):
    slots, _ = validate("degree", degree=answer)
    assert slots["degree"] == level


def test_unknown_degree_is_reasked():
    slots, messages = validate("degree", degree="a certificate in origami")
    assert slots["degree"] is None and responses(messages) == ["utter_invalid_degree"]


def test_field_is_normalised_and_borderline_noted():
    slots, messages = validate("field", field="medicine")
    assert slots["field"] and responses(messages) == ["utter_note_field_borderline"]


def test_field_typo_is_understood_and_said():
    slots, messages = validate("field", field="phisics")
    assert slots["field"].lower().startswith("physics")
    assert "utter_note_understood_as" in responses(messages)


def test_unknown_field_is_reasked():
    slots, messages = validate("field", field="qwertyuiop")
    assert slots["field"] is None and responses(messages) == ["utter_invalid_field"]


def test_listed_institution_gets_its_canonical_name():
    slots, messages = validate("institution", institution="MIT")
    assert slots["institution"] == "Massachusetts Institute of Technology" and messages == []


def test_unlisted_institution_is_kept_with_a_note():
    slots, messages = validate("institution", institution="Springfield Institute of Applied Science")
    assert slots["institution"] == "Springfield Institute of Applied Science"
    assert responses(messages) == ["utter_note_institution_unlisted"]


def test_nonsense_institution_is_reasked():
    slots, messages = validate("institution", institution="asdfgh")
    assert slots["institution"] is None and responses(messages) == ["utter_invalid_institution"]


def test_several_details_in_one_message():
    text = "I'm 29 with a PhD in physics from ETH Zurich"
    slots, messages = validate("age", text=text, age="I'm 29", degree="PhD", field="physics",
                               institution="ETH Zurich",
                               entities={"age": "I'm 29", "degree": "PhD", "field": "physics", "institution": "ETH Zurich"})
    assert slots["age"] == "29" and slots["degree"] == "doctorate"
    assert slots["field"].lower().startswith("physics") and "ETH" in slots["institution"]
    assert messages == []


def test_correction_while_another_question_is_asked_is_not_an_error():
    """'sorry, I'm 31' while the form asks for the field: age changes, the field question just comes again."""
    text = "sorry, I'm 31"
    slots, messages = validate("field", text=text, age="I'm 31", field=text, entities={"age": "I'm 31"})
    assert slots["age"] == "31"
    assert slots["field"] is None
    assert responses(messages) == ["utter_noted"]  # the correction is acknowledged, not treated as a bad answer
    assert "failed_attempts" not in slots


def test_huge_answer_is_rejected_cleanly():
    slots, messages = validate("institution", institution="x" * 100_000)
    assert slots["institution"] is None
    assert len(messages[0]["answer"]) <= 60


def test_a_decisive_answer_ends_the_questions():
    """Degree below bachelor's: field and institution cannot change the outcome, so the form stops asking."""
    tracker = make_tracker(slots={"requested_slot": "degree", "age": "25"}, text="high school",
                           slot_events={"degree": "high school"})
    events, _ = run_action(FORM, tracker)
    assert slot_sets(events)["requested_slot"] is None


def test_an_open_outcome_keeps_asking():
    tracker = make_tracker(slots={"requested_slot": "degree", "age": "25"}, text="PhD", slot_events={"degree": "PhD"})
    events, _ = run_action(FORM, tracker)
    assert "requested_slot" not in slot_sets(events)  # Rasa's form asks the next missing question itself


def test_several_facts_are_acknowledged_before_the_next_question():
    text = "im 33 yo chemist, phd from univ of tokyo"
    tracker = make_tracker(slots={"requested_slot": None}, text=text, entities={"age": "33 yo", "degree": "phd"},
                           slot_events={"age": "33 yo", "degree": "phd"})
    events, messages = run_action(FORM, tracker)
    assert responses(messages) == ["utter_noted"]
    assert messages[0]["facts"] == "age 33, Doctorate (PhD or equivalent)"


def test_with_two_fields_the_one_after_the_degree_counts():
    text = "I have a PhD in physics and now I sell fashion online"
    entities = [{"entity": "degree", "value": "PhD", "start": 9, "end": 12},
                {"entity": "field", "value": "physics", "start": 16, "end": 23},
                {"entity": "field", "value": "fashion", "start": 39, "end": 46}]
    tracker = make_tracker(slots={"requested_slot": None}, text=text, slot_events={"field": "fashion"})
    tracker.latest_message["entities"] = entities
    events, _ = run_action(FORM, tracker)
    assert slot_sets(events)["field"].lower().startswith("physics")


def test_a_correction_while_another_question_is_asked_is_acknowledged():
    tracker = make_tracker(slots={"requested_slot": "institution", "age": "29", "degree": "doctorate",
                                  "field": "Biology"},
                           text="actually I'm 30", entities={"age": "I'm 30"},
                           slot_events={"age": "I'm 30", "institution": "actually I'm 30"})
    events, messages = run_action(FORM, tracker)
    assert slot_sets(events)["age"] == "30" and slot_sets(events)["institution"] is None
    assert responses(messages) == ["utter_noted"] and messages[0]["facts"] == "age 30"


def test_a_plain_answer_is_not_repeated_back():
    _, messages = validate("age", age="29")
    assert messages == []
