"""kvisa_nlu/linear_classifier.py: one model for the intent and the FAQ topic, with the output Rasa's rules,
`utter_faq` and the actions read (intent, intent_ranking, response_selector), saved and loaded unchanged."""
import logging

import pytest
import spacy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kvisa_nlu.linear_classifier import LinearIntentAndTopic

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hey", "hello bot", "hi, good evening"],
    "check_eligibility": ["am I eligible?", "do I qualify for the K visa", "can you check if I can get it",
                          "would I qualify with my PhD?", "check my eligibility please", "can I apply for it?"],
    "faq/fees": ["how much does the K visa cost", "what is the fee", "price of the visa?",
                 "how much do I pay for the application", "visa fee please", "is it expensive to apply"],
    "faq/family": ["can my wife come with me", "can I bring my kids", "what about my husband and children",
                   "family members on a K visa?", "may my parents join me", "can my spouse work too"],
}


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("build/spacy/kvisa_en")


def message(nlp, text, label=None):
    data = {"text": text}
    if label and label.startswith("faq/"):
        data.update(intent="faq", intent_response_key=label)
    elif label:
        data["intent"] = label
    m = Message(data=data)
    m.set(SPACY_DOCS["text"], nlp(text.lower()))
    return m


def training_data(nlp, extra=()):
    examples = [message(nlp, t, label) for label, texts in EXAMPLES.items() for t in texts]
    examples += [message(nlp, t, label) for label, t in extra]
    return TrainingData(training_examples=examples,
                        responses={"utter_faq/fees": [{"text": "The fee is set by each consulate."}],
                                   "utter_faq/family": [{"text": "Family members apply separately."}]})


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return LocalModelStorage(tmp_path_factory.mktemp("model"))


def trained(nlp, storage, name="linear", extra=()):
    context = ExecutionContext(GraphSchema({}), "test")
    component = LinearIntentAndTopic.create(LinearIntentAndTopic.get_default_config(), storage, Resource(name),
                                            context)
    component.train(training_data(nlp, extra))
    return component


def parse(component, nlp, text):
    return component.process([message(nlp, text)])[0]


def test_an_faq_question_gets_the_faq_intent_and_its_topic(nlp, storage):
    m = parse(trained(nlp, storage), nlp, "how much is the fee for this visa")
    assert m.get("intent")["name"] == "faq"
    selector = m.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/fees"
    assert response["utter_action"] == "utter_faq/fees"
    assert "responses" not in response  # the answer comes from the domain, through utter_action
    ranking = selector["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking] == ["faq/fees", "faq/family"]
    assert ranking[0]["confidence"] == response["confidence"] > ranking[1]["confidence"]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)  # shares among the FAQ topics


def test_the_faq_intent_confidence_is_the_sum_over_its_topics(nlp, storage):
    m = parse(trained(nlp, storage), nlp, "can my children come along")
    ranking = m.get("intent_ranking")
    assert [r["name"] for r in ranking].count("faq") == 1
    assert {r["name"] for r in ranking} == {"greet", "check_eligibility", "faq"}
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
    assert m.get("intent") == ranking[0]
    assert m.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/family"


def test_another_intent_is_recognised(nlp, storage):
    component = trained(nlp, storage)
    assert parse(component, nlp, "hello there").get("intent")["name"] == "greet"
    assert parse(component, nlp, "do I qualify?").get("intent")["name"] == "check_eligibility"


def test_the_saved_model_answers_as_the_trained_one(nlp, storage):
    component = trained(nlp, storage, name="saved")
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = LinearIntentAndTopic.load(LinearIntentAndTopic.get_default_config(), storage, Resource("saved"),
                                       context)
    for text in ("what's the price", "hi!", "am i eligible", "bring my husband?"):
        assert parse(loaded, nlp, text).get("intent_ranking") == parse(component, nlp, text).get("intent_ranking")
        assert parse(loaded, nlp, text).get("response_selector") == parse(component, nlp, text).get(
            "response_selector")


