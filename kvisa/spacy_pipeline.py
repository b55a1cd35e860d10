"""Builds the project's own spaCy pipeline: blank English plus entity rules made from kvisa/data.

    python -m kvisa.spacy_pipeline build/spacy/kvisa_en [build/vectors/en_core_web_md]

No model is downloaded: the pipeline is `spacy.blank("en")` with an `entity_ruler` whose patterns come from
the degree, field, institution and purpose files, plus token patterns for ages ("I'm 29", "29 years old",
"aged twenty-nine"). Rasa's SpacyNLP loads the written directory; SpacyEntityExtractor turns its entities into
Rasa entities named age, degree, field, institution and purpose. Building twice from the same data gives the
same directory. With a second argument, the word vectors in that directory (en_core_web_md's, fetched by
scripts/fetch-vectors.sh) become the pipeline's vectors, so that Rasa's SpacyFeaturizer gives the classifiers
dense features in which "salary" is near "wage".
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

from kvisa.datafiles import data
from kvisa.parsing import _CAPITALS_ONLY
from kvisa.text import strip_accents

AGE_UNITS = ["years", "year", "yrs", "yr", "y/o", "yo", "y.o", "y.o.", "ans", "años", "anos", "jahre", "岁"]
NUMBER_WORDS = {"twenty", "thirty", "forty", "fourty", "fifty", "sixty", "seventy", "eighty", "ninety",
                "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}


def _variants(phrase: str) -> set[str]:
    """The spellings a user may type for one alias: with and without accents, straight or curly apostrophes."""
    out = {phrase, strip_accents(phrase)}
    out |= {p.replace("'", "’") for p in out if "'" in p}
    return {p for p in out if p.strip()}


def _abbreviation_pattern(label: str, alias: str, case_sensitive: bool = False) -> dict:
    """'msc' also matches 'M.Sc' and 'M.Sc.': one token, dots optional between letters."""
    body = r"\.?".join(re.escape(ch) for ch in alias) + r"\.?"
    attr = "TEXT" if case_sensitive else "LOWER"
    return {"label": label, "pattern": [{attr: {"REGEX": f"^{body}$"}}]}


def _phrase_patterns(label: str, phrases, capitals_only=frozenset(), dotted: bool = False) -> list[dict]:
    """Phrase patterns; with `dotted`, short one-word aliases also match when written with dots."""
    patterns = []
    for phrase in sorted(set(phrases)):
        if not phrase or not str(phrase).strip():
            continue
        phrase = str(phrase).strip()
        if phrase.lower() in capitals_only:
            patterns.append(_abbreviation_pattern(label, phrase.upper(), case_sensitive=True))
        elif dotted and re.fullmatch(r"[a-z0-9]{2,7}", phrase.lower()):
            patterns.append(_abbreviation_pattern(label, phrase.lower()))
        else:
            patterns += [{"label": label, "pattern": v.lower()} for v in sorted(_variants(phrase))]
    return patterns


def _age_patterns() -> list[dict]:
    number = {"LIKE_NUM": True}
    worded = [{"LOWER": {"IN": sorted(NUMBER_WORDS)}}, {"ORTH": "-", "OP": "?"}, {"LOWER": {"IN": sorted(NUMBER_WORDS)}, "OP": "?"}]
    unit = {"LOWER": {"IN": AGE_UNITS}}
    i_am = [{"LOWER": {"IN": ["i", "im", "i'm", "i’m"]}}, {"LOWER": {"IN": ["'m", "’m", "am", "m"]}, "OP": "?"}]
    adverb = {"LOWER": {"IN": ["now", "only", "just", "actually", "really", "currently", "already"]}, "OP": "?"}
    aged = [{"LOWER": {"IN": ["age", "aged"]}}, {"LOWER": {"IN": ["is", ":", "=", "of"]}, "OP": "?"}]
    shapes = [
        [number, unit, {"LOWER": "old", "OP": "?"}],
        [*worded, unit, {"LOWER": "old", "OP": "?"}],
        [{"LOWER": {"REGEX": r"^\d{1,3}(yo|y/o|yrs?|y\.o\.?|[mf]|岁)$"}}],
        # "28, BSc history, Oxford": a two-digit number opening the message
        [{"IS_SENT_START": True, "LOWER": {"REGEX": r"^[1-9]\d$"}}, {"ORTH": {"IN": [",", "/", "-", ";"]}}],
        # "a biologist, 35, PhD from USP": a plausible age set off by commas
        [{"ORTH": ","}, {"LOWER": {"REGEX": r"^(1[6-9]|[2-7]\d)$"}}, {"ORTH": {"IN": [",", ".", ";"]}}],
        # "my wife is 41", "he's 38": someone else's age, for a check on their behalf
        [{"LOWER": {"IN": ["he", "she", "wife", "husband", "partner", "son", "daughter", "friend", "brother",
                           "sister", "colleague", "student"]}}, {"LOWER": {"IN": ["is", "'s", "’s"]}},
         {"LOWER": {"REGEX": r"^(1[6-9]|[2-9]\d)$"}}],
        # "25 y/o" (split into 25 / y / / / o)
        [number, {"LOWER": "y"}, {"ORTH": "/"}, {"LOWER": "o"}],
        [*aged, number],
        [*aged, *worded],
        [*i_am, adverb, {"LIKE_NUM": True, "LOWER": {"REGEX": r"^\d{1,3}$"}}],
        [*i_am, adverb, *worded],
    ]
    return [{"label": "age", "pattern": shape} for shape in shapes]


def patterns() -> list[dict]:
    degrees = data("degrees")
    fields = data("fields")
    institutions = data("institutions")["institutions"]
    out = _age_patterns()
    out += _phrase_patterns("degree", [a for aliases in degrees["aliases"].values() for a in aliases], dotted=True)
    for alias in (degrees.get("case_sensitive_aliases") or {}):
        out.append(_abbreviation_pattern("degree", alias, case_sensitive=True))
    out += _phrase_patterns("field", [f["name"] for f in fields["fields"]]
                            + [k for f in fields["fields"] for k in f.get("keywords") or []], _CAPITALS_ONLY)
    for keyword in fields.get("case_sensitive_keywords") or {}:
        out.append(_abbreviation_pattern("field", keyword, case_sensitive=True))
    out += _phrase_patterns("institution", [i["name"] for i in institutions]
                            + [a for i in institutions for a in i.get("aliases") or []])
    out += _phrase_patterns("purpose", [k for p in data("purposes")["purposes"] for k in p["keywords"]])
    return out


def _load_vectors(nlp, source: Path) -> None:
    """Vectors.from_disk also wants a strings file, which the vector files come without: give it an empty one."""
    import tempfile

    from spacy.vectors import Vectors

    with tempfile.TemporaryDirectory() as tmp:
        for name in ("vectors", "key2row", "vectors.cfg"):
            (Path(tmp) / name).symlink_to((Path(source) / name).resolve())
        (Path(tmp) / "strings.json").write_text("[]", encoding="utf-8")
        vectors = Vectors().from_disk(tmp)
    strings = Path(source) / "strings.json"
    if strings.exists():
        vectors = _lowercase_only(vectors, json.loads(strings.read_text(encoding="utf-8")))
    nlp.vocab.vectors = vectors


def _lowercase_only(vectors, strings: list):
    """Only the keys of lowercase words: Rasa's SpacyNLP lowercases every message (case_sensitive: false in
    config.yml), so the other half of en_core_web_md's 685,000 keys is never looked up, and costs memory in
    every Rasa process."""
    from spacy.strings import hash_string
    from spacy.vectors import Vectors

    keys = [key for key in (hash_string(s) for s in strings if s == s.lower()) if key in vectors.key2row]
    rows = sorted({vectors.key2row[key] for key in keys})
    new_row = {row: i for i, row in enumerate(rows)}
    kept = Vectors(data=vectors.data[rows])
    for key in keys:
        kept.add(key, row=new_row[vectors.key2row[key]])
    return kept


def build(target: Path, vectors: Path | None = None):
    import spacy  # only the builder needs spaCy

    nlp = spacy.blank("en")
    if vectors is not None:
        _load_vectors(nlp, vectors)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": True})
    ruler.add_patterns(patterns())
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.meta["name"] = "kvisa_en"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "Blank English pipeline with K-visa entity rules built from kvisa/data"
    nlp.to_disk(target)
    return nlp


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0] if argv else "build/spacy/kvisa_en")
    nlp = build(target, Path(argv[1]) if len(argv) > 1 else None)
    print(f"wrote {target} with {len(nlp.get_pipe('entity_ruler').patterns)} entity patterns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
