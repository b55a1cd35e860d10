"""Gives the eligibility estimate: one line per criterion, caveats, next steps, and a structured payload."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

import kvisa

HEADLINES = {
    kvisa.Outcome.LIKELY_ELIGIBLE: "Likely eligible: on what is published, your profile fits the K visa.",
    kvisa.Outcome.NOT_ELIGIBLE: "Not eligible on the published rules: at least one official condition is not met.",
    kvisa.Outcome.UNCERTAIN: "Uncertain: part of your profile depends on rules that are not published yet.",
    kvisa.Outcome.INCOMPLETE: "Incomplete: I am missing something to give an estimate.",
}
RESULT_MARKS = {
    kvisa.Result.MET: "✓",
    kvisa.Result.NOT_MET: "✗",
    kvisa.Result.UNCERTAIN: "?",
    kvisa.Result.MISSING: "–",
}
CERTAINTY_NOTES = {"official": "official rule", "reported": "reported, not official", "": "no answer"}


def render(verdict: kvisa.Verdict) -> str:
    lines = [HEADLINES[verdict.outcome], ""]
    for c in verdict.criteria:
        note = CERTAINTY_NOTES.get(c.certainty, c.certainty)
        if c.reason_code is kvisa.Reason.INSTITUTION_LISTED:
            note = "official requirement, our own list"
        reason = c.reason
        if verdict.outcome is kvisa.Outcome.NOT_ELIGIBLE and c.reason_code is kvisa.Reason.MISSING:
            reason, note = "not asked: it would not change this outcome.", "not needed"
        lines.append(f"{RESULT_MARKS[c.result]} {c.criterion.capitalize()}: {reason} ({note})")
    lines += ["", "Keep in mind:"] + [f"• {caveat}" for caveat in verdict.caveats]
    if verdict.outcome is not kvisa.Outcome.NOT_ELIGIBLE:
        lines += ["", "Next steps:"] + [f"• {step}" for step in verdict.next_steps]
    lines += ["", f"Based on policy data version {verdict.policy_version}."]
    return "\n".join(lines)


class ActionAssessEligibility(Action):
    def name(self) -> Text:
        return "action_assess_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[Text, Any]]:
        verdict = kvisa.assess(**{name: tracker.get_slot(name) for name in kvisa.CRITERIA})
        # One message with both forms: text channels show the text, the web page draws the card instead.
        dispatcher.utter_message(text=render(verdict), json_message=verdict.to_payload())
        dispatcher.utter_message(response="utter_after_verdict")
        return []
