"""One linear model for the intent and the FAQ topic, without TensorFlow.

Every training example gets one label: its intent, or `faq/<topic>` for an FAQ question. The features are word
1-2-grams and character 2-5-grams (tf-idf, which tolerates typos and foreign spellings) beside the mean of
spaCy's word vectors (synonyms); the model is scikit-learn's linear SVM, with probabilities from a
cross-validated sigmoid per label. The intent's confidence is the sum over its labels (all `faq/*` for `faq`),
and the FAQ topic's is its share among the FAQ labels: the same output as Rasa's DIETClassifier followed by a
ResponseSelector (`intent`, `intent_ranking`, `response_selector`), which the rules, `utter_faq` and the actions
read. Chosen on the development set (tests/dev) and judged by `make eval`: see README, "Understanding".

It trains in under a minute and answers in about a millisecond, where the two TensorFlow models took minutes to
train and most of a turn's NLU time (issue 9)."""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Text

import joblib
import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.special import expit
from sklearn.calibration import CalibratedClassifierCV, _SigmoidCalibration
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import LabelEncoder, normalize
from sklearn.svm import LinearSVC

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

RETRIEVAL_INTENT = "faq"
MODEL_FILE = "linear_classifier.joblib"
RANKING_LENGTH = 10


def label_of(example: Message) -> Optional[Text]:
    intent = example.get(INTENT)
    if intent == RETRIEVAL_INTENT:
        return example.get(INTENT_RESPONSE_KEY) or None
    return intent or None


def mean_vector(doc, dimensions: int) -> np.ndarray:
    """The mean of the word vectors of a spaCy doc, punctuation left out, scaled to length 1; zeros for an
    empty message (which Rasa gives no doc) or one without a known word."""
    vectors = [token.vector for token in doc if token.has_vector and not token.is_punct] if doc is not None else []
    if not vectors:
        return np.zeros(dimensions, dtype=np.float32)
    mean = np.mean(vectors, axis=0)
    norm = np.linalg.norm(mean)
    return mean / norm if norm else mean


def tfidf(vectorizer: TfidfVectorizer, texts: List[Text]) -> csr_matrix:
    """vectorizer.transform(texts), without scikit-learn 1.1's fitted-check, which rebuilds the idf vector from
    its diagonal matrix on every call (a tenth of the classifier's time per message): the same counts,
    sublinear tf, idf weights and norm."""
    counts = CountVectorizer.transform(vectorizer, texts).astype(np.float64)
    weights = vectorizer._tfidf
    if weights.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1
    if weights.use_idf:
        counts = counts @ weights._idf_diag
    return normalize(counts, norm=weights.norm, copy=False) if weights.norm else counts


def _sigmoids(model: CalibratedClassifierCV) -> Optional[tuple]:
    """(the SVM, its label columns, a, b) of a calibrated model made of one SVM with a sigmoid per label (as
    train() makes it), worked out once; None for any other model, which is left to scikit-learn."""
    if "_sigmoids" in model.__dict__:
        return model.__dict__["_sigmoids"]
    pairs = model.calibrated_classifiers_
    params = None
    if len(pairs) == 1 and len(model.classes_) > 2 \
            and all(isinstance(c, _SigmoidCalibration) for c in pairs[0].calibrators):
        pair = pairs[0]
        columns = LabelEncoder().fit(pair.classes).transform(pair.base_estimator.classes_)
        params = (pair.base_estimator, columns, np.array([c.a_ for c in pair.calibrators]),
                  np.array([c.b_ for c in pair.calibrators]))
    model.__dict__["_sigmoids"] = params
    return params


def _proba_from_scores(scores: np.ndarray, params: tuple, n_classes: int) -> np.ndarray:
    _, columns, a, b = params
    proba = np.zeros((scores.shape[0], n_classes))
    proba[:, columns] = expit(-(a * scores + b))
    total = proba.sum(axis=1)[:, np.newaxis]
    proba = np.divide(proba, total, out=np.full_like(proba, 1 / n_classes), where=total != 0)
    proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba


