"""Replays tests/scenarios.yml: each applicant row against the policy."""
from pathlib import Path

import pytest
import yaml

from kvisa import assess, profile_from_answers

ROWS = yaml.safe_load((Path(__file__).parents[1] / "scenarios.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_scenario(row):
    verdict = assess(profile_from_answers(age=row["age"], degree=row["degree"], field=row["field"],
                                          institution=row["institution"]))
    assert verdict.outcome.value == row["expect"], [(c.criterion, c.result.value, c.reason) for c in verdict.criteria]
    for name, expected in (row.get("criteria") or {}).items():
        assert verdict.criterion(name).result.value == expected, verdict.criterion(name)
