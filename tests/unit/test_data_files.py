"""Checks a reviewer of kvisa/data and kvisa/policy relies on: every phrase means one thing."""
import collections

from kvisa.datafiles import data, policy
from kvisa.text import normalise


def ambiguous(pairs):
    """Phrases (compared as the matchers compare them) that belong to more than one owner."""
    owners = collections.defaultdict(set)
    for phrase, owner in pairs:
        owners[normalise(phrase)].add(owner)
    return sorted(p for p, who in owners.items() if len(who) > 1)


def field_keywords():
    return [k for f in data("fields")["fields"] for k in (f.get("keywords") or []) + (f.get("answer_keywords") or [])]


def test_each_field_keyword_names_one_field():
    assert ambiguous((k, f["name"]) for f in data("fields")["fields"]
                     for k in (f.get("keywords") or []) + (f.get("answer_keywords") or [])) == []


def test_field_statuses_and_codes_are_valid():
    broad = data("fields")["broad_fields"]
    for entry in data("fields")["fields"]:
        assert entry["status"] in {"stem", "borderline", "not_stem"}, entry["name"]
        assert str(entry["code"])[:2] in broad, entry["name"]
        if entry["status"] == "stem":
            assert str(entry["code"])[:2] in policy()["rules"]["field"]["stem_broad_fields"], entry["name"]


def test_purpose_words_are_not_field_words():
    purposes = {normalise(k) for p in data("purposes")["purposes"] for k in p["keywords"]}
    assert sorted(purposes & {normalise(k) for k in field_keywords()}) == []


def test_each_degree_alias_names_one_level():
    assert ambiguous((a, level) for level, values in data("degrees")["aliases"].items() for a in values) == []


def test_each_institution_name_or_alias_names_one_institution():
    assert ambiguous((n, i["name"]) for i in data("institutions")["institutions"]
                     for n in [i["name"], *(i.get("aliases") or [])]) == []
    assert len(data("institutions")["institutions"]) >= 300


def test_every_policy_rule_has_a_source_and_a_certainty():
    for name, rule in policy()["rules"].items():
        assert rule["source"] and rule["certainty"] in {"official", "reported"}, name
