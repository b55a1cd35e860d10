"""The K-visa rules: policy as data, parsers for the user's facts, and the eligibility estimate.

Never imports Rasa: the same code answers the command line, the tests and the bot.
"""
from kvisa.assessment import CRITERIA, Outcome, Reason, Result, Verdict, assess
from kvisa.parsing import (
    SKIPPED,
    level_label,
    match_institution,
    parse_age,
    parse_degree,
    parse_field,
    parse_purpose,
)
from kvisa.zvisa import advice

__all__ = [
    "CRITERIA", "Outcome", "Reason", "Result", "SKIPPED", "Verdict", "advice", "assess", "level_label",
    "match_institution", "parse_age", "parse_degree", "parse_field", "parse_purpose",
]
