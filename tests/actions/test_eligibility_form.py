"""The eligibility form validator: exact events and messages for good, bad and repeated answers.

The four form slots have `custom` mappings: Rasa sends no slot candidates, and the validator reads the latest
message's text and intent through kvisa into the `profile` slot, then mirrors the deciding degree's ids into the
four slots (only those that changed)."""
import pytest

import kvisa
from actions.eligibility_form import ValidateEligibilityForm
from tests.actions.conftest import make_tracker, responses, run_action, slot_sets

FORM = ValidateEligibilityForm()


def validate(requested, text, intent="inform", failed_attempts=None, profile=None, **slots):
    """The form asking for `requested`, the user answering `text`; `profile` is what is already known."""
    known = dict(slots)
    if profile is not None:
        known["profile"] = profile.to_dict()
    tracker = make_tracker(slots={"requested_slot": requested, "failed_attempts": failed_attempts, **known},
                           text=text, intent=intent)
    events, messages = run_action(FORM, tracker)
    return slot_sets(events), messages


def stored(slots) -> kvisa.Profile:
    return kvisa.Profile.from_dict(slots["profile"])


def only_form_slots(slots) -> dict:
    """The slot events other than the profile (which the tests check through `stored`)."""
    return {k: v for k, v in slots.items() if k not in ("profile", "for_someone_else")}


@pytest.mark.parametrize("answer,value", [("29", "29"), ("twenty-nine", "29"), ("I'm 31", "31")])
def test_age_is_normalised(answer, value):
    slots, messages = validate("age", answer)
    assert only_form_slots(slots) == {"age": value}
    assert stored(slots) == kvisa.Profile(age=int(value))
    assert messages == []


@pytest.mark.parametrize("answer,response", [
    ("150", "utter_invalid_age_out_of_range"), ("banana", "utter_invalid_age_no_number"),
    ("I have 2 kids and 3 cats", "utter_invalid_age_ambiguous"),
])
def test_bad_age_is_rejected_with_a_specific_reask(answer, response):
    slots, messages = validate("age", answer)
    assert only_form_slots(slots) == {"failed_attempts": {"age": 1}}  # the age slot is not set at all
    assert stored(slots) == kvisa.Profile()
    assert responses(messages) == [response]


def test_out_of_range_message_names_the_number():
    _, messages = validate("age", "150")
    assert messages[0]["number"] == 150
    assert messages[0]["answer"] == "150"


def test_age_above_reported_limit_is_kept_with_a_note():
    slots, messages = validate("age", "52")
    assert only_form_slots(slots) == {"age": "52"}
    assert responses(messages) == ["utter_note_age_uncertain"]
    assert "45" in messages[0]["reason"]


def test_second_failure_offers_skip_or_stop():
    slots, messages = validate("age", "banana", failed_attempts={"age": 1})
    assert only_form_slots(slots) == {"failed_attempts": {"age": 2}}
    assert responses(messages) == ["utter_invalid_age_no_number", "utter_offer_skip"]


@pytest.mark.parametrize("asked,answer,response", [
    ("age", "banana", "utter_invalid_age_no_number"), ("degree", "a zorbl", "utter_invalid_degree"),
    ("institution", "asdfgh", "utter_invalid_institution"),
])
def test_third_failure_leaves_the_question_open_and_goes_on(asked, answer, response):
    """A fourth time would go round in circles: the question counts as skipped, and the form asks the next."""
    slots, messages = validate(asked, answer, failed_attempts={asked: 2, "field": 1})
    assert responses(messages) == [response, "utter_moving_on"]
    assert slots[asked] == "skipped"
    assert slots["failed_attempts"] == {"field": 1}
    assert stored(slots).skipped == (asked,)


def test_success_resets_the_failure_count():
    slots, _ = validate("age", "30", failed_attempts={"age": 2})
    assert only_form_slots(slots) == {"age": "30", "failed_attempts": {}}


def test_skip_is_accepted():
    slots, messages = validate("age", "/skip", intent="skip")
    assert only_form_slots(slots) == {"age": "skipped"}
    assert stored(slots).skipped == ("age",)
    assert messages == []


