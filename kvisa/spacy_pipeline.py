"""Builds the project's own spaCy pipeline: blank English plus entity rules made from kvisa/data.

    python -m kvisa.spacy_pipeline build/spacy/kvisa_en [build/vectors/en_core_web_md]

No model is downloaded: the pipeline is `spacy.blank("en")` with an `entity_ruler` whose patterns are the
travel purposes of kvisa/data/purposes.yml ("job offer", "start a company"). Rasa's SpacyNLP loads the
written directory; SpacyEntityExtractor turns its entities into the Rasa entity `purpose`. Building twice
from the same data gives the same directory. With a second argument, the word vectors in that directory
(en_core_web_md's, fetched by scripts/fetch-vectors.sh) become the pipeline's vectors, which the linear
classifier averages, so that "salary" is near "wage".
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from kvisa.datafiles import data
from kvisa.text import strip_accents

def _variants(phrase: str) -> set[str]:
    """The spellings a user may type for one alias: with and without accents, straight or curly apostrophes."""
    out = {phrase, strip_accents(phrase)}
    out |= {p.replace("'", "’") for p in out if "'" in p}
    return {p for p in out if p.strip()}


def patterns() -> list[dict]:
    """Only the travel purpose: Rasa's one entity (the Z-visa form). Age, degree, field and institution are
    read from the whole message by kvisa.profile in the action server; rules for them here would cost every
    Rasa process memory (about 28 MB) for entities nothing reads."""
    out = []
    for phrase in sorted({k for p in data("purposes")["purposes"] for k in p["keywords"]}):
        phrase = str(phrase).strip()
        if phrase:
            out += [{"label": "purpose", "pattern": v.lower()} for v in sorted(_variants(phrase))]
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
