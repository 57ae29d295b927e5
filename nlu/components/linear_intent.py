"""Intent classification with a calibrated linear model over word and character n-grams.

Why not DIET for intents: on this project's data (two languages, ~100
examples per intent each) a linear support-vector machine over TF-IDF
features of Kiwi lemmas (word 1-2-grams) and of the raw text (character
1-4-grams within words) scored higher on the held-out split than DIET did,
and trains in seconds instead of minutes (see nlu/README.md for the figures).
Character n-grams carry typos, missing spaces and unseen inflections; lemmas
make "필요해요" and "필요합니다" the same word.

The SVM's scores are turned into probabilities by cross-validated Platt
calibration, so the confidence the FallbackClassifier reads is a probability
(the share of held-out folds' evidence for that intent), not a raw margin.
The component writes ``intent`` and ``intent_ranking`` like Rasa's own
classifiers.

A greeting in front of a request ("hi, how do I extend my visa") tends to be
read as ``greet``: the training data's greetings outweigh the request. Such a
message is classified again without the greeting
(:mod:`nlu.components.greeting_prefix`), and a request found there wins.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.greeting_prefix import request_after_greeting

logger = logging.getLogger(__name__)

_MODEL_FILE = "linear_intent.joblib"


def lemma_text(message: Message, start: int = 0) -> str:
    """The lemmas of the message's tokens from character ``start`` on, joined by
    spaces (lower-cased), for word n-grams."""
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join((token.lemma or token.text).lower() for token in tokens if token.start >= start)


def surface_text(message: Message, start: int = 0) -> str:
    """The message text from character ``start`` on, lower-cased, for character n-grams."""
    return (message.get(TEXT) or "")[start:].lower()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Calibrated linear SVM intent classifier (scikit-learn)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``C``: SVM regularisation (larger fits the training data more closely);
        ``calibration_folds``: folds for the probability calibration;
        ``word_ngrams``/``char_ngrams``: n-gram ranges; ``ranking_length``:
        intents listed in ``intent_ranking``; ``random_seed``."""
        return {
            "C": 1.0,
            "calibration_folds": 5,
            "word_ngrams": [1, 2],
            "char_ngrams": [1, 4],
            "ranking_length": 10,
            "random_seed": 42,
            # A greeting in front of a request ("안녕하세요~ 전입신고 어디서 해요"):
            # when the whole is read as greet, the words after the greeting are
            # classified alone and win if their intent is one of these requests
            # and at least this probable. Small talk after a greeting ("hi, are
            # you there?", "안녕하세요 뭐 좀 여쭤봐도 될까요") stays a greeting,
            # whose reply shows the menu anyway.
            "greeting_request_threshold": 0.4,
            "greeting_yields_to": [
                "ask_service_overview", "ask_service_documents", "ask_service_fee",
                "ask_service_processing_time", "ask_service_eligibility", "ask_service_how_to_apply",
                "ask_service_where", "check_application_status", "find_benefits", "report_life_event",
                "file_petition", "human_handoff", "set_language", "share_resident_number",
            ],
        }

    @staticmethod
    def required_packages() -> List[Text]:
        """scikit-learn (a Rasa dependency)."""
        return ["sklearn"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[str, Any]] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentClassifier":
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    def _vectorizers(self) -> tuple:
        from sklearn.feature_extraction.text import TfidfVectorizer

        words = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"\S+",  # noqa: S106 - a regular expression, not a password
            ngram_range=tuple(self._config["word_ngrams"]),
            sublinear_tf=True,
        )
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self._config["char_ngrams"]), sublinear_tf=True)
        return words, chars

    @staticmethod
    def _features(model: Dict[str, Any], messages: Sequence[Message], starts: Sequence[int] | None = None) -> Any:
        """Features of each message's text from its ``starts`` offset (default: all of it)."""
        from scipy.sparse import hstack

        starts = starts or [0] * len(messages)
        words = model["words"].transform([lemma_text(m, s) for m, s in zip(messages, starts, strict=True)])
        chars = model["chars"].transform([surface_text(m, s) for m, s in zip(messages, starts, strict=True)])
        return hstack([words, chars]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the vectorizers and the calibrated SVM on every intent example; store them."""
        from scipy.sparse import hstack
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = np.array([m.get(INTENT) for m in examples])
        if len(set(labels)) < 2:
            logger.warning("LinearIntentClassifier needs at least two intents; it will not predict")
            return self._resource
        words, chars = self._vectorizers()
        features = hstack(
            [
                words.fit_transform([lemma_text(m) for m in examples]),
                chars.fit_transform([surface_text(m) for m in examples]),
            ]
        ).tocsr()
        smallest = min(int((labels == label).sum()) for label in set(labels))
        folds = max(2, min(int(self._config["calibration_folds"]), smallest))
        svm = LinearSVC(C=float(self._config["C"]), random_state=int(self._config["random_seed"]))
        classifier = CalibratedClassifierCV(svm, cv=folds)
        classifier.fit(features, labels)
        self._model = {"words": words, "chars": chars, "classifier": classifier}
        with self._model_storage.write_to(self._resource) as model_dir:
            joblib.dump(self._model, Path(model_dir) / _MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        """The classifier stored in the model, or an untrained one if there is none."""
        try:
            with model_storage.read_from(resource) as model_dir:
                model = joblib.load(Path(model_dir) / _MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("no trained LinearIntentClassifier in the model; it will not predict")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set ``intent`` (name and probability) and ``intent_ranking`` on every message.

        A message without text (an empty message) gets no intent with
        confidence 0, which the FallbackClassifier turns into ``nlu_fallback``.
        """
        with_text = [m for m in messages if m.get(TEXT)] if self._model is not None else []
        for message in messages:
            if not message.get(TEXT) or self._model is None:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not with_text:
            return messages
        assert self._model is not None  # with_text is empty without a model
        probabilities = self._model["classifier"].predict_proba(self._features(self._model, with_text))
        rankings = [self._ranking(row) for row in probabilities]
        self._answer_requests_after_greetings(with_text, rankings)
        for message, ranking in zip(with_text, rankings, strict=True):
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _ranking(self, probabilities: Any) -> List[Dict[str, Any]]:
        """The most probable intents first, as Rasa's ``intent_ranking``."""
        assert self._model is not None
        classes = self._model["classifier"].classes_
        order = np.argsort(probabilities)[::-1][: int(self._config["ranking_length"])]
        return [{"name": str(classes[i]), "confidence": float(probabilities[i])} for i in order]

    def _answer_requests_after_greetings(
        self, messages: Sequence[Message], rankings: List[List[Dict[str, Any]]]
    ) -> None:
        """Where a message read as ``greet`` starts with a greeting followed by a
        request, replace its ranking with the request's own when the request is
        understood well enough (see ``greeting_request_threshold``)."""
        assert self._model is not None
        candidates = [
            (index, start)
            for index, message in enumerate(messages)
            if rankings[index][0]["name"] == "greet"
            and (start := request_after_greeting(message.get(TEXT) or "")) is not None
        ]
        if not candidates:
            return
        features = self._features(
            self._model, [messages[index] for index, _ in candidates], [start for _, start in candidates]
        )
        requests = set(self._config["greeting_yields_to"])
        threshold = float(self._config["greeting_request_threshold"])
        for (index, _), row in zip(candidates, self._model["classifier"].predict_proba(features), strict=True):
            request = self._ranking(row)
            if request[0]["name"] in requests and request[0]["confidence"] >= threshold:
                rankings[index] = request