@pytest.mark.parametrize("answer,expected", [
    ("PhD", {"degree": "doctorate"}), ("M.Sc.", {"degree": "master"}), ("bachelor", {"degree": "bachelor"}),
    # the buttons of the degree question send their payload as the message text
    ('/inform{"degree": "master"}', {"degree": "master"}),
    # below bachelor's decides the outcome, so the form also stops asking (see test_a_decisive_answer...)
    ("below_bachelor", {"degree": "below_bachelor", "requested_slot": None}),
    ('/inform{"degree": "below_bachelor"}', {"degree": "below_bachelor", "requested_slot": None}),
])
def test_degree_is_normalised(answer, expected):
    slots, messages = validate("degree", answer)
    assert only_form_slots(slots) == expected
    assert messages == []


def test_unknown_degree_is_reasked():
    slots, messages = validate("degree", "a certificate in origami")
    assert only_form_slots(slots) == {"failed_attempts": {"degree": 1}}
    assert responses(messages) == ["utter_invalid_degree"]


def test_field_is_normalised_and_borderline_noted():
    slots, messages = validate("field", "medicine")
    assert only_form_slots(slots) == {"field": "Medicine"}
    assert responses(messages) == ["utter_note_field_borderline"]
    assert messages[0]["name"] == "Medicine"


def test_field_typo_is_understood():
    slots, _ = validate("field", "phisics")
    assert only_form_slots(slots) == {"field": "Physics"}


def test_field_typo_is_said_back():
    _, messages = validate("field", "phisics")
    assert responses(messages) == ["utter_note_understood_as"]
    assert messages[0]["name"] == "Physics"


def test_unknown_field_is_reasked():
    slots, messages = validate("field", "qwertyuiop")
    assert only_form_slots(slots) == {"failed_attempts": {"field": 1}}
    assert responses(messages) == ["utter_invalid_field"]


def test_listed_institution_gets_its_canonical_name():
    slots, messages = validate("institution", "MIT")
    assert only_form_slots(slots) == {"institution": "Massachusetts Institute of Technology"}
    assert messages == []


def test_unlisted_institution_is_kept_with_a_note():
    """The slot holds the id 'unlisted'; the profile keeps the name as written, and the note quotes it."""
    slots, messages = validate("institution", "Springfield Institute of Applied Science")
    assert only_form_slots(slots) == {"institution": kvisa.UNLISTED}
    assert stored(slots).degrees[0].institution_text == "Springfield Institute of Applied Science"
    assert responses(messages) == ["utter_note_institution_unlisted"]
    assert messages[0]["name"] == "Springfield Institute of Applied Science"


def test_nonsense_institution_is_reasked():
    slots, messages = validate("institution", "asdfgh")
    assert only_form_slots(slots) == {"failed_attempts": {"institution": 1}}
    assert responses(messages) == ["utter_invalid_institution"]


def test_several_details_in_one_message():
    slots, messages = validate("age", "I'm 29 with a PhD in physics from ETH Zurich")
    assert only_form_slots(slots) == {"age": "29", "degree": "doctorate", "field": "Physics",
                                      "institution": "ETH Zurich"}
    assert messages == []


def test_correction_while_another_question_is_asked_is_not_an_error():
    """'sorry, I'm 31' while the form asks for the field: age changes, the field question just comes again."""
    slots, messages = validate("field", "sorry, I'm 31")
    assert only_form_slots(slots) == {"age": "31"}  # no field, no failed_attempts
    assert responses(messages) == ["utter_noted"]  # the correction is acknowledged, not treated as a bad answer
    assert messages[0]["facts"] == "age 31"


def test_huge_answer_is_rejected_cleanly():
    slots, messages = validate("institution", "x" * 100_000)
    assert only_form_slots(slots) == {"failed_attempts": {"institution": 1}}
    assert responses(messages) == ["utter_invalid_institution"]
    assert len(messages[0]["answer"]) <= 60


def test_a_decisive_answer_ends_the_questions():
    """Degree below bachelor's: field and institution cannot change the outcome, so the form stops asking."""
    slots, _ = validate("degree", "high school", profile=kvisa.Profile(age=25), age="25")
    assert only_form_slots(slots) == {"degree": "below_bachelor", "requested_slot": None}


def test_an_open_outcome_keeps_asking():
    slots, _ = validate("degree", "PhD", profile=kvisa.Profile(age=25), age="25")
    assert only_form_slots(slots) == {"degree": "doctorate"}  # Rasa's form asks the next missing question itself


