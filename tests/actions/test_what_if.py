"""What-ifs after a verdict (issue 7): the profile with the changed fact, re-assessed; the reply says what
changed, and the stored answers stay as they were. Sentences written for this file."""
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
