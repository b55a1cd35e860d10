"""The held-out NLU set stays held out, and no training example is claimed by two intents."""
import collections
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def examples(path):
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if "intent" in block:
            for line in block["examples"].splitlines():
                text = line.strip()[2:].strip().lower()
                if text:
                    yield block["intent"], text


def training():
    return [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in examples(path)]


def test_no_training_example_belongs_to_two_intents():
    owners = collections.defaultdict(set)
    for intent, text in training():
        owners[text].add(intent)
    assert {t: i for t, i in owners.items() if len(i) > 1} == {}


def test_the_test_set_is_not_in_the_training_data():
    trained = {text for _, text in training()}
    assert sorted(text for _, text in examples(ROOT / "tests" / "nlu_test.yml") if text in trained) == []
