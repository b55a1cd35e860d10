"""The held-out set (tests/heldout/) stays held out: no training example may be the same as, or a near-duplicate
of, a held-out text; and the held-out files are well formed. Reads the YAML directly (no Rasa import).

Training examples: every `intent:` block's `examples` in data/*.yml, data/nlu/*.yml and any generated file under
build/nlu/ (lookup, synonym and regex lists are word lists, not examples, and are not compared). Held-out texts:
message texts, conversation openings, answers and follow-ups. An answer of fewer than 5 tokens is a bare value
("29", "PhD", "computer science", "IIT Bombay"), which the training data must be free to contain: such answers
are not compared (ANSWER_MIN_TOKENS); longer answers are. The same holds for a conversation's opening of
fewer than 5 tokens (a bare "hi").

Same after normalisation (lower case, punctuation dropped, whitespace collapsed), or near: token-set Jaccard
>= 0.8 when both texts have 5+ tokens, or rapidfuzz fuzz.ratio >= 92 on the normalised texts.
"""
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "heldout"
JACCARD_MIN = 0.8
JACCARD_MIN_TOKENS = 5
RATIO_MIN = 92
ANSWER_MIN_TOKENS = 5  # shorter answers to the form's questions are bare values, not sentences
VERDICTS = {"likely_eligible", "uncertain", "not_eligible"}
ASKED_FACTS = {"age", "degree", "field", "institution"}

# [text](entity), [text](entity:value), [text]{"entity": ...}, [text]{"entity": ...}{...}
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|(?:\{[^}]*\})+)")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text)
    return " ".join(text.split())


def strip_annotations(text: str) -> str:
    return _ANNOTATION.sub(r"\1", text)


# ------------------------------------------------------------------------------------------ loading


def training_files() -> list:
    files = sorted((ROOT / "data").glob("*.yml")) + sorted((ROOT / "data" / "nlu").glob("*.yml"))
    build = ROOT / "build" / "nlu"
    if build.is_dir():
        files += sorted(p for p in build.rglob("*") if p.suffix in {".yml", ".yaml"})
    return files


def training_examples() -> list:
    """(file, intent, text) for every training example."""
    out = []
    for path in training_files():
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(content, dict):
            continue
        for block in content.get("nlu") or []:
            if not isinstance(block, dict) or "intent" not in block:
                continue
            examples = block.get("examples") or ""
            lines = examples.splitlines() if isinstance(examples, str) else [
                e.get("text", "") if isinstance(e, dict) else str(e) for e in examples]
            for line in lines:
                line = line.strip()
                if line.startswith("- "):
                    line = line[2:]
                text = strip_annotations(line).strip()
                if text:
                    out.append((path.relative_to(ROOT).as_posix(), block["intent"], text))
    return out


