"""The project's own NLU components, on hand-built Rasa messages (no trained model needed)."""

from pathlib import Path

import numpy as np
import scipy.sparse
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.entity_scope import EntityScope
from components.intent_classifier import LinearIntentClassifier

SCOPE = {"start_roleplay": ["persona", "scenario"], "ask_concept": ["concept", "persona"]}


def _parsed(intent: str, *entities: tuple[str, str]) -> Message:
    found = [{"entity": entity, "value": value, "start": 0, "end": 1} for entity, value in entities]
    return Message(data={TEXT: "x", INTENT: {"name": intent, "confidence": 0.9}, ENTITIES: found})


def _entities(message: Message) -> set[tuple[str, str]]:
    return {(e["entity"], e["value"]) for e in message.get(ENTITIES)}


def test_command_entities_stay_on_the_commands_that_take_them() -> None:
    start = _parsed("start_roleplay", ("scenario", "corporate_banking"), ("persona", "owl"))
    concept = _parsed("ask_concept", ("concept", "spin"), ("scenario", "telecom_lines"))
    EntityScope({"entities_of": SCOPE}).process([start, concept])
    assert _entities(start) == {("scenario", "corporate_banking"), ("persona", "owl")}
    assert _entities(concept) == {("concept", "spin")}


def test_a_role_play_line_loses_names_but_keeps_quantities() -> None:
    """贵行的现金管理平台 in a sales pitch is talk, not a request for the banking scenario."""
    line = _parsed("present_benefit", ("scenario", "corporate_banking"), ("percent", "30%"))
    EntityScope({"entities_of": SCOPE}).process([line])
    assert _entities(line) == {("percent", "30%")}


def _featurised(seed: int, count: int, width: int) -> list[Message]:
    """Messages with sentence features from two featurizers (sparse, as the pipeline's are)
    and sequence features, which the classifier must leave out."""
    rows = scipy.sparse.random(count, width, density=0.05, format="coo", random_state=seed)
    rows = rows.tocsr()
    half = width // 2
    messages = []
    for index in range(count):
        message = Message(data={TEXT: f"m{index}", INTENT: f"intent_{index % 5}"})
        message.add_features(Features(rows[index, :half].tocoo(), "sentence", TEXT, "words"))
        message.add_features(Features(rows[index, :3].tocoo(), "sequence", TEXT, "words"))
        message.add_features(Features(rows[index, half:].tocoo(), "sentence", TEXT, "chars"))
        messages.append(message)
    return messages


def test_fast_classifier_ranks_exactly_like_rasas(tmp_path: Path) -> None:
    """With Rasa's settings, the re-laid-out weights change no probability."""
    config = {"max_iter": 200, "C": 1.0, "unit_length": False}
    storage = LocalModelStorage(tmp_path)
    ours = LinearIntentClassifier(config, "ours", storage, Resource("ours"))
    theirs = LogisticRegressionClassifier(config, "theirs", storage, Resource("theirs"))
    training = TrainingData(training_examples=_featurised(1, 200, 400))
    ours.train(training)
    theirs.train(training)
    fast, reference = _featurised(2, 30, 400), _featurised(2, 30, 400)
    ours.process(fast)
    theirs.process(reference)
    for a, b in zip(fast, reference, strict=True):
        assert a.get(INTENT)["name"] == b.get(INTENT)["name"]
        ranked_a = [(r["name"], r["confidence"]) for r in a.get("intent_ranking")]
        ranked_b = [(r["name"], r["confidence"]) for r in b.get("intent_ranking")]
        assert [n for n, _ in ranked_a] == [n for n, _ in ranked_b]
        assert np.allclose([c for _, c in ranked_a], [c for _, c in ranked_b])
    assert ours.clf.coef_.T.flags.c_contiguous


def test_a_message_without_features_gets_no_intent_instead_of_an_error(tmp_path: Path) -> None:
    """An empty message has no n-grams; the fallback then answers it (conversation tests)."""
    classifier = LinearIntentClassifier({}, "ours", LocalModelStorage(tmp_path), Resource("ours"))
    classifier.train(TrainingData(training_examples=_featurised(1, 50, 100)))
    empty = Message(data={TEXT: ""})
    (rest,) = _featurised(3, 1, 100)
    classifier.process([empty, rest])
    assert empty.get(INTENT) == {"name": None, "confidence": 0.0}
    assert empty.get("intent_ranking") == []
    assert len(rest.get("intent_ranking")) == 5


def test_unit_length_makes_a_message_count_for_what_it_says_not_how_long(tmp_path: Path) -> None:
    """The same words said three times over must not change the ranking: with raw counts a
    longer message pushes its logits further, and short ones drift to the intercepts."""
    classifier = LinearIntentClassifier({}, "ours", LocalModelStorage(tmp_path), Resource("ours"))
    classifier.train(TrainingData(training_examples=_featurised(1, 200, 400)))
    once, thrice = _featurised(4, 1, 400), _featurised(4, 1, 400)
    for features in thrice[0].features:
        features.features = features.features * 3
    classifier.process(once + thrice)
    ranked = [
        [(r["name"], r["confidence"]) for r in m.get("intent_ranking")] for m in once + thrice
    ]
    assert [n for n, _ in ranked[0]] == [n for n, _ in ranked[1]]
    assert np.allclose([c for _, c in ranked[0]], [c for _, c in ranked[1]])
