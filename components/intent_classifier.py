"""Rasa's logistic-regression intent classifier, laid out for fast prediction.

scikit-learn predicts with `features @ coef_.T`. `coef_` is stored classes x features in C
order, so its transpose is in Fortran order, and scipy's sparse product first copies it into
C order: a copy of the whole model (34 intents x ~100,000 n-grams, 27 MB) on every message,
about 4.8 ms of a 5 ms parse on the server's single event loop. Storing the same numbers
transposed makes `coef_.T` C-ordered, so the product touches only the message's few hundred
features; the probabilities are the same.
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """Trains and persists exactly like LogisticRegressionClassifier; only the in-memory
    layout of the weights differs once it predicts."""

    def process(self, messages: list[Message]) -> list[Message]:
        coef = self.clf.coef_
        if not coef.T.flags.c_contiguous:
            self.clf.coef_ = np.ascontiguousarray(coef.T).T
        return super().process(messages)