def test_several_facts_are_acknowledged_before_the_next_question():
    slots, messages = validate(None, "im 33 yo chemist, got my phd in 2019")
    assert only_form_slots(slots) == {"age": "33", "degree": "doctorate", "field": "Chemistry"}
    assert responses(messages) == ["utter_noted"]
    assert messages[0]["facts"] == "age 33, Doctorate (PhD or equivalent), Chemistry"


def test_with_two_fields_the_one_after_the_degree_counts():
    slots, _ = validate(None, "I have a PhD in physics and now I sell fashion online")
    assert only_form_slots(slots) == {"degree": "doctorate", "field": "Physics"}


def test_a_correction_while_another_question_is_asked_is_acknowledged():
    known = kvisa.Profile(age=29, degrees=(kvisa.Degree("doctorate", "Biology"),))
    slots, messages = validate("institution", "actually I'm 30", profile=known, age="29", degree="doctorate",
                               field="Biology")
    assert only_form_slots(slots) == {"age": "30"}
    assert stored(slots) == kvisa.Profile(age=30, degrees=(kvisa.Degree("doctorate", "Biology"),))
    assert responses(messages) == ["utter_noted"] and messages[0]["facts"] == "age 30"


def test_a_plain_answer_is_not_repeated_back():
    _, messages = validate("age", "29")
    assert messages == []


# ------------------------------------------------------------------- what the form says about a profile read


def test_someone_elses_profile_is_announced_once():
    slots, messages = validate(None, "my daughter is 24 and has a BSc in physics from the University of Toronto, "
                                     "can she apply?")
    assert only_form_slots(slots) == {"age": "24", "degree": "bachelor", "field": "Physics",
                                      "institution": "University of Toronto"}
    assert stored(slots).applicant == "daughter"
    assert responses(messages) == ["utter_note_for_someone_else"]
    assert messages[0]["who"] == "daughter"


def test_an_age_read_from_a_birth_year_is_said_back(monkeypatch):
    import datetime as dt

    import kvisa.profile
    monkeypatch.setattr(kvisa.profile, "_today", lambda: dt.date(2026, 12, 1))  # the validator passes no `today`
    slots, messages = validate("age", "I was born in 1994")
    assert only_form_slots(slots) == {"age": "32"}
    assert responses(messages) == ["utter_note_age_read_as"]
    assert (messages[0]["age"], messages[0]["note"]) == (32, "born in 1994")


def test_a_degree_in_progress_is_noted_and_the_completed_one_counts():
    slots, messages = validate(None, "I'm 29, PhD candidate in chemistry at Caltech, with an MSc in chemistry "
                                     "from Cambridge")
    assert only_form_slots(slots) == {"age": "29", "degree": "master", "field": "Chemistry",
                                      "institution": "University of Cambridge"}
    assert responses(messages) == ["utter_note_in_progress"]
    assert messages[0]["degree"] == "Doctorate (PhD or equivalent) in Chemistry (California Institute of Technology)"


def test_only_a_degree_in_progress_asks_for_the_completed_one():
    slots, messages = validate("degree", "I'm a PhD student", profile=kvisa.Profile(age=27), age="27")
    assert only_form_slots(slots) == {}
    assert responses(messages) == ["utter_note_in_progress", "utter_degree_in_progress_which_completed"]


def test_a_degree_in_progress_said_again_means_none_is_completed_and_the_form_goes_on():
    studying = kvisa.extract_profile("I'm 22, bachelor of computer science, still in final year")
    slots, messages = validate("degree", "bachelor of computer science, still in final year", profile=studying,
                               age="22")
    assert only_form_slots(slots) == {"degree": kvisa.SKIPPED}  # not asked a third time
    assert "utter_degree_in_progress_which_completed" not in responses(messages)
    verdict = kvisa.assess(stored(slots))
    assert verdict.criterion("degree").reason_code is kvisa.Reason.DEGREE_IN_PROGRESS


def test_an_online_degree_is_noted():
    slots, messages = validate(None, "I'm 35, master's in computer science done online from Georgia Tech")
    assert only_form_slots(slots) == {"age": "35", "degree": "master", "field": "Computer science",
                                      "institution": "Georgia Institute of Technology"}
    assert stored(slots).degrees[0].online is True
    assert responses(messages) == ["utter_note_online"]


def test_an_institution_described_without_a_name_is_not_asked_again():
    slots, messages = validate("institution", "a small private college in my hometown")
    assert only_form_slots(slots) == {"institution": kvisa.UNLISTED}
    assert responses(messages) == ["utter_note_institution_unlisted"]


