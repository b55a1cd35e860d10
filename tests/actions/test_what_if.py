"""What-ifs after a verdict (issue 7): the profile with the changed fact, re-assessed; the reply says what
changed, and the stored answers stay as they were. Sentences written for this file."""
import asyncio

from rasa_sdk.executor import CollectingDispatcher

import kvisa
from actions.verdict import ActionWhatIf, what_if_profile
from tests.actions.conftest import make_tracker, responses, run_action

VIT = kvisa.Degree("bachelor", "Computer science", kvisa.UNLISTED, "VIT Vellore", written="bsc")
CURRENT = kvisa.Profile(age=30, degrees=(VIT,))


def summary(profile):
    return [(d.level, d.field, d.institution) for d in profile.degrees]


def test_the_current_profile_is_what_the_form_reads():
    """The starting point of these tests is what kvisa reads from a real message."""
    assert kvisa.extract_profile("I'm 30 with a BSc in computer science from VIT Vellore") == CURRENT


# ------------------------------------------------------------------------------------- what_if_profile


def test_an_age_change_keeps_everything_else():
    changed = what_if_profile(CURRENT, "ok but what if I were 47?")
    assert changed == kvisa.Profile(age=47, degrees=(VIT,))


def test_a_bare_number_is_the_new_age():
    assert what_if_profile(CURRENT, "and at 44?").age == 44


def test_an_age_change_with_a_degree_change():
    changed = what_if_profile(CURRENT, "what if I were 50 and had a PhD?")
    assert changed.age == 50
    assert summary(changed) == [("doctorate", "Computer science", kvisa.UNLISTED)]


def test_a_degree_named_instead_replaces_the_deciding_one_and_keeps_its_field():
    changed = what_if_profile(CURRENT, "what if I had an M.Tech from IIT Delhi instead?")
    assert changed.age == 30
    assert summary(changed) == [("master", "Computer science", "Indian Institute of Technology Delhi")]


def test_a_degree_named_instead_with_its_own_field():
    changed = what_if_profile(CURRENT, "and with a master's in robotics from ETH Zurich instead?")
    assert summary(changed) == [("master", "Robotics", "ETH Zurich")]


def test_a_degree_named_also_is_added():
    changed = what_if_profile(CURRENT, "what if I also got an MSc in physics from Oxford?")
    assert summary(changed) == [("bachelor", "Computer science", kvisa.UNLISTED),
                                ("master", "Physics", "University of Oxford")]


def test_an_institution_change_keeps_level_and_field():
    changed = what_if_profile(CURRENT, "what if my degree was from MIT?")
    assert changed.age == 30
    assert summary(changed) == [("bachelor", "Computer science", "Massachusetts Institute of Technology")]
    assert kvisa.assess(changed).criterion("institution").result is kvisa.Result.MET


def test_what_if_never_changes_who_the_profile_is_for():
    theirs = kvisa.Profile(age=24, degrees=(VIT,), applicant="daughter")
    changed = what_if_profile(theirs, "what if she were 26?")
    assert (changed.applicant, changed.age) == ("daughter", 26)


# ---------------------------------------------------------------------------------------- ActionWhatIf


def what_if(text, profile=CURRENT):
    slots = {"profile": profile.to_dict()} if profile is not None else {}
    tracker = make_tracker(slots=slots, text=text, intent="what_if", active_loop=None)
    return run_action(ActionWhatIf(), tracker)


def test_the_reply_is_the_new_verdict_and_what_changed():
    events, messages = what_if("what if I had an M.Tech from IIT Delhi instead?")
    assert events == []  # the stored profile and the four slots stay as they were
    assert len(messages) == 2
    assert messages[0]["text"].startswith("Likely eligible")
    assert messages[0]["custom"]["verdict"] == "likely_eligible"
    assert messages[0]["custom"]["degree_used"] == \
        "Master's degree in Computer science (Indian Institute of Technology Delhi)"
    assert responses(messages) == ["utter_what_if_changes"]
    assert messages[1]["applicant"] == "hypothetical"
    assert messages[1]["changes"] == ("degree: Bachelor's degree → Master's degree (met) "
                                      "institution: VIT Vellore → Indian Institute of Technology Delhi (met) "
                                      "Outcome: uncertain → likely eligible.")


