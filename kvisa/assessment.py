"""Decides the K-visa eligibility estimate from the four facts, using the policy file.

`assess(age=..., degree=..., field=..., institution=...)` takes raw or normalised text (or None, or
"skipped") and returns a Verdict: an outcome, one Criterion per fact with a reason code, a sentence, and the
certainty and source of the rule that decided it. The outcome and reason codes are enums, so a caller never
parses a sentence.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Optional

from kvisa.datafiles import policy
from kvisa.parsing import (
    SKIPPED,
    broad_field_name,
    level_label,
    level_rank,
    match_institution,
    parse_age,
    parse_degree,
    parse_field,
)


class Outcome(str, Enum):
    LIKELY_ELIGIBLE = "likely_eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNCERTAIN = "uncertain"
    INCOMPLETE = "incomplete"


class Result(str, Enum):
    MET = "met"
    NOT_MET = "not_met"
    UNCERTAIN = "uncertain"
    MISSING = "missing"


class Reason(str, Enum):
    MISSING = "MISSING"
    SKIPPED = "SKIPPED"
    UNREADABLE = "UNREADABLE"
    AGE_WITHIN_REPORTED_RANGE = "AGE_WITHIN_REPORTED_RANGE"
    AGE_ABOVE_REPORTED_MAX = "AGE_ABOVE_REPORTED_MAX"
    AGE_BELOW_REPORTED_MIN = "AGE_BELOW_REPORTED_MIN"
    AGE_WITHIN_OFFICIAL_LIMIT = "AGE_WITHIN_OFFICIAL_LIMIT"
    AGE_OUTSIDE_OFFICIAL_LIMIT = "AGE_OUTSIDE_OFFICIAL_LIMIT"
    DEGREE_AT_OR_ABOVE_MINIMUM = "DEGREE_AT_OR_ABOVE_MINIMUM"
    DEGREE_BELOW_MINIMUM = "DEGREE_BELOW_MINIMUM"
    FIELD_STEM = "FIELD_STEM"
    FIELD_BORDERLINE = "FIELD_BORDERLINE"
    FIELD_NOT_STEM = "FIELD_NOT_STEM"
    INSTITUTION_LISTED = "INSTITUTION_LISTED"
    INSTITUTION_UNLISTED = "INSTITUTION_UNLISTED"


CRITERIA = ("age", "degree", "field", "institution")


@dataclass
class Criterion:
    criterion: str
    result: Result
    reason_code: Reason
    reason: str
    value: Optional[str] = None
    certainty: str = "official"
    source: str = ""


@dataclass
class Verdict:
    outcome: Outcome
    criteria: list[Criterion]
    caveats: list[str]
    next_steps: list[str]
    policy_version: str
    missing: list[str] = field(default_factory=list)

    def criterion(self, name: str) -> Criterion:
        return next(c for c in self.criteria if c.criterion == name)

    def to_payload(self) -> dict:
        """The structured form sent to rich clients (JSON-serialisable)."""
        payload = asdict(self)
        payload["type"] = "kvisa_verdict"
        payload["verdict"] = self.outcome.value
        del payload["outcome"]
        for item in payload["criteria"]:
            item["result"] = Result(item["result"]).value
            item["reason_code"] = Reason(item["reason_code"]).value
        return payload


def _absent(name: str, value) -> Optional[Criterion]:
    if value is None or str(value).strip() == "":
        return Criterion(name, Result.MISSING, Reason.MISSING, f"No {name} given.", certainty="")
    if str(value).strip().lower() == SKIPPED:
        return Criterion(name, Result.MISSING, Reason.SKIPPED, f"You skipped the {name} question.", certainty="")
    return None


def judge_age(value) -> Criterion:
    absent = _absent("age", value)
    if absent:
        return absent
    rule = policy()["rules"]["age"]
    parsed = parse_age(str(value))
    if parsed.value is None:
        return Criterion("age", Result.MISSING, Reason.UNREADABLE, f"'{value}' could not be read as an age.", certainty="")
    age = parsed.value
    official_min, official_max = rule.get("official_min"), rule.get("official_max")
    if official_min is not None or official_max is not None:
        low = official_min if official_min is not None else 0
        high = official_max if official_max is not None else 200
        inside = low <= age <= high
        return Criterion(
            "age", Result.MET if inside else Result.NOT_MET,
            Reason.AGE_WITHIN_OFFICIAL_LIMIT if inside else Reason.AGE_OUTSIDE_OFFICIAL_LIMIT,
            f"{age} is {'within' if inside else 'outside'} the official age range of {low}-{high}.",
            str(age), "official", rule["source"])
    low, high = rule["reported_min"], rule["reported_max"]
    note = "No official age limit has been published."
    if age > high:
        return Criterion("age", Result.UNCERTAIN, Reason.AGE_ABOVE_REPORTED_MAX,
                         f"{age} is above the widely reported but unofficial limit of {high}. {note}",
                         str(age), "reported", rule["reported_source"])
    if age < low:
        return Criterion("age", Result.UNCERTAIN, Reason.AGE_BELOW_REPORTED_MIN,
                         f"{age} is below the reported but unofficial minimum of {low}. {note}",
                         str(age), "reported", rule["reported_source"])
    return Criterion("age", Result.MET, Reason.AGE_WITHIN_REPORTED_RANGE,
                     f"{age} is within the reported (unofficial) range of {low}-{high}. {note}",
                     str(age), "reported", rule["reported_source"])


def judge_degree(value) -> Criterion:
    absent = _absent("degree", value)
    if absent:
        return absent
    rule = policy()["rules"]["degree"]
    parsed = parse_degree(str(value))
    if parsed.level is None:
        return Criterion("degree", Result.MISSING, Reason.UNREADABLE,
                         f"'{value}' could not be read as a degree.", certainty="")
    label = level_label(parsed.level)
    if level_rank(parsed.level) >= level_rank(rule["minimum_level"]):
        return Criterion("degree", Result.MET, Reason.DEGREE_AT_OR_ABOVE_MINIMUM,
                         f"{label}: a bachelor's degree or above is required.", label, rule["certainty"], rule["source"])
    return Criterion("degree", Result.NOT_MET, Reason.DEGREE_BELOW_MINIMUM,
                     f"{label}: the K visa requires at least a bachelor's degree.", label, rule["certainty"], rule["source"])


def judge_field(value) -> Criterion:
    absent = _absent("field", value)
    if absent:
        return absent
    rule = policy()["rules"]["field"]
    parsed = parse_field(str(value))
    if parsed.name is None:
        return Criterion("field", Result.UNCERTAIN, Reason.FIELD_BORDERLINE,
                         f"'{value}' is not in our field list, so whether it counts as STEM is unclear.",
                         str(value), rule["certainty"], rule["source"])
    broad = broad_field_name(parsed.code)
    where = f"ISCED-F {parsed.code}" + (f", {broad}" if broad else "")
    if parsed.status == "stem" and str(parsed.code)[:2] in rule["stem_broad_fields"]:
        return Criterion("field", Result.MET, Reason.FIELD_STEM,
                         f"{parsed.name} is a STEM field ({where}).", parsed.name, rule["certainty"], rule["source"])
    if parsed.status == "not_stem":
        return Criterion("field", Result.NOT_MET, Reason.FIELD_NOT_STEM,
                         f"{parsed.name} is not a STEM field ({where}); the K visa is for science, technology, "
                         "engineering and mathematics.", parsed.name, rule["certainty"], rule["source"])
    why = f" ({parsed.note})" if parsed.note else ""
    return Criterion("field", Result.UNCERTAIN, Reason.FIELD_BORDERLINE,
                     f"{parsed.name} ({where}) is a borderline field: official texts do not say whether it counts "
                     f"as STEM{why}.", parsed.name, rule["certainty"], rule["source"])


def judge_institution(value) -> Criterion:
    absent = _absent("institution", value)
    if absent:
        return absent
    rule = policy()["rules"]["institution"]
    parsed = match_institution(str(value))
    if parsed.listed:
        where = f" ({parsed.country})" if parsed.country else ""
        return Criterion("institution", Result.MET, Reason.INSTITUTION_LISTED,
                         f"{parsed.name}{where} is on our list of renowned institutions. No official list exists, "
                         "so this is our estimate.", parsed.name, rule["certainty"], rule["source"])
    name = parsed.name or str(value)
    return Criterion("institution", Result.UNCERTAIN, Reason.INSTITUTION_UNLISTED,
                     f"{name} is not on our list of renowned institutions. No official list exists, so it may "
                     "still count: the embassy decides.", name, rule["certainty"], rule["source"])


def assess(age=None, degree=None, field=None, institution=None) -> Verdict:
    criteria = [judge_age(age), judge_degree(degree), judge_field(field), judge_institution(institution)]
    results = {c.result for c in criteria}
    if Result.NOT_MET in results:
        outcome = Outcome.NOT_ELIGIBLE
    elif Result.MISSING in results:
        outcome = Outcome.INCOMPLETE
    elif Result.UNCERTAIN in results:
        outcome = Outcome.UNCERTAIN
    else:
        outcome = Outcome.LIKELY_ELIGIBLE
    spec = policy()
    return Verdict(outcome, criteria, list(spec["caveats"]), list(spec["next_steps"]), spec["version"],
                   missing=[c.criterion for c in criteria if c.result is Result.MISSING])
