"""The project's spaCy pipeline: built from kvisa/data, loaded from disk like Rasa's SpacyNLP does."""
import spacy
import pytest

from kvisa.spacy_pipeline import build


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    target = tmp_path_factory.mktemp("spacy") / "kvisa_en"
    build(target)
    return spacy.load(target)


def ents(nlp, text):
    return {e.label_: e.text for e in nlp(text).ents}


def all_ents(nlp, text):
    found = {}
    for e in nlp(text).ents:
        found.setdefault(e.label_, []).append(e.text)
    return found


def test_several_details_in_one_message(nlp):
    found = ents(nlp, "I'm 29 with a PhD in physics from ETH Zurich")
    assert found == {"age": "I'm 29", "degree": "PhD", "field": "physics", "institution": "ETH Zurich"}


@pytest.mark.parametrize("text,label,value", [
    ("sorry, I'm 31", "age", "I'm 31"), ("I am twenty-nine years old", "age", "I am twenty-nine"),
    ("28yo", "age", "28yo"), ("aged 40", "age", "aged 40"),
    ("I hold a Ph.D. in chemistry", "degree", "Ph.D."), ("an M.Sc from Imperial College London", "degree", "M.Sc"),
    ("B.Tech from IIT Bombay", "institution", "IIT Bombay"), ("I work in IT", "field", "IT"),
    ("i studied at tsinghua", "institution", "tsinghua"), ("my master’s degree", "degree", "master’s degree"),
    ("I have a job offer from a company in Shanghai", "purpose", "job offer"),
])
def test_entities(nlp, text, label, value):
    assert value in all_ents(nlp, text).get(label, [])


def test_everyday_words_are_not_fields(nlp):
    assert "field" not in ents(nlp, "is it hard to get it?")


def test_build_is_reproducible(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    build(a)
    build(b)
    assert (a / "entity_ruler" / "patterns.jsonl").read_bytes() == (b / "entity_ruler" / "patterns.jsonl").read_bytes()


def test_someone_elses_age(nlp):
    assert "wife is 41" in all_ents(nlp, "my wife is 41 and has a phd in chemistry").get("age", [])
    assert "age" not in all_ents(nlp, "the fee is 50")


def test_only_lowercase_words_keep_their_vectors():
    """Rasa lowercases each message before spaCy sees it (case_sensitive: false): the vectors of "Paris" would
    never be looked up, those of "paris" are, and the words sharing a row still share it."""
    import numpy
    from spacy.strings import hash_string
    from spacy.vectors import Vectors

    from kvisa.spacy_pipeline import _lowercase_only

    full = Vectors(data=numpy.arange(12, dtype="float32").reshape(3, 4))
    for word, row in (("paris", 0), ("Paris", 0), ("PARIS", 0), ("berlin", 1), ("Berlin", 1), ("NASA", 2)):
        full.add(hash_string(word), row=row)
    kept = _lowercase_only(full, ["paris", "Paris", "PARIS", "berlin", "Berlin", "NASA", "unused"])
    assert set(kept.key2row) == {hash_string("paris"), hash_string("berlin")}
    assert kept.shape == (2, 4)  # the row only "NASA" used is gone
    assert list(kept[hash_string("paris")]) == [0, 1, 2, 3]
    assert list(kept[hash_string("berlin")]) == [4, 5, 6, 7]