def test_an_age_what_if_says_the_age_changed():
    events, messages = what_if("what if I were 47?")
    assert events == []
    assert messages[0]["custom"]["verdict"] == "uncertain"
    assert messages[1]["changes"] == "age: 30 → 47 (uncertain)"


def test_an_institution_what_if_says_the_institution_changed():
    events, messages = what_if("what if my degree was from MIT?")
    assert events == []
    assert messages[0]["custom"]["verdict"] == "likely_eligible"
    assert messages[1]["changes"] == ("institution: VIT Vellore → Massachusetts Institute of Technology (met) "
                                      "Outcome: uncertain → likely eligible.")


def test_a_what_if_for_someone_else_says_so():
    theirs = kvisa.Profile(age=24, degrees=(VIT,), applicant="daughter")
    _, messages = what_if("what if she were 46?", profile=theirs)
    assert messages[1]["applicant"] == "for your daughter"
    assert messages[1]["changes"] == "age: 24 → 46 (uncertain)"


def test_nothing_to_change_is_said():
    events, messages = what_if("hmm what if?")
    assert events == []
    assert responses(messages) == ["utter_what_if_nothing"]


def test_without_a_profile_the_what_if_is_a_profile_to_check():
    events, messages = what_if("what if I were 29 with a PhD in physics?", profile=None)
    assert events == [{"event": "followup", "name": "eligibility_form", "timestamp": None}]
    assert messages == []


# ------------------------------------------------------------------------ what-ifs that take a fact back


def test_already_graduated_takes_back_the_degree_in_progress():
    studying = kvisa.extract_profile("I'm 24, final year of my BSc in physics at the University of Nairobi")
    assert [d.in_progress for d in studying.degrees] == [True]
    changed = what_if_profile(studying, "what if I had already graduated?")
    assert [d.in_progress for d in changed.degrees] == [False]
    assert summary(changed) == summary(studying)


def test_no_teaching_takes_back_the_research_route():
    teacher = kvisa.Profile(age=38, degrees=(kvisa.Degree("master", "History", kvisa.UNLISTED, "a college"),),
                            applicant="wife", teaching_or_research=True)
    changed = what_if_profile(teacher, "and what if she didn't teach at all?")
    assert changed.teaching_or_research is False
    assert changed.applicant == "wife"


def test_on_campus_takes_back_the_online_degree():
    online = kvisa.extract_profile("I'm 30 with a fully online master's in computer science from the University "
                                   "of London")
    assert [d.online for d in online.degrees] == [True]
    changed = what_if_profile(online, "what if it had been a normal on-campus master instead?")
    assert [d.online for d in changed.degrees] == [False]


# ------------------------------------------- a what-if that needs a fact the first verdict did not need

HISTORY = kvisa.Profile(degrees=(kvisa.Degree("bachelor", "History", "National Autonomous University of Mexico",
                                              written="licenciado"),))
MAESTRIA = "What if I also had a master's in data science from Tecnológico de Monterrey?"


def test_the_start_point_is_not_eligible_without_the_age():
    assert kvisa.assess(HISTORY).outcome is kvisa.Outcome.NOT_ELIGIBLE
    assert kvisa.assess(what_if_profile(HISTORY, MAESTRIA)).outcome is kvisa.Outcome.INCOMPLETE


def test_a_what_if_lacking_a_fact_asks_for_it_first():
    events, messages = what_if(MAESTRIA, profile=HISTORY)
    assert responses(messages) == ["utter_what_if_needs"]
    assert {"event": "slot", "name": "what_if_pending", "value": MAESTRIA, "timestamp": None} in events
    assert events[-1] == {"event": "followup", "name": "eligibility_form", "timestamp": None}


def test_the_form_asks_only_what_the_what_if_lacks():
    from actions.eligibility_form import ValidateEligibilityForm
    slots = {"profile": HISTORY.to_dict(), "degree": "bachelor", "field": "History",
             "institution": "National Autonomous University of Mexico", "what_if_pending": MAESTRIA}
    tracker = make_tracker(slots=slots, text=MAESTRIA, intent="what_if")
    required = asyncio.run(ValidateEligibilityForm().required_slots(
        ["age", "degree", "field", "institution"], CollectingDispatcher(), tracker, {}))
    assert required == ["age", "degree", "field", "institution"]  # age missing: it is asked
    without = dict(slots, what_if_pending=None)
    tracker = make_tracker(slots=without, text="ok", intent="inform")
    required = asyncio.run(ValidateEligibilityForm().required_slots(
        ["age", "degree", "field", "institution"], CollectingDispatcher(), tracker, {}))
    assert required == ["degree", "field", "institution"]  # not eligible anyway: the age is not asked


