"""The generated NLU examples (kvisa/training_examples.py): the same file every run, valid Rasa NLU data with
known intents only, no empty or duplicate example, and no example claimed by two intents."""
import collections
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kvisa import training_examples as te
from kvisa.parsing import parse_degree

ROOT = Path(__file__).resolve().parents[2]


def known_intents():
    core = yaml.safe_load((ROOT / "domain" / "core.yml").read_text(encoding="utf-8"))
    faq = yaml.safe_load((ROOT / "domain" / "faq.yml").read_text(encoding="utf-8"))
    topics = {name[len("utter_"):] for name in faq.get("responses", {}) if name.startswith("utter_faq/")}
    return (set(core["intents"]) - {"faq"}) | topics


def examples(content):
    for block in content["nlu"]:
        assert set(block) == {"intent", "examples"}, block
        lines = block["examples"].splitlines()
        for line in lines:
            assert line.startswith("- "), line
            yield block["intent"], line[2:]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    paths = [tmp_path_factory.mktemp(f"run{i}") / "generated.yml" for i in (1, 2)]
    for path in paths:
        subprocess.run([sys.executable, "-m", "kvisa.training_examples", str(path)], cwd=ROOT, check=True,
                       capture_output=True)
    return [path.read_text(encoding="utf-8") for path in paths]


def test_two_runs_write_the_same_file(generated):
    assert generated[0] == generated[1]


def test_the_output_is_rasa_nlu_data_with_known_intents_only(generated):
    content = yaml.safe_load(generated[0])
    assert content["version"] == "3.1"
    intents = {intent for intent, _ in examples(content)}
    assert intents - known_intents() == set()
    assert {"check_eligibility", "inform", "what_if"} <= intents


def test_no_empty_or_duplicate_example(generated):
    pairs = list(examples(yaml.safe_load(generated[0])))
    assert [text for _, text in pairs if not text.strip()] == []
    counts = collections.Counter((intent, te.normalise(text)) for intent, text in pairs)
    assert [pair for pair, n in counts.items() if n > 1] == []


def test_no_example_belongs_to_two_intents(generated):
    owners = collections.defaultdict(set)
    for intent, text in te.hand_written():
        owners[te.normalise(text)].add(intent)
    for intent, text in examples(yaml.safe_load(generated[0])):
        owners[te.normalise(text)].add(intent)
    generated_texts = {te.normalise(t) for _, t in examples(yaml.safe_load(generated[0]))}
    assert {t: i for t, i in owners.items() if len(i) > 1 and t in generated_texts} == {}


def test_sizes_stay_within_the_training_budget(generated):
    counts = collections.Counter(intent for intent, _ in examples(yaml.safe_load(generated[0])))
    # about a quarter of the hand-written examples get a typo'd copy, so this grows with data/nlu; the linear
    # classifier trains on all of it in about 2 minutes
    assert sum(counts.values()) < 3000
    assert counts["check_eligibility"] >= 300
    assert counts["inform"] >= 220
    assert counts["what_if"] >= 130
    # typo'd variants of the hand-written examples, faq topics included
    assert any(intent.startswith("faq/") for intent in counts)


def test_the_held_out_messages_are_not_generated(generated):
    test_set = ROOT / "tests" / "nlu_test.yml"
    if not test_set.exists():
        pytest.skip("no tests/nlu_test.yml")
    held = set()
    for block in yaml.safe_load(test_set.read_text(encoding="utf-8"))["nlu"]:
        for line in str(block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                held.add(te.normalise(line.strip()[2:]))
    assert sorted(t for _, t in examples(yaml.safe_load(generated[0])) if te.normalise(t) in held) == []


@pytest.mark.parametrize("level", sorted(te.DEGREES))
def test_every_degree_name_is_read_as_its_level(level):
    assert {name: parse_degree(name).level for name in te.DEGREES[level]} == {n: level for n in te.DEGREES[level]}


def test_the_common_fields_are_in_the_field_list():
    assert te.Vocabulary().common_fields == te.COMMON_FIELDS


def test_a_typo_variant_differs_and_keeps_nothing_empty():
    for text in ["can you tell me what the K visa is?", "I'm 29 with a PhD in physics", "what's the age limit"]:
        variant = te.typo_variant(text)
        assert variant and variant.strip() and te.normalise(variant) != te.normalise(text)
    assert te.typo_variant("no") is None