def calibrated_proba(model: CalibratedClassifierCV, matrix: csr_matrix) -> np.ndarray:
    """model.predict_proba(matrix) for one SVM with a sigmoid per label: the sigmoids applied to all labels at
    once instead of one label at a time in Python (a quarter of the classifier's time per message), then
    normalised as scikit-learn normalises them. Any other model is left to scikit-learn."""
    params = _sigmoids(model)
    if params is None:
        return model.predict_proba(matrix)
    return _proba_from_scores(params[0].decision_function(matrix), params, len(model.classes_))


def _tfidf_row(vectorizer: TfidfVectorizer, text: Text) -> tuple:
    """tfidf(vectorizer, [text]) as (column ids, values), without building a sparse matrix."""
    cached = vectorizer.__dict__.get("_one_row")
    if cached is None:
        weights = vectorizer._tfidf
        idf = np.asarray(weights._idf_diag.diagonal()) if weights.use_idf else None
        cached = vectorizer.__dict__["_one_row"] = (vectorizer.build_analyzer(), idf)
    analyzer, idf = cached
    vocabulary = vectorizer.vocabulary_
    counts = Counter(column for column in map(vocabulary.get, analyzer(text)) if column is not None)
    ids = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    if vectorizer._tfidf.sublinear_tf:
        np.log(values, values)
        values += 1
    if idf is not None:
        values *= idf[ids]
    norm = np.linalg.norm(values)
    if norm:
        values /= norm
    return ids, values


