"""The K-visa rules: policy as data, parsers for the user's facts, and the eligibility estimate.

Never imports Rasa: the same code answers the command line, the tests and the bot.
"""
from kvisa.assessment import CRITERIA, Outcome, Reason, Result, Verdict, assess, best_degree, changes, describe_degree
from kvisa.parsing import (
    SKIPPED,
    level_label,
    match_institution,
    parse_age,
    parse_degree,
    parse_field,
    parse_purpose,
)
from kvisa.profile import (UNCLEAR, UNLISTED, Degree, Profile, answer_profile, extract_profile, field_named_in_text,
                           profile_from_answers, undone_facts)
from kvisa.zvisa import advice

__all__ = [
    "CRITERIA", "Degree", "Outcome", "Profile", "Reason", "Result", "SKIPPED", "UNCLEAR", "UNLISTED", "Verdict",
    "advice", "answer_profile", "assess", "best_degree", "changes", "describe_degree", "extract_profile",
    "field_named_in_text",
    "level_label", "match_institution", "parse_age", "parse_degree", "parse_field", "parse_purpose",
    "profile_from_answers", "undone_facts",
]