def test_once_answered_the_what_if_gets_its_verdict_and_is_done():
    from actions.verdict import ActionAssessEligibility
    answered = kvisa.Profile(age=29, degrees=HISTORY.degrees)
    tracker = make_tracker(slots={"profile": answered.to_dict(), "what_if_pending": MAESTRIA}, text="29",
                           active_loop=None)
    events, messages = run_action(ActionAssessEligibility(), tracker)
    assert messages[0]["custom"]["verdict"] == "likely_eligible"
    assert responses(messages) == ["utter_what_if_changes"]
    assert "Outcome: not eligible → likely eligible." in messages[1]["changes"]
    assert events == [{"event": "slot", "name": "what_if_pending", "value": None, "timestamp": None}]


def test_without_a_pending_what_if_the_verdict_is_the_stored_profiles():
    from actions.verdict import ActionAssessEligibility
    tracker = make_tracker(slots={"profile": HISTORY.to_dict()}, text="ok", active_loop=None)
    events, messages = run_action(ActionAssessEligibility(), tracker)
    assert messages[0]["custom"]["verdict"] == "not_eligible"
    assert events == []


def test_stopping_the_form_drops_the_pending_what_if():
    from actions.conversation import ActionStopEligibilityForm
    tracker = make_tracker(slots={"profile": HISTORY.to_dict(), "what_if_pending": MAESTRIA}, text="stop",
                           intent="stop", active_loop=None)
    events, messages = run_action(ActionStopEligibilityForm(), tracker)
    assert responses(messages) == ["utter_stopped"]
    assert events == [{"event": "slot", "name": "what_if_pending", "value": None, "timestamp": None}]


def test_the_what_if_that_starts_the_form_is_not_read_as_answers():
    from actions.eligibility_form import ValidateEligibilityForm
    tracker = make_tracker(slots={"profile": HISTORY.to_dict(), "what_if_pending": MAESTRIA}, text=MAESTRIA,
                           intent="what_if")
    events, _ = run_action(ValidateEligibilityForm(), tracker)
    assert not [e for e in events if e.get("name") == "profile"]  # the stored degrees stay as they were


def test_a_diploma_in_a_what_if_is_the_degrees_document_not_a_lower_degree():
    changed = what_if_profile(CURRENT, "and if the same degree but the diploma from Tsinghua?")
    assert summary(changed) == [("bachelor", "Computer science", "Tsinghua University")]


def test_finishing_a_degree_in_progress_in_a_what_if():
    current = kvisa.Profile(age=29, degrees=(kvisa.Degree("bachelor", "Computer science", in_progress=True),))
    changed = what_if_profile(current, "and if i finish the bachelor next year?")
    assert [d.in_progress for d in changed.degrees] == [False]


def test_only_a_diploma_in_a_what_if_is_a_lower_degree():
    changed = what_if_profile(CURRENT, "what if I only had a diploma in IT from a state polytechnic?")
    assert [d.level for d in changed.degrees] == ["below_bachelor"]
    assert kvisa.assess(changed).outcome is kvisa.Outcome.NOT_ELIGIBLE


def test_an_age_said_beside_another_degree_in_a_what_if():
    changed = what_if_profile(CURRENT, "what if I had an MSc from Delft and I was 47?")
    assert changed.age == 47 and [d.level for d in changed.degrees] == ["master"]


def test_a_what_if_that_names_only_another_field():
    changed = what_if_profile(CURRENT, "and if I had studied literature instead?")
    assert summary(changed) == [("bachelor", "Literature and linguistics", kvisa.UNLISTED)]


def test_only_that_degree_in_a_what_if_drops_the_others():
    current = kvisa.Profile(age=30, degrees=(VIT, kvisa.Degree("master", "Computer science", kvisa.UNLISTED)))
    changed = what_if_profile(current, "what if I only had a diploma in IT?")
    assert [d.level for d in changed.degrees] == ["below_bachelor"]
