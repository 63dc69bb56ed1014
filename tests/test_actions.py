"""The coach actions, driven the way the action server drives them (no Rasa server needed)."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.coach_actions import ActionDescribeMove, ActionExplainConcept


def _tracker(intent: str, entities: list[dict[str, Any]] | None = None) -> Tracker:
    latest = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return Tracker("rep-1", {}, latest, [], False, None, {}, "action_listen")


def _run(action, tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    assert events == []
    return dispatcher.messages


def test_concept_question_gets_the_methodology_answer_with_its_source() -> None:
    tracker = _tracker("ask_concept", [{"entity": "concept", "value": "objection"}])
    (message,) = _run(ActionExplainConcept(), tracker)
    assert "是的、是的、可是" in message["text"]
    assert "M6" in message["text"]


def test_persona_question_lists_do_and_dont() -> None:
    tracker = _tracker("ask_concept", [{"entity": "persona", "value": "owl"}])
    (message,) = _run(ActionExplainConcept(), tracker)
    assert "猫头鹰" in message["text"]
    assert "别这样" in message["text"] and "夸大其词" in message["text"]


def test_question_without_a_known_concept_offers_every_topic() -> None:
    for entities in ([], [{"entity": "concept", "value": "astrology"}]):
        (message,) = _run(ActionExplainConcept(), _tracker("ask_concept", entities))
        assert len(message["buttons"]) == 9
        assert message["buttons"][0]["payload"] == '/ask_concept{"concept": "spin"}'


def test_customer_sentence_is_named_with_its_visit_step() -> None:
    (message,) = _run(ActionDescribeMove(), _tracker("close_scarcity"))
    assert "稀缺" in message["text"]
    assert "促成及异议处理" in message["text"]


def test_unknown_move_gets_a_way_forward() -> None:
    (message,) = _run(ActionDescribeMove(), _tracker("nlu_fallback"))
    assert "帮助" in message["text"]
