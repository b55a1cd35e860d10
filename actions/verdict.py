"""Gives the eligibility estimate (one line per criterion, the degree that decided, notes, caveats, next steps,
and a structured payload), and answers what-ifs after it."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import kvisa
from actions.common import latest_text
from actions.profile_slots import PENDING, merge, stored_profile
from kvisa.profile import DOCUMENT_WORDS

HEADLINES = {
    kvisa.Outcome.LIKELY_ELIGIBLE: "Likely eligible: on what is published, {whose} profile fits the K visa.",
    kvisa.Outcome.NOT_ELIGIBLE: "Not eligible on the published rules: at least one official condition is not met.",
    kvisa.Outcome.UNCERTAIN: "Uncertain: part of {whose} profile depends on rules that are not published yet.",
    kvisa.Outcome.INCOMPLETE: "Incomplete: I am missing something to give an estimate.",
}
RESULT_MARKS = {
    kvisa.Result.MET: "✓",
    kvisa.Result.NOT_MET: "✗",
    kvisa.Result.UNCERTAIN: "?",
    kvisa.Result.MISSING: "–",
}
CERTAINTY_NOTES = {"official": "official rule", "reported": "reported, not official", "": "no answer"}


def _possessive(who: str) -> str:
    return f"your {who}'" if who.endswith("s") else f"your {who}'s"  # "your son's", "your students'"


def render(verdict: kvisa.Verdict) -> str:
    whose = _possessive(verdict.applicant) if verdict.applicant else "your"
    lines = [HEADLINES[verdict.outcome].format(whose=whose), ""]
    for c in verdict.criteria:
        note = CERTAINTY_NOTES.get(c.certainty, c.certainty)
        if c.reason_code is kvisa.Reason.INSTITUTION_LISTED:
            note = "official requirement, our own list"
        reason = c.reason
        if verdict.outcome is kvisa.Outcome.NOT_ELIGIBLE and c.reason_code is kvisa.Reason.MISSING:
            reason, note = "not asked: it would not change this outcome.", "not needed"
        lines.append(f"{RESULT_MARKS[c.result]} {c.criterion.capitalize()}: {reason} ({note})")
    if verdict.notes:
        lines += [""] + [f"• {n}" for n in verdict.notes]
    lines += ["", "Keep in mind:"] + [f"• {caveat}" for caveat in verdict.caveats]
    if verdict.outcome is not kvisa.Outcome.NOT_ELIGIBLE:
        lines += ["", "Next steps:"] + [f"• {step}" for step in verdict.next_steps]
    lines += ["", f"Based on policy data version {verdict.policy_version}."]
    return "\n".join(lines)


def send_verdict(dispatcher: CollectingDispatcher, verdict: kvisa.Verdict) -> None:
    # One message with both forms: text channels show the text, the web page draws the card instead.
    dispatcher.utter_message(text=render(verdict), json_message=verdict.to_payload())



def assessed_profile(tracker: Tracker) -> kvisa.Profile:
    """The profile the form is completing: the stored one, or the what-if waiting for a missing fact."""
    stored = stored_profile(tracker)
    pending = tracker.get_slot(PENDING)
    return what_if_profile(stored, pending) if pending else stored


class ActionAssessEligibility(Action):
    def name(self) -> Text:
        return "action_assess_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        pending = tracker.get_slot(PENDING)
        if pending:
            # The form asked what the what-if needed: the what-if's verdict now, against the stored answers.
            _answer_what_if(dispatcher, stored_profile(tracker), pending)
            return [SlotSet(PENDING, None)]
        send_verdict(dispatcher, kvisa.assess(stored_profile(tracker)))
        dispatcher.utter_message(response="utter_after_verdict")
        return []


_HYPOTHETICAL_AGE = re.compile(r"\b(?:i|he|she|they)\s+(?:was|were|am|is|are|'m|'s|'re|would\s+be|turned)\s+"
                               r"(\d{2})\b(?!\s*(?:%|years?\s+(?:of|in|at)))")
_ONLY = re.compile(r"\b(?:only|just|solo|sólo|apenas|seulement|nur)\b")
_ALSO = ("also", "additionally", "as well", "too", "another", "plus", "in addition")


def what_if_profile(current: kvisa.Profile, text: str) -> kvisa.Profile:
    """The current profile with the facts of a what-if changed: a new age; a degree named 'instead' replaces
    the deciding one (keeping its field and institution unless the new one names them); 'also' adds one;
    'already graduated', 'if she didn't teach', 'on campus' take back a degree in progress, the teaching or
    research route, an online degree."""
    return _undo(_with_named_facts(current, text), kvisa.undone_facts(text))


def _with_named_facts(current: kvisa.Profile, text: str) -> kvisa.Profile:
    change = kvisa.extract_profile(text)
    if change.age is None:
        bare = kvisa.parse_age(text) if not change.degrees else None
        if bare is not None and bare.value is not None:
            change = replace(change, age=bare.value)
        else:
            said = _HYPOTHETICAL_AGE.search(text.lower())  # "... from Amirkabir and I was 47?"
            if said and kvisa.parse_age(said.group(1)).value is not None:
                change = replace(change, age=int(said.group(1)))
    if not change.degrees:
        field = kvisa.field_named_in_text(text) if change.age is None else None
        if field:  # "nếu em học văn học (literature) thì sao?": the deciding degree in another field
            change = replace(change, degrees=(kvisa.Degree("", field=field),))
        else:
            return merge(current, replace(change, applicant=None))
    chosen = kvisa.best_degree(current)
    new_degrees = []
    for d in change.degrees:
        if chosen is not None and _the_same_degrees_document(d, chosen, text):
            d = replace(d, level="")  # "and if the same informatics but diploma from Moscow State?"
        if not d.level and chosen is not None:
            d = replace(chosen, field=d.field or chosen.field, institution=d.institution or chosen.institution,
                        institution_text=d.institution_text or (None if d.institution else chosen.institution_text))
        elif chosen is not None:
            d = replace(d, field=d.field or chosen.field,
                        institution=d.institution or (None if d.institution_text else chosen.institution),
                        institution_text=d.institution_text or (None if d.institution else chosen.institution_text))
        new_degrees.append(d)
    adds = any(word in text.lower() for word in _ALSO)
    kept = list(current.degrees) if adds else [d for d in current.degrees if d is not chosen]
    if _ONLY.search(text.lower()) and not adds:
        kept = []  # "what if I had only a diploma in CS?": that would be the only degree
    return replace(current, age=change.age if change.age is not None else current.age,
                   age_note=change.age_note if change.age is not None else current.age_note,
                   degrees=tuple(kept + new_degrees))


_A_DIPLOMA = re.compile(r"\b(?:a|an|only|just|one)\s+(?:[\w-]+\s+)?(?:diploma|diplom|diplome|diplôme|certificate)\b")


def _the_same_degrees_document(degree: kvisa.Degree, chosen: kvisa.Degree, text: str) -> bool:
    """'the same diploma from ETH', 'but diploma from Moscow State': in a what-if about a bachelor's or higher (or
    a degree of unclear level), that degree's document; 'only a diploma in CS' is a lower degree."""
    return (degree.level == "below_bachelor" and degree.written.strip().lower() in DOCUMENT_WORDS
            and bool(chosen.level) and chosen.level != "below_bachelor"
            and not _A_DIPLOMA.search(text.lower()))