def test_a_label_too_rare_to_calibrate_is_left_out_loudly(nlp, storage, caplog):
    with caplog.at_level(logging.WARNING):
        component = trained(nlp, storage, name="rare", extra=[("stop", "stop asking")])
    assert "stop" in caplog.text
    assert "stop" not in set(component.model.classes_)


def test_a_model_without_training_predicts_nothing(nlp, storage):
    context = ExecutionContext(GraphSchema({}), "test")
    empty = LinearIntentAndTopic.load(LinearIntentAndTopic.get_default_config(), storage, Resource("never"),
                                      context)
    m = parse(empty, nlp, "hello")
    assert m.get("intent") is None and m.get("response_selector") is None


def test_one_svm_is_kept_and_the_cut_ngrams_are_not_saved(nlp, storage):
    component = trained(nlp, storage, name="lean")
    assert len(component.model.calibrated_classifiers_) == 1
    assert component.features.chars.stop_words_ is None and component.features.words.stop_words_ is None


def test_an_empty_message_without_a_doc_is_classified_not_a_crash(nlp, storage):
    """Rasa gives an empty or blank message no spaCy doc: the vector part is zeros of the trained size."""
    component = trained(nlp, storage, name="empty")
    for text in ("", "   "):
        m = Message(data={"text": text})  # no SPACY_DOCS entry, as Rasa leaves it
        component.process([m])
        assert m.get("intent")["name"] in {"greet", "check_eligibility", "faq"}


@pytest.mark.parametrize("analyzer,ngrams", [("word", (1, 2)), ("char_wb", (2, 5))])
def test_the_fast_tfidf_is_scikit_learns(analyzer, ngrams):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from kvisa_nlu.linear_classifier import tfidf

    texts = [t for examples in EXAMPLES.values() for t in examples]
    vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True).fit(texts)
    asked = ["how much is the fee fee fee", "unknown words only zzz", "", "Hello, can my WIFE come?"]
    assert np.allclose(tfidf(vectorizer, asked).toarray(), vectorizer.transform(asked).toarray())
    assert tfidf(vectorizer, asked).shape == (4, len(vectorizer.vocabulary_))


def test_the_fast_probabilities_are_scikit_learns(nlp, storage):
    import numpy as np

    from kvisa_nlu.linear_classifier import calibrated_proba

    component = trained(nlp, storage)
    texts = ["how much is it", "hello there", "can my kids come", "am I eligible", "zzz", ""]
    matrix = component.features.transform(texts, [nlp(t) for t in texts])
    fast = calibrated_proba(component.model, matrix)
    assert np.allclose(fast, component.model.predict_proba(matrix))
    assert np.allclose(calibrated_proba(component.model, matrix), fast)  # the second time, from kept sigmoids


def test_a_message_scored_from_its_own_ngrams_gets_scikit_learns_probabilities(nlp, storage):
    """process() scores one message at a time from its n-grams' weights; predict_proba over the sparse
    matrix of the same features gives the same probabilities, also for repeated, unknown and no words."""
    import numpy as np

    component = trained(nlp, storage)
    texts = ["how much is it", "Hello THERE!!", "can my kids come with me, my wife too", "am I eligible",
             "zzz qqq", "", "fee fee fee fee", "👋 hi"]
    docs = [nlp(t) for t in texts]
    expected = component.model.predict_proba(component.features.transform(texts, docs))
    for text, doc, probabilities in zip(texts, docs, expected):
        m = Message(data={"text": text})
        m.set(SPACY_DOCS["text"], doc)
        component.process([m])
        ranking = {r["name"]: r["confidence"] for r in m.get("intent_ranking")}
        per_intent = {}
        for label, p in zip(component.model.classes_, probabilities):
            per_intent[label.split("/")[0]] = per_intent.get(label.split("/")[0], 0.0) + p
        assert ranking == pytest.approx({k: v for k, v in per_intent.items() if k in ranking}, abs=1e-9)
        svm = component.model.calibrated_classifiers_[0].base_estimator
        one = component.features.decision_one(svm, text, doc)
        assert np.allclose(one, svm.decision_function(component.features.transform([text], [doc]))[0])
