"""Every move a rep's line carries, not only the one the intent classifier picked.

The line is cut into clauses (bot/language/clauses.py) and each clause is classified by a
small model of its own: character 1-4-gram tf-idf and a multinomial logistic regression over
the same training examples as the intent classifier. The classifier's own features cannot be
recomputed for a clause here (Rasa's graph gives a component the featurised message only),
and a character model needs no tokenizer, so a clause costs one sparse product.

Output, beside the intent: `moves`, what the line's clauses say in the order they are said,
each `{"move", "confidence", "text"}`: every clause intent at or above `threshold`, and the
line's own intent (first, if no clause carried it); a line of one clause gives the intent
alone. Which of them are moves to the customer is the reader's business (the methodology's
move list); the dialogue rules still read the single intent.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.language.clauses import clauses

MOVES = "moves"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class MoveSegmenter(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # threshold: the confidence a clause's intent needs to count (tuned on lines joined
        # from training examples, docs/benchmarks.md).
        return {"threshold": 0.35, "C": 10.0, "max_ngram": 4}

    def __init__(self, config: dict[str, Any], storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = storage, resource
        self._vectorizer: TfidfVectorizer | None = None
        self._weights = np.zeros((0, 0))  # features x classes, C order: a clause's rows only
        self._bias = np.zeros(0)
        self._classes: list[str] = []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MoveSegmenter:
        return cls(config, model_storage, resource)

    def _new_vectorizer(self, vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, self.config["max_ngram"]),
            sublinear_tf=True,
            lowercase=True,
            vocabulary=vocabulary,
            dtype=np.float32,
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        texts, labels = [m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples]
        self._vectorizer = self._new_vectorizer()
        features = self._vectorizer.fit_transform(texts)
        model = LogisticRegression(C=self.config["C"], max_iter=1000)
        model.fit(features, labels)
        self._classes = [str(label) for label in model.classes_]
        self._weights = np.ascontiguousarray(model.coef_.T, dtype=np.float32)
        self._bias = model.intercept_.astype(np.float32)
        self.persist()
        return self._resource

    def persist(self) -> None:
        assert self._vectorizer is not None
        with self._storage.write_to(self._resource) as directory:
            vocabulary = {term: int(i) for term, i in self._vectorizer.vocabulary_.items()}
            (directory / "clause_model.json").write_text(
                json.dumps({"classes": self._classes, "vocabulary": vocabulary}),
                encoding="utf-8",
            )
            np.savez(
                directory / "clause_model.npz",
                idf=self._vectorizer.idf_,
                weights=self._weights,
                bias=self._bias,
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MoveSegmenter:
        component = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as directory:
            saved = json.loads((directory / "clause_model.json").read_text(encoding="utf-8"))
            arrays = np.load(directory / "clause_model.npz")
            component._classes = saved["classes"]
            component._vectorizer = component._new_vectorizer(saved["vocabulary"])
            component._vectorizer.idf_ = arrays["idf"]
            component._weights = np.ascontiguousarray(arrays["weights"])
            component._bias = arrays["bias"]
        return component

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        """The best intent of each text and its probability."""
        assert self._vectorizer is not None
        # In the weights' own dtype: a mixed product would copy all 150,000 rows (8 ms).
        features = self._vectorizer.transform(texts).astype(self._weights.dtype)
        scores = features @ self._weights + self._bias
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        probabilities = scores / scores.sum(axis=1, keepdims=True)
        best = probabilities.argmax(axis=1)
        return [(self._classes[i], float(probabilities[row, i])) for row, i in enumerate(best)]

    def moves_of(self, text: str, intent: str | None, confidence: float) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        parts = clauses(text)
        if len(parts) > 1:
            for part, (move, probability) in zip(parts, self.classify(parts), strict=True):
                new = all(item["move"] != move for item in found)
                if new and probability >= self.config["threshold"]:
                    found.append({"move": move, "confidence": probability, "text": part})
        if intent and all(item["move"] != intent for item in found):
            found.insert(0, {"move": intent, "confidence": confidence, "text": text})
        return found

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            moves = self.moves_of(text, intent.get("name"), float(intent.get("confidence") or 0))
            message.set(MOVES, moves, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