def _undo(profile: kvisa.Profile, undone: frozenset) -> kvisa.Profile:
    degrees = profile.degrees
    if "finished" in undone:
        degrees = tuple(replace(d, in_progress=False) for d in degrees)
    if "on_campus" in undone:
        degrees = tuple(replace(d, online=False) for d in degrees)
    return replace(profile, degrees=degrees,
                   online_hint=profile.online_hint and "on_campus" not in undone,
                   teaching_or_research=profile.teaching_or_research and "no_research" not in undone)


class ActionWhatIf(Action):
    """'What if I were 47?', 'and with my master's from Delft instead?': the verdict again with the changed
    fact, and what changed. The stored answers stay as they are."""

    def name(self) -> Text:
        return "action_what_if"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        current = stored_profile(tracker)
        text = latest_text(tracker)
        if current.is_empty():
            # No verdict yet to compare with: this is a profile to check.
            return [FollowupAction("eligibility_form")]
        changed = what_if_profile(current, text)
        if changed == current:
            dispatcher.utter_message(response="utter_what_if_nothing")
            return []
        before, after = kvisa.assess(current), kvisa.assess(changed)
        if after.outcome is kvisa.Outcome.INCOMPLETE and before.outcome is kvisa.Outcome.NOT_ELIGIBLE:
            # The first verdict did not need every answer (a non-STEM field, no degree); this one does: ask
            # for what is missing, then answer the what-if (ActionAssessEligibility).
            dispatcher.utter_message(response="utter_what_if_needs")
            return [SlotSet(PENDING, text), FollowupAction("eligibility_form")]
        _answer_what_if(dispatcher, current, text)
        return []


def _answer_what_if(dispatcher: CollectingDispatcher, current: kvisa.Profile, text: str) -> None:
    changed = what_if_profile(current, text)
    before, after = kvisa.assess(current), kvisa.assess(changed)
    send_verdict(dispatcher, after)
    who = f"for your {current.applicant}" if current.applicant else "hypothetical"
    dispatcher.utter_message(response="utter_what_if_changes", applicant=who,
                             changes=" ".join(kvisa.changes(before, after)))
