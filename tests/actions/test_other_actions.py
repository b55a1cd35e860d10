"""Verdict, Z-visa advice, why-questions and reset: events and messages from trackers built here."""
import pytest

import kvisa
from actions.conversation import ActionExplainWhy, ActionResetEligibility
from actions.verdict import ActionAssessEligibility
from actions.zvisa import ActionZVisaAdvice, ValidatePurposeForm
from tests.actions.conftest import make_tracker, responses, run_action, slot_sets


def verdict_for(age=None, degree=None, field=None, institution=None, skipped=()):
    """The verdict for a profile of ids, stored as the form stores it (the `profile` slot and the four slots)."""
    profile = kvisa.Profile(age=None if age is None else int(age),
                            degrees=(kvisa.Degree(degree or "", field, institution),) if degree else (),
                            skipped=tuple(skipped))
    slots = {"profile": profile.to_dict(), "age": "skipped" if "age" in skipped else age, "degree": degree,
             "field": field, "institution": institution}
    events, messages = run_action(ActionAssessEligibility(), make_tracker(slots=slots, active_loop=None))
    text = messages[0]["text"]
    payload = next(m["custom"] for m in messages if m.get("custom"))
    return text, payload, messages


def test_likely_eligible_verdict_text_and_payload():
    text, payload, messages = verdict_for(age="29", degree="doctorate", field="Physics",
                                          institution="ETH Zurich")
    assert text.startswith("Likely eligible")
    assert payload["verdict"] == "likely_eligible"
    assert {c["criterion"]: c["result"] for c in payload["criteria"]} == {
        "age": "met", "degree": "met", "field": "met", "institution": "met"}
    assert "reported, not official" in text  # the age line never claims to be official
    assert "embassy" in text.lower() and "Next steps" in text
    assert responses(messages) == ["utter_after_verdict"]


def test_not_eligible_verdict_says_why():
    text, payload, _ = verdict_for(age="29", degree="below_bachelor", field="Physics",
                                 institution="Massachusetts Institute of Technology")
    assert payload["verdict"] == "not_eligible"
    assert "bachelor" in text


def test_over_45_is_uncertain_never_not_eligible():
    _, payload, _ = verdict_for(age="50", degree="master", field="Chemistry",
                                institution="Massachusetts Institute of Technology")
    assert payload["verdict"] == "uncertain"


def test_incomplete_when_skipped():
    _, payload, _ = verdict_for(degree="master", field="Chemistry", institution="Massachusetts Institute of Technology",
                                skipped=("age",))
    assert payload["verdict"] == "incomplete" and payload["missing"] == ["age"]


def test_z_visa_advice_for_a_job_names_the_work_permit():
    events, messages = run_action(ActionZVisaAdvice(), make_tracker(slots={"purpose": "job"}, active_loop=None))
    assert "work permit" in messages[0]["text"] and "Z visa" in messages[0]["text"]
    assert "Source:" in messages[0]["text"]
    assert slot_sets(events) == {"purpose": None}


def test_z_visa_advice_for_research_points_to_k():
    _, messages = run_action(ActionZVisaAdvice(), make_tracker(slots={"purpose": "research"}, active_loop=None))
    assert "K visa" in messages[0]["text"]


def test_z_visa_advice_without_purpose_gives_the_general_answer():
    _, messages = run_action(ActionZVisaAdvice(), make_tracker(slots={"purpose": None}, active_loop=None))
    assert responses(messages) == ["utter_z_visa_general"]


@pytest.mark.parametrize("answer,purpose", [("job", "job"), ("I got an offer from a company in Shenzhen", "job"),
                                            ("start a company", "business")])
def test_purpose_form_reads_free_text(answer, purpose):
    tracker = make_tracker(slots={"requested_slot": "purpose"}, text=answer, slot_events={"purpose": answer},
                           active_loop="purpose_form")
    events, _ = run_action(ValidatePurposeForm(), tracker)
    assert slot_sets(events)["purpose"] == purpose


def test_purpose_form_reasks_nonsense():
    tracker = make_tracker(slots={"requested_slot": "purpose"}, text="blue", slot_events={"purpose": "blue"},
                           active_loop="purpose_form")
    events, messages = run_action(ValidatePurposeForm(), tracker)
    assert slot_sets(events)["purpose"] is None and responses(messages) == ["utter_invalid_purpose"]


@pytest.mark.parametrize("requested,response", [("age", "utter_why_age"), ("institution", "utter_why_institution"),
                                                (None, "utter_why_general")])
def test_why_explains_the_current_question(requested, response, domain):
    _, messages = run_action(ActionExplainWhy(), make_tracker(slots={"requested_slot": requested}))
    assert responses(messages) == [response]
    assert response in domain["responses"]