class TextFeatures:
    """Word and character tf-idf beside the weighted mean word vector."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.words = TfidfVectorizer(ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True, lowercase=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]),
                                     sublinear_tf=True, lowercase=True, min_df=config["char_min_df"])
        self.vector_weight = float(config["vector_weight"])

    def drop_training_leftovers(self) -> None:
        # The n-grams cut by min_df, kept by scikit-learn for introspection only: most of the saved size.
        for vectorizer in (self.words, self.chars):
            vectorizer.stop_words_ = None

    def _dense(self, docs: List[Any]) -> csr_matrix:
        return csr_matrix(np.vstack([mean_vector(doc, self.dimensions) for doc in docs]) * self.vector_weight)

    def fit_transform(self, texts: List[Text], docs: List[Any]):
        self.dimensions = next((doc.vocab.vectors_length for doc in docs if doc is not None), 0)
        return hstack([self.words.fit_transform(texts), self.chars.fit_transform(texts),
                       self._dense(docs)]).tocsr()

    def transform(self, texts: List[Text], docs: List[Any]):
        return hstack([tfidf(self.words, texts), tfidf(self.chars, texts), self._dense(docs)]).tocsr()

    def can_score_one(self) -> bool:
        return all(v._tfidf.norm == "l2" for v in (self.words, self.chars))  # as _tfidf_row normalises

    def decision_one(self, svm: LinearSVC, text: Text, doc: Any) -> np.ndarray:
        """svm.decision_function(self.transform([text], [doc]))[0], from the weights of the message's own
        n-grams: building and multiplying the sparse matrices took most of the classifier's time per message."""
        weights = svm.__dict__.get("_by_feature")
        if weights is None:  # one row per feature, so that a message's features are a few rows
            weights = svm.__dict__["_by_feature"] = np.ascontiguousarray(svm.coef_.T)
        word_ids, word_values = _tfidf_row(self.words, text)
        char_ids, char_values = _tfidf_row(self.chars, text)
        offset = len(self.words.vocabulary_)
        vector_start = offset + len(self.chars.vocabulary_)
        scores = svm.intercept_ + word_values @ weights[word_ids] + char_values @ weights[char_ids + offset]
        if self.dimensions:
            scores = scores + (mean_vector(doc, self.dimensions) * self.vector_weight) @ \
                weights[vector_start:vector_start + self.dimensions]
        return scores


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentAndTopic(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 0.3, "word_ngrams": [1, 2], "char_ngrams": [2, 5], "char_min_df": 2, "vector_weight": 1.0,
                "calibration_folds": 3, "random_seed": 42}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 features: Optional[TextFeatures] = None, model: Optional[CalibratedClassifierCV] = None) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.features = features
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentAndTopic":
        return cls(config, model_storage, resource)

    # ------------------------------------------------------------------------------------------------ training
    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and label_of(e)]
        if not examples:
            logger.debug("No intent examples: the linear classifier is not trained.")
            return self._resource
        # Cross-validated calibration needs a few examples of every label: rarer labels are left out, loudly.
        folds = int(self.config["calibration_folds"])
        counts = Counter(label_of(e) for e in examples)
        rare = sorted(label for label, n in counts.items() if n < folds)
        if rare:
            logger.warning(f"Labels with fewer than {folds} examples are not learnt: {rare}")
            examples = [e for e in examples if counts[label_of(e)] >= folds]
        texts = [e.get(TEXT) for e in examples]
        labels = np.array([label_of(e) for e in examples])
        self.features = TextFeatures(self.config)
        matrix = self.features.fit_transform(texts, [e.get(SPACY_DOCS[TEXT]) for e in examples])
        svm = LinearSVC(C=float(self.config["C"]), random_state=int(self.config["random_seed"]))
        # ensemble=False: the sigmoids are fitted on cross-validated scores, then one SVM on all the data is
        # kept (not one per fold): a third of the memory and of the time per message.
        self.model = CalibratedClassifierCV(svm, cv=folds, method="sigmoid", ensemble=False)
        self.model.fit(matrix, labels)
        self.features.drop_training_leftovers()
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump({"features": self.features, "model": self.model}, directory / MODEL_FILE)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentAndTopic":
        try:
            with model_storage.read_from(resource) as directory:
                saved = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.debug("No trained linear classifier in the model: it will predict nothing.")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, saved["features"], saved["model"])

    # ------------------------------------------------------------------------------------------------ parsing
    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None or not messages:
            return messages
        params = _sigmoids(self.model)
        if params is not None and self.features.can_score_one():
            # a message at a time, from its own n-grams' weights: the same probabilities as below
            scores = np.vstack([self.features.decision_one(params[0], m.get(TEXT) or "", m.get(SPACY_DOCS[TEXT]))
                                for m in messages])
            all_probabilities = _proba_from_scores(scores, params, len(self.model.classes_))
        else:
            matrix = self.features.transform([m.get(TEXT) or "" for m in messages],
                                             [m.get(SPACY_DOCS[TEXT]) for m in messages])
            all_probabilities = calibrated_proba(self.model, matrix)
        for message, probabilities in zip(messages, all_probabilities):
            self._annotate(message, dict(zip(self.model.classes_, probabilities.tolist())))
        return messages

    def _annotate(self, message: Message, probability: Dict[Text, float]) -> None:
        per_intent: Dict[Text, float] = defaultdict(float)
        for label, p in probability.items():
            per_intent[label.split("/")[0]] += p
        ranking = sorted(({"name": name, "confidence": p} for name, p in per_intent.items()),
                         key=lambda r: -r["confidence"])[:RANKING_LENGTH]
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

        faq_total = per_intent.get(RETRIEVAL_INTENT, 0.0)
        topics = sorted(((label, p / faq_total) for label, p in probability.items()
                         if label.startswith(RETRIEVAL_INTENT + "/") and faq_total > 0),
                        key=lambda item: -item[1])[:RANKING_LENGTH]
        if not topics:
            return
        key, confidence = topics[0]
        selector = dict(message.get("response_selector") or {})
        selector["all_retrieval_intents"] = sorted(set(selector.get("all_retrieval_intents", [])) |
                                                   {RETRIEVAL_INTENT})
        selector[RETRIEVAL_INTENT] = {
            # Rasa's ResponseSelector also copies the answer's texts here; nothing reads them (utter_faq answers
            # from the domain through utter_action), and every stored user message would carry them.
            "response": {"confidence": confidence, INTENT_RESPONSE_KEY: key, "utter_action": f"utter_{key}"},
            "ranking": [{"id": None, "confidence": p, INTENT_RESPONSE_KEY: label} for label, p in topics],
        }
        message.set("response_selector", selector, add_to_output=True)
