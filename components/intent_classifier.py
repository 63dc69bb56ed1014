"""Rasa's logistic-regression intent classifier, on unit-length features and laid out for
fast prediction.

Unit length: the features are n-gram counts, so a long sentence has many large values and a
two-character message ("您好") has almost none: on raw counts short messages fell to the class
with the most short examples (affirm, because of "好"). Each message's feature vector is
scaled to length 1 (as tf-idf pipelines do) and regularisation loosened to match (C=30):
held-out rep moves 0.983 either way, short greetings, goodbyes and commands now right.

scikit-learn predicts with `features @ coef_.T`. `coef_` is stored classes x features in C
order, so its transpose is in Fortran order, and scipy's sparse product first copies it into
C order: a copy of the whole model (34 intents x ~100,000 n-grams, 27 MB) on every message,
about 4.8 ms of a 5 ms parse on the server's single event loop. Storing the same numbers
transposed makes `coef_.T` C-ordered, so the product touches only the message's few hundred
features; the probabilities are the same.

The message's feature vector is assembled here from the featurizers' sentence features, in
the order Rasa's `_create_X` uses (sparse ones, then dense ones), as one sparse matrix:
Rasa deep-copies and hstacks them through scipy's block constructor twice per message, which
cost as much as the prediction itself.

A message with no features at all (empty or blank text) gets no intent and confidence 0, as
DIET gave it, so the FallbackClassifier turns it into nlu_fallback and the rep gets an
answer; Rasa's classifier raised an error there and the bot stayed silent.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, csr_matrix
from sklearn.preprocessing import normalize


def sentence_parts(message: Message) -> list[coo_matrix]:
    """The message's sentence-level text features, sparse ones first, each as one row."""
    features = [
        f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
    ]
    ordered = [f for f in features if f.is_sparse()] + [f for f in features if f.is_dense()]
    return [coo_matrix(f.features) for f in ordered]


def features_matrix(messages: list[Message]) -> csr_matrix:
    """One row per message: its sentence features side by side."""
    rows, columns, values = [], [], []
    width = 0
    for row, message in enumerate(messages):
        width = 0
        for part in sentence_parts(message):
            rows.append(np.full(part.nnz, row))
            columns.append(part.col + width)
            values.append(part.data)
            width += part.shape[1]
    if not values:
        return csr_matrix((len(messages), width))
    return csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(len(messages), width),
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier with `C` and `unit_length` settings; persisted the same."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 30.0, "unit_length": True}

    def __init__(self, config: dict[str, Any], *args: Any) -> None:
        super().__init__(config, *args)
        self.clf.set_params(C=self.config["C"])

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> LogisticRegressionClassifier:
        """Rasa's load without its side effect on the log: the first import of skops walks
        scikit-learn's modules, one of them imports numpy.distutils, and that sets the root
        logger to WARNING, so nothing at INFO was printed once the model had loaded, Rasa's
        "Rasa server is up and running." (the line `make run`'s banner says to wait for)
        among it."""
        root = logging.getLogger()
        level = root.level
        try:
            return super().load(*args, **kwargs)
        finally:
            root.setLevel(level)

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        features = features_matrix(messages)
        return normalize(features) if self.config["unit_length"] else features

    def process(self, messages: list[Message]) -> list[Message]:
        coef = self.clf.coef_
        if not coef.T.flags.c_contiguous:
            self.clf.coef_ = np.ascontiguousarray(coef.T).T
        featurised = []
        for message in messages:
            if not sentence_parts(message):
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
            else:
                featurised.append(message)
        if featurised:
            super().process(featurised)
        return messages