def test_reset_clears_the_answers():
    events, _ = run_action(ActionResetEligibility(), make_tracker(slots={"age": "29", "degree": "master"}))
    assert slot_sets(events) == {"age": None, "degree": None, "field": None, "institution": None,
                                 "profile": None, "failed_attempts": None, "what_if_pending": None,
                                 "for_someone_else": None}


def test_every_response_the_actions_use_exists(domain):
    used = ["utter_invalid_age_no_number", "utter_invalid_age_out_of_range", "utter_invalid_age_ambiguous",
            "utter_note_age_uncertain", "utter_invalid_degree", "utter_invalid_field", "utter_note_field_borderline",
            "utter_invalid_institution", "utter_note_institution_unlisted", "utter_note_understood_as",
            "utter_invalid_purpose", "utter_offer_skip", "utter_after_verdict", "utter_after_z_advice",
            "utter_z_visa_general", "utter_reset", "utter_why_purpose", "utter_why_degree", "utter_why_field",
            "utter_noted", "utter_check_your_case", "utter_fallback", "utter_note_for_someone_else",
            "utter_note_age_read_as", "utter_note_in_progress", "utter_degree_in_progress_which_completed",
            "utter_note_online", "utter_what_if_changes", "utter_what_if_nothing"]
    assert [r for r in used if r not in domain["responses"]] == []


def route(text):
    """ActionRouteDetails reads the message text itself (through kvisa), not NLU entities."""
    from actions.conversation import ActionRouteDetails
    return run_action(ActionRouteDetails(), make_tracker(text=text, active_loop=None))


def test_details_outside_a_form_start_the_check():
    events, messages = route("sorry, I'm 31")
    assert events == [{"event": "followup", "name": "eligibility_form", "timestamp": None}] and messages == []


def test_a_plan_outside_a_form_starts_the_z_visa_advice():
    events, _ = route("I want to start a company there")
    assert slot_sets(events) == {"purpose": "business"}  # the purpose id, as the purpose form stores it
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "purpose_form"


def test_nothing_recognisable_gets_the_fallback():
    events, messages = route("asdfghjkl")
    assert events == [] and responses(messages) == ["utter_fallback"]


def after_faq(text):
    from actions.conversation import ActionAfterFaq
    return run_action(ActionAfterFaq(), make_tracker(text=text, intent="faq", active_loop=None))


def test_an_faq_that_describes_the_asker_continues_into_their_check():
    events, messages = after_faq("I'm 41 and hold a doctorate in chemistry, is 45 really the upper limit?")
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "eligibility_form"
    assert responses(messages) == ["utter_check_your_case"]


def test_a_plain_faq_ends_with_the_answer():
    events, messages = after_faq("is a bachelor's degree enough for the K visa?")
    assert events == [] and messages == []


def _with_selector(tracker, first, ranking):
    tracker.latest_message["response_selector"] = {"faq": {
        "response": {"intent_response_key": first, "confidence": ranking[0][1]},
        "ranking": [{"intent_response_key": key, "confidence": c} for key, c in ranking]}}
    return tracker


@pytest.mark.parametrize("text,two", [
    ("how much does it cost and how long does it take?", True),
    ("Is there a quota? Also, do they interview people?", True),
    ("fees? processing time?", True),
    ("what is the K visa", False),
    ("can i work at huawei with a k visa", False),
    ("I am 29, what is the age limit?", False),
])
def test_two_questions_in_one_message_are_told_apart_from_one(text, two):
    from actions.conversation import asks_two_questions
    assert asks_two_questions(text) is two


def test_a_second_question_gets_its_answer_after_the_first():
    from actions.conversation import ActionAfterFaq
    tracker = _with_selector(make_tracker(text="how much does it cost and how long does it take?", intent="faq",
                                          active_loop=None),
                             "faq/fees", [("faq/fees", 0.6), ("faq/processing_time", 0.3), ("faq/quota", 0.05)])
    _, messages = run_action(ActionAfterFaq(), tracker)
    assert responses(messages) == ["utter_also_asked", "utter_faq/processing_time"]


def test_one_question_gets_one_answer_even_with_a_close_runner_up():
    from actions.conversation import ActionAfterFaq
    tracker = _with_selector(make_tracker(text="how much does the K visa cost", intent="faq", active_loop=None),
                             "faq/fees", [("faq/fees", 0.5), ("faq/processing_time", 0.45)])
    _, messages = run_action(ActionAfterFaq(), tracker)
    assert responses(messages) == []


def test_an_unlikely_runner_up_is_not_answered():
    from actions.conversation import ActionAfterFaq
    tracker = _with_selector(make_tracker(text="how much is it? and how long?", intent="faq", active_loop=None),
                             "faq/fees", [("faq/fees", 0.9), ("faq/processing_time", 0.05)])
    _, messages = run_action(ActionAfterFaq(), tracker)
    assert responses(messages) == []
