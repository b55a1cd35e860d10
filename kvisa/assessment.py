"""Decides the K-visa eligibility estimate from a Profile (kvisa.profile), using the policy file.

`assess(profile)` returns a Verdict: an outcome, one Criterion per fact with a reason code, a sentence, and
the certainty and source of the rule that decided it; which degree decided; and notes (a degree in progress,
a profile checked for someone else). It never reads the user's text: `kvisa.profile` did that at the edge.
Sentences come from kvisa/data/verdict_text.yml, numbers from the policy file.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Optional

from kvisa.datafiles import data, policy
from kvisa.parsing import SKIPPED, broad_field_name, level_label, level_rank, parse_field
from kvisa.profile import UNCLEAR, UNLISTED, Degree, Profile


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
    DEGREE_EQUIVALENCE_UNCLEAR = "DEGREE_EQUIVALENCE_UNCLEAR"
    DEGREE_ONLINE = "DEGREE_ONLINE"
    DEGREE_IN_PROGRESS = "DEGREE_IN_PROGRESS"
    FIELD_STEM = "FIELD_STEM"
    FIELD_BORDERLINE = "FIELD_BORDERLINE"
    FIELD_NOT_STEM = "FIELD_NOT_STEM"
    FIELD_NOT_STEM_RESEARCH_ROUTE = "FIELD_NOT_STEM_RESEARCH_ROUTE"
    INSTITUTION_LISTED = "INSTITUTION_LISTED"
    INSTITUTION_UNLISTED = "INSTITUTION_UNLISTED"


CRITERIA = ("age", "degree", "field", "institution")
_RANK = {Result.MET: 3, Result.UNCERTAIN: 2, Result.MISSING: 1, Result.NOT_MET: 0}


@lru_cache(maxsize=None)
def _text() -> dict:
    return data("verdict_text")


def say(code: str, **values) -> str:
    """The sentence for a reason or note code, filled with values (one catalogue for every channel)."""
    return " ".join(str(_text()["sentences"][code]).split()).format(**values)


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
    degree_used: Optional[str] = None     # "Master's degree in Robotics (Technical University of Munich)"
    notes: list[str] = field(default_factory=list)
    applicant: Optional[str] = None

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


def _missing(name: str, skipped: bool) -> Criterion:
    if skipped:
        return Criterion(name, Result.MISSING, Reason.SKIPPED, say("SKIPPED", name=name), certainty="")
    return Criterion(name, Result.MISSING, Reason.MISSING, say("MISSING", name=name), certainty="")


def judge_age(age: Optional[int], skipped: bool = False, note: Optional[str] = None) -> Criterion:
    if age is None:
        return _missing("age", skipped)
    rule = policy()["rules"]["age"]
    shown = f"{age} ({note})" if note else str(age)
    official_min, official_max = rule.get("official_min"), rule.get("official_max")
    if official_min is not None or official_max is not None:
        low = official_min if official_min is not None else 0
        high = official_max if official_max is not None else 200
        inside = low <= age <= high
        return Criterion("age", Result.MET if inside else Result.NOT_MET,
                         Reason.AGE_WITHIN_OFFICIAL_LIMIT if inside else Reason.AGE_OUTSIDE_OFFICIAL_LIMIT,
                         say("AGE_WITHIN_OFFICIAL_LIMIT" if inside else "AGE_OUTSIDE_OFFICIAL_LIMIT",
                             age=shown, low=low, high=high), str(age), "official", rule["source"])
    low, high = rule["reported_min"], rule["reported_max"]
    if age > high:
        code = Reason.AGE_ABOVE_REPORTED_MAX
    elif age < low:
        code = Reason.AGE_BELOW_REPORTED_MIN
    else:
        code = Reason.AGE_WITHIN_REPORTED_RANGE
    result = Result.MET if code is Reason.AGE_WITHIN_REPORTED_RANGE else Result.UNCERTAIN
    return Criterion("age", result, code, say(code.value, age=shown, low=low, high=high), str(age), "reported",
                     rule["reported_source"])


def judge_degree(degree: Optional[Degree], skipped: bool = False) -> Criterion:
    if degree is None or not degree.level:
        return _missing("degree", skipped)
    rule = policy()["rules"]["degree"]
    if degree.level == UNCLEAR:
        return Criterion("degree", Result.UNCERTAIN, Reason.DEGREE_EQUIVALENCE_UNCLEAR,
                         say("DEGREE_EQUIVALENCE_UNCLEAR", written=degree.written or "this degree"),
                         degree.written, rule["certainty"], rule["source"])
    label = level_label(degree.level)
    if degree.in_progress:
        return Criterion("degree", Result.NOT_MET, Reason.DEGREE_IN_PROGRESS,
                         say("DEGREE_IN_PROGRESS", label=label), label, rule["certainty"], rule["source"])
    if level_rank(degree.level) < level_rank(rule["minimum_level"]):
        return Criterion("degree", Result.NOT_MET, Reason.DEGREE_BELOW_MINIMUM, say("DEGREE_BELOW_MINIMUM", label=label),
                         label, rule["certainty"], rule["source"])
    if degree.online:
        online = policy()["rules"]["online_degrees"]
        return Criterion("degree", Result.UNCERTAIN, Reason.DEGREE_ONLINE, say("DEGREE_ONLINE", label=label),
                         label, online["certainty"], online["source"])
    return Criterion("degree", Result.MET, Reason.DEGREE_AT_OR_ABOVE_MINIMUM,
                     say("DEGREE_AT_OR_ABOVE_MINIMUM", label=label), label, rule["certainty"], rule["source"])


def judge_field(name: Optional[str], skipped: bool = False, research_route: bool = False) -> Criterion:
    if not name:
        return _missing("field", skipped)
    rule = policy()["rules"]["field"]
    parsed = parse_field(name)
    if parsed.name is None:
        return Criterion("field", Result.UNCERTAIN, Reason.FIELD_BORDERLINE, say("FIELD_UNKNOWN", name=name),
                         name, rule["certainty"], rule["source"])
    broad = broad_field_name(parsed.code)
    where = f"ISCED-F {parsed.code}" + (f", {broad}" if broad else "")
    if parsed.status == "stem" and str(parsed.code)[:2] in rule["stem_broad_fields"]:
        return Criterion("field", Result.MET, Reason.FIELD_STEM, say("FIELD_STEM", name=parsed.name, where=where),
                         parsed.name, rule["certainty"], rule["source"])
    if parsed.status == "not_stem":
        if research_route:
            route = policy()["rules"]["teaching_research_route"]
            return Criterion("field", Result.UNCERTAIN, Reason.FIELD_NOT_STEM_RESEARCH_ROUTE,
                             say("FIELD_NOT_STEM_RESEARCH_ROUTE", name=parsed.name, where=where),
                             parsed.name, route["certainty"], route["source"])
        return Criterion("field", Result.NOT_MET, Reason.FIELD_NOT_STEM, say("FIELD_NOT_STEM", name=parsed.name, where=where),
                         parsed.name, rule["certainty"], rule["source"])
    why = f" ({parsed.note})" if parsed.note else ""
    return Criterion("field", Result.UNCERTAIN, Reason.FIELD_BORDERLINE,
                     say("FIELD_BORDERLINE", name=parsed.name, where=where, why=why),
                     parsed.name, rule["certainty"], rule["source"])


def judge_institution(institution: Optional[str], written: Optional[str] = None, skipped: bool = False) -> Criterion:
    if not institution:
        return _missing("institution", skipped)
    rule = policy()["rules"]["institution"]
    if institution != UNLISTED:
        from kvisa.parsing import match_institution
        entry = match_institution(institution)
        where = f" ({entry.country})" if entry.listed and entry.country else ""
        return Criterion("institution", Result.MET, Reason.INSTITUTION_LISTED,
                         say("INSTITUTION_LISTED", name=institution, where=where), institution,
                         rule["certainty"], rule["source"])
    name = written or say("AN_UNNAMED_INSTITUTION")
    return Criterion("institution", Result.UNCERTAIN, Reason.INSTITUTION_UNLISTED,
                     say("INSTITUTION_UNLISTED", name=name), name, rule["certainty"], rule["source"])


def _degree_criteria(degree: Optional[Degree], profile: Profile) -> list[Criterion]:
    skipped = set(profile.skipped)
    return [judge_degree(degree, "degree" in skipped),
            judge_field(degree.field if degree else None, "field" in skipped, profile.teaching_or_research),
            judge_institution(degree.institution if degree else None, degree.institution_text if degree else None,
                              "institution" in skipped)]


def degree_route_score(degree: Degree) -> tuple:
    """How well one degree qualifies, for choosing among several: the worst criterion first, then the rest,
    then the level (a STEM master's beats a non-STEM bachelor's; a finished degree beats one in progress)."""
    criteria = _degree_criteria(degree, Profile())
    ranks = sorted(_RANK[c.result] for c in criteria)
    level = level_rank(degree.level) if degree.level and degree.level != UNCLEAR else 0
    return (ranks, 0 if degree.in_progress else 1, level)


def best_degree(profile: Profile) -> Optional[Degree]:
    """The degree that decides: the best completed one; a degree in progress only when nothing else is known."""
    degrees = [d for d in profile.degrees if d.level]
    if not degrees:
        # only a field or an institution so far: it is the degree's, whose level is still to be asked
        return next((d for d in profile.degrees if d.field or d.institution), None)
    return max(degrees, key=degree_route_score)


def describe_degree(degree: Degree) -> str:
    if not degree.level:
        label = say("A_DEGREE")
    else:
        label = degree.written if degree.level == UNCLEAR else level_label(degree.level)
    parts = [label]
    if degree.field:
        parts.append(say("DEGREE_IN_FIELD", field=degree.field))
    if degree.institution and degree.institution != UNLISTED:
        parts.append(f"({degree.institution})")
    elif degree.institution_text:
        parts.append(f"({degree.institution_text})")
    return " ".join(parts)


def assess(profile: Optional[Profile] = None) -> Verdict:
    profile = profile or Profile()
    skipped = set(profile.skipped)
    chosen = best_degree(profile)
    criteria = [judge_age(profile.age, "age" in skipped, profile.age_note)] + _degree_criteria(chosen, profile)
    results = {c.result for c in criteria}
    if Result.NOT_MET in results:
        outcome = Outcome.NOT_ELIGIBLE
    elif Result.MISSING in results:
        outcome = Outcome.INCOMPLETE
    elif Result.UNCERTAIN in results:
        outcome = Outcome.UNCERTAIN
    else:
        outcome = Outcome.LIKELY_ELIGIBLE
    # The second official route: a non-STEM or missing degree, but professional teaching or research.
    if outcome is Outcome.NOT_ELIGIBLE and profile.teaching_or_research:
        outcome = Outcome.UNCERTAIN
    notes = []
    if profile.applicant:
        notes.append(say("NOTE_FOR_SOMEONE_ELSE", who=profile.applicant))
    usable = [d for d in profile.degrees if d.level]
    if chosen is not None and chosen.level and len(usable) > 1:
        notes.append(say("NOTE_DEGREE_USED", degree=describe_degree(chosen)))
    for d in usable:
        if d.in_progress and d is not chosen:
            notes.append(say("NOTE_IN_PROGRESS", degree=describe_degree(d)))
    if profile.teaching_or_research:
        notes.append(say("NOTE_RESEARCH_ROUTE"))
    spec = policy()
    return Verdict(outcome, criteria, list(spec["caveats"]), list(spec["next_steps"]), spec["version"],
                   missing=[c.criterion for c in criteria if c.result is Result.MISSING],
                   degree_used=describe_degree(chosen) if chosen is not None and chosen.level else None,
                   notes=notes, applicant=profile.applicant)


def changes(before: Verdict, after: Verdict) -> list[str]:
    """What a what-if changed, one sentence per changed criterion and one for the outcome."""
    out = []
    for old, new in zip(before.criteria, after.criteria):
        if (old.value, old.result) != (new.value, new.result):
            out.append(say("CHANGE_CRITERION", criterion=new.criterion, old=old.value or "-", new=new.value or "-",
                           result=new.result.value.replace("_", " ")))
    if before.outcome is not after.outcome:
        out.append(say("CHANGE_OUTCOME", old=before.outcome.value.replace("_", " "),
                       new=after.outcome.value.replace("_", " ")))
    elif not out:
        out.append(say("CHANGE_NONE"))
    return out