def test_an_institution_we_do_not_know_is_taken_as_its_name_not_reasked():
    slots, messages = validate("institution", "Colegio Sierra Alta de Tarapoto, a small place",
                               profile=kvisa.Profile(age=30, degrees=(kvisa.Degree("bachelor", "Physics"),)),
                               age="30", degree="bachelor", field="Physics")
    assert only_form_slots(slots)["institution"] == kvisa.UNLISTED
    assert stored(slots).degrees[0].institution_text == "Colegio Sierra Alta de Tarapoto"
    assert responses(messages) == ["utter_note_institution_unlisted"]


def test_a_non_answer_is_not_taken_for_an_institution():
    slots, messages = validate("institution", "no idea")
    assert only_form_slots(slots) == {"failed_attempts": {"institution": 1}}
    assert responses(messages) == ["utter_invalid_institution"]


@pytest.mark.parametrize("answer,level", [("Doktorat, Dr. techn.", "doctorate"), ("título de médico", "bachelor"),
                                          ("técnico profesional", "below_bachelor")])
def test_a_degree_we_do_not_list_is_read_from_its_word_stem(answer, level):
    slots, _ = validate("degree", answer)
    assert only_form_slots(slots)["degree"] == level


def test_one_field_answer_fills_every_degree_without_a_field():
    known = kvisa.Profile(age=27, degrees=(kvisa.Degree("bachelor"), kvisa.Degree("master")))
    slots, _ = validate("field", "history of art, both of them", profile=known, age="27", degree="master")
    assert [d.field for d in stored(slots).degrees] == ["Fine arts", "Fine arts"]
    assert only_form_slots(slots)["field"] == "Fine arts"


def test_an_answer_that_changes_nothing_is_never_met_with_silence():
    known = kvisa.Profile(age=27, degrees=(kvisa.Degree("bachelor", institution="unlisted"), kvisa.Degree("master")))
    slots, messages = validate("field", "zzqx blorp", profile=known, age="27", degree="master")
    assert responses(messages) == ["utter_invalid_field"]


def test_a_statement_taken_for_an_faq_question_is_still_the_answer():
    slots, _ = validate("institution", "Faculdade Nova Esperança, it is a small private faculdade", intent="faq",
                        profile=kvisa.Profile(age=28, degrees=(kvisa.Degree("bachelor", "Physics"),)),
                        age="28", degree="bachelor", field="Physics")
    assert only_form_slots(slots)["institution"] == kvisa.UNLISTED


def test_a_real_question_in_the_form_is_not_taken_as_an_answer():
    slots, messages = validate("institution", "which universities count as renowned?", intent="faq")
    assert "institution" not in only_form_slots(slots) and responses(messages) == []


def test_thanks_in_the_form_is_not_taken_for_a_name():
    slots, messages = validate("institution", "ok tnx po", intent="thank")
    assert "institution" not in only_form_slots(slots) and responses(messages) == []


@pytest.mark.parametrize("text,intent", [("what is the age limit?", "faq"), ("why do you need that?", "ask_why"),
                                         ("thanks!", "thank")])
def test_a_message_with_nothing_for_the_form_sets_no_slot(text, intent):
    """No event at all: Rasa then rejects the form and the rules answer the interruption (tests/e2e)."""
    slots, messages = validate("age", text, intent=intent)
    assert slots == {} and responses(messages) == []


def test_a_profile_for_someone_else_makes_the_questions_say_they():
    slots, _ = validate(None, "my son is 23 and has a BSc in physics, would he qualify?")
    assert slots["for_someone_else"] is True
    assert stored(slots).applicant == "son"
    slots, _ = validate("age", "29")
    assert "for_someone_else" not in slots  # the user's own profile: nothing to change


def test_naming_a_degree_in_progress_again_to_give_its_field_keeps_it_in_progress():
    before = kvisa.extract_profile("BSc from LSE, currently doing an MSc at Imperial")
    slots, _ = validate("field", "economics for the BSc, the MSc is data science", profile=before)
    degrees = {d.level: d for d in stored(slots).degrees}
    assert (degrees["master"].field, degrees["master"].in_progress) == ("Data science", True)
    assert (degrees["bachelor"].field, degrees["bachelor"].in_progress) == ("Economics", False)
    assert kvisa.assess(stored(slots)).outcome is not kvisa.Outcome.LIKELY_ELIGIBLE  # the MSc does not count yet