def heldout_files(kind: str) -> list:
    return sorted(HELDOUT.glob(f"{kind}_*.yml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def heldout_texts() -> list:
    """(where, text) for every held-out text a user would type."""
    out = []
    for path in heldout_files("messages"):
        for i, m in enumerate(load(path).get("messages") or []):
            out.append((f"{path.name} message {i + 1}", m["text"]))
    for path in heldout_files("conversations"):
        for c in load(path).get("conversations") or []:
            where = f"{path.name} {c.get('id')}"
            # a bare greeting that opens a conversation ("hi") is no more avoidable than a bare answer, and
            # a conversation is scored by its verdict, not by how its opening was read
            if len(normalise(c["opening"]).split()) >= ANSWER_MIN_TOKENS:
                out.append((f"{where} opening", c["opening"]))
            for key, answer in (c.get("answers") or {}).items():
                if len(normalise(answer).split()) >= ANSWER_MIN_TOKENS:
                    out.append((f"{where} answer {key}", str(answer)))
            for j, f in enumerate(c.get("followups") or []):
                out.append((f"{where} followup {j + 1}", f["say"]))
    return out


# ------------------------------------------------------------------------------------------ overlap


def overlapping_pairs(training: list, heldout: list) -> list:
    """(how, score, held-out where, held-out text, training file, intent, training text) for every offending pair."""
    train_norm = [normalise(t) for _, _, t in training]
    held_norm = [normalise(t) for _, t in heldout]
    found = {}

    # identical after normalisation
    by_text = {}
    for j, text in enumerate(train_norm):
        by_text.setdefault(text, []).append(j)
    for i, text in enumerate(held_norm):
        for j in by_text.get(text, []):
            found[(i, j)] = ("identical", 100.0)

    # fuzz.ratio on the normalised texts, all pairs at once
    if train_norm and held_norm:
        scores = process.cdist(held_norm, train_norm, scorer=fuzz.ratio, score_cutoff=RATIO_MIN,
                               dtype=np.uint8, workers=-1)
        for i, j in zip(*np.nonzero(scores)):
            found.setdefault((int(i), int(j)), ("ratio", float(scores[i, j])))

    # token-set Jaccard through an index by token
    train_sets = [set(t.split()) for t in train_norm]
    index = {}
    for j, tokens in enumerate(train_sets):
        if len(tokens) >= JACCARD_MIN_TOKENS:
            for token in tokens:
                index.setdefault(token, []).append(j)
    for i, text in enumerate(held_norm):
        tokens = set(text.split())
        if len(tokens) < JACCARD_MIN_TOKENS:
            continue
        shared = {}
        for token in tokens:
            for j in index.get(token, ()):
                shared[j] = shared.get(j, 0) + 1
        for j, common in shared.items():
            jaccard = common / (len(tokens) + len(train_sets[j]) - common)
            if jaccard >= JACCARD_MIN:
                found.setdefault((i, j), ("jaccard", round(jaccard, 3)))

    return sorted((how, score, heldout[i][0], heldout[i][1], training[j][0], training[j][1], training[j][2])
                  for (i, j), (how, score) in found.items())


def test_normalise():
    assert normalise("  Hi,  is there an AGE-limit?? ") == "hi is there an age limit"
    assert strip_annotations('I am [27](age) with a [BSc]{"entity": "degree"} from [MIT](institution:mit)') \
        == "I am 27 with a BSc from MIT"


def test_the_pair_finder_finds_near_duplicates():
    training = [("t.yml", "faq/fees", "How much does the K visa cost?"),
                ("t.yml", "greet", "hello"),
                ("t.yml", "faq/quota", "is there a yearly quota for the k visa in china")]
    heldout = [("h", "how much does the k visa cost"),            # identical after normalisation
               ("h", "is there a yearly quota for k visa in china"),  # Jaccard 8/9 (and ratio)
               ("h", "helo"),                                       # ratio 89: not near
               ("h", "what documents do I need")]
    pairs = overlapping_pairs(training, heldout)
    assert [(p[0], p[3]) for p in pairs] == [("identical", "how much does the k visa cost"),
                                            ("ratio", "is there a yearly quota for k visa in china")]


def test_no_training_example_is_a_heldout_text_or_a_near_duplicate():
    training = training_examples()
    heldout = heldout_texts()
    assert training and heldout
    pairs = overlapping_pairs(training, heldout)
    for how, score, where, held, file, intent, text in pairs:
        print(f"{how} ({score}): held-out {where}: {held!r}\n    training {file} [{intent}]: {text!r}")
    assert not pairs, f"{len(pairs)} training example(s) overlap the held-out set (printed above)"


# ------------------------------------------------------------------------------------------ the files


def readme_labels() -> set:
    """The intents listed under "Intents:" and faq/<topic> for every row of the topic table."""
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Labels", 1)[1]
    intents_part, table_part = section.split("| topic |", 1)
    labels = set(re.findall(r"`([a-z0-9_]+)`", intents_part))
    labels |= {f"faq/{topic}" for topic in re.findall(r"^\|\s*([a-z0-9_]+)\s*\|", table_part, re.MULTILINE)}
    return labels


def test_the_readme_defines_the_labels():
    labels = readme_labels()
    assert {"greet", "check_eligibility", "what_if", "out_of_scope", "faq/what_is", "faq/stay_updated"} <= labels
    assert "topic" not in labels and "faq" not in labels


def test_the_heldout_files_parse_and_use_known_labels():
    labels = readme_labels()
    messages = [(p.name, m) for p in heldout_files("messages") for m in load(p).get("messages") or []]
    conversations = [(p.name, c) for p in heldout_files("conversations") for c in load(p).get("conversations") or []]
    assert len(messages) >= 300, f"only {len(messages)} held-out messages"
    assert len(conversations) >= 60, f"only {len(conversations)} held-out conversations"

    problems = []
    for name, m in messages:
        if not isinstance(m.get("text"), str) or not m["text"].strip():
            problems.append(f"{name}: message without text: {m!r}"[:200])
        for key in ("intent", "also"):
            if key in m and m[key] not in labels:
                problems.append(f"{name}: unknown {key} label {m[key]!r}")
        if "intent" not in m:
            problems.append(f"{name}: message without intent: {str(m.get('text'))[:80]!r}")
        facts = m.get("facts")
        if facts is not None and not isinstance(facts, dict):
            problems.append(f"{name}: facts is not a mapping: {str(m.get('text'))[:80]!r}")
    ids = set()
    for name, c in conversations:
        cid = c.get("id")
        if cid in ids:
            problems.append(f"{name}: duplicate conversation id {cid!r}")
        ids.add(cid)
        if not isinstance(c.get("opening"), str) or not c["opening"].strip():
            problems.append(f"{name} {cid}: no opening")
        if c.get("expect") not in VERDICTS:
            problems.append(f"{name} {cid}: expect {c.get('expect')!r} is not one of {sorted(VERDICTS)}")
        if not set(c.get("answers") or {}) <= ASKED_FACTS:
            problems.append(f"{name} {cid}: answers for {sorted(set(c['answers']) - ASKED_FACTS)}")
        for f in c.get("followups") or []:
            if not isinstance(f.get("say"), str):
                problems.append(f"{name} {cid}: follow-up without say")
            if "expect" in f and f["expect"] not in VERDICTS:
                problems.append(f"{name} {cid}: follow-up expect {f['expect']!r}")
            if "intent" in f and f["intent"] not in labels:
                problems.append(f"{name} {cid}: unknown follow-up intent {f['intent']!r}")
    assert problems == []


if __name__ == "__main__":
    raise SystemExit(pytest.main(["-q", "-s", __file__]))
