"""The project's spaCy pipeline: built from kvisa/data, loaded from disk like Rasa's SpacyNLP does."""
import spacy
import pytest

from kvisa.spacy_pipeline import build


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    target = tmp_path_factory.mktemp("spacy") / "kvisa_en"
    build(target)
    return spacy.load(target)



def all_ents(nlp, text):
    found = {}
    for e in nlp(text).ents:
        found.setdefault(e.label_, []).append(e.text)
    return found


@pytest.mark.parametrize("text,value", [
    ("I have a job offer from a company in Shanghai", "job offer"),
    ("i have a JOB OFFER in shenzhen", "JOB OFFER"),
])
def test_the_travel_purpose_is_an_entity(nlp, text, value):
    assert value in all_ents(nlp, text).get("purpose", [])


def test_profile_facts_are_not_entities_here(nlp):
    """kvisa.profile reads them in the action server: the Rasa process holds no rules for them."""
    assert all_ents(nlp, "I'm 29 with a PhD in physics from ETH Zurich") == {}
    assert {p["label"] for p in nlp.get_pipe("entity_ruler").patterns} == {"purpose"}


def test_build_is_reproducible(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    build(a)
    build(b)
    assert (a / "entity_ruler" / "patterns.jsonl").read_bytes() == (b / "entity_ruler" / "patterns.jsonl").read_bytes()


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
