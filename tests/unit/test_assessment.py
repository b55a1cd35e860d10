"""The verdict's structure and the rules that must never be broken."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kvisa import Outcome, Result, assess
from kvisa import profile_from_answers as answers
from kvisa.datafiles import policy


def test_payload_is_json_with_every_criterion_and_policy_version():
    verdict = assess(answers(age="29", degree="PhD", field="physics", institution="ETH Zurich"))
    payload = json.loads(json.dumps(verdict.to_payload()))
    assert payload["type"] == "kvisa_verdict"
    assert payload["verdict"] == "likely_eligible"
    assert payload["policy_version"] == policy()["version"]
    assert [c["criterion"] for c in payload["criteria"]] == ["age", "degree", "field", "institution"]
    for c in payload["criteria"]:
        assert c["result"] in {"met", "not_met", "uncertain", "missing"}
        assert c["reason"] and c["reason_code"]
        assert c["source"]


def test_age_is_never_stated_as_official():
    criterion = assess(answers(age="29")).criterion("age")
    assert criterion.certainty == "reported"
    assert "unofficial" in criterion.reason.lower() or "no official" in criterion.reason.lower()


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=14, max_value=100))
def test_no_age_ever_makes_a_qualified_person_not_eligible(age):
    verdict = assess(answers(age=str(age), degree="PhD", field="physics", institution="MIT"))
    assert verdict.outcome in {Outcome.LIKELY_ELIGIBLE, Outcome.UNCERTAIN}
    assert verdict.criterion("age").result in {Result.MET, Result.UNCERTAIN}


def test_publishing_an_official_age_limit_is_a_data_change(monkeypatch):
    """When the authorities publish a limit, the policy file changes and the verdict follows it."""
    rules = dict(policy()["rules"])
    rules["age"] = dict(rules["age"], official_max=40, certainty="official")
    monkeypatch.setitem(policy(), "rules", rules)
    assert assess(answers(age="41")).criterion("age").result is Result.NOT_MET
    assert assess(answers(age="39")).criterion("age").certainty == "official"


def test_unknown_field_text_is_uncertain_not_rejected():
    assert assess(answers(field="zzqxv")).criterion("field").result is Result.UNCERTAIN
