"""The actions, driven the way the action server drives them (no Rasa server needed)."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.coach_actions import ActionExplainConcept
from actions.roleplay_actions import (
    ActionEndRoleplay,
    ActionRepMove,
    ActionRoleplayFeedback,
    ActionRoleplayHint,
    ActionStartRoleplay,
)


def _tracker(
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    text: str = "",
    roleplay: dict | None = None,
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "text": text,
    }
    slots = {"roleplay": roleplay}
    return Tracker("rep-1", slots, latest, [], False, None, {}, "action_listen")


def _run(action, tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    assert events == []
    return dispatcher.messages


def _run_with_events(action, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


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


def test_customer_sentence_outside_a_role_play_is_named_with_its_visit_step() -> None:
    (message,) = _run(ActionRepMove(), _tracker("close_scarcity", text="只剩两台了"))
    assert "稀缺" in message["text"]
    assert "促成及异议处理" in message["text"]


def test_unsure_message_outside_a_role_play_asks_to_rephrase() -> None:
    (message,) = _run(ActionRepMove(), _tracker("nlu_fallback", text="嗯嗯嗯"))
    assert message["response"] == "utter_default"


def test_greeting_outside_a_role_play_shows_the_menu() -> None:
    (message,) = _run(ActionRepMove(), _tracker("greet", text="你好"))
    assert message["response"] == "utter_greet"


def test_start_without_scenario_offers_scenarios_keeping_the_persona() -> None:
    tracker = _tracker("start_roleplay", [{"entity": "persona", "value": "tiger"}])
    (message,) = _run(ActionStartRoleplay(), tracker)
    assert len(message["buttons"]) == 5
    assert all('"persona": "tiger"' in b["payload"] for b in message["buttons"])


def test_start_without_persona_offers_the_four_personalities() -> None:
    tracker = _tracker("start_roleplay", [{"entity": "scenario", "value": "corporate_banking"}])
    (message,) = _run(ActionStartRoleplay(), tracker)
    titles = [button["title"] for button in message["buttons"]]
    assert titles == ["老虎型(支配型)", "孔雀型(表现型)", "猫头鹰型(分析型)", "考拉型(平易型)"]


def _started(scenario: str = "inkjet_factory", persona: str = "tiger") -> dict:
    entities = [
        {"entity": "scenario", "value": scenario},
        {"entity": "persona", "value": persona},
    ]
    messages, events = _run_with_events(ActionStartRoleplay(), _tracker("start_roleplay", entities))
    assert "华丰食品" in messages[0]["text"] and "老虎型" in messages[0]["text"]
    assert messages[1]["text"].startswith("王厂长:")
    (event,) = events
    assert event["event"] == "slot" and event["name"] == "roleplay"
    return event["value"]


def test_role_play_turn_is_answered_by_the_customer_and_kept_in_the_slot() -> None:
    play = _started()
    tracker = _tracker("ask_problem", text="用下来有没有让您头疼的地方?", roleplay=play)
    messages, events = _run_with_events(ActionRepMove(), tracker)
    assert messages[0]["text"].startswith("王厂长:")
    assert "喷头" in messages[0]["text"]
    (event,) = events
    assert [t["speaker"] for t in event["value"]["turns"]] == ["customer", "rep", "customer"]
    assert event["value"]["turns"][1]["move"] == "ask_problem"


def test_feedback_hint_and_end_during_a_role_play() -> None:
    play = _started()
    tracker = _tracker("present_product", text="我们的喷码机是最好的,绝对没问题。", roleplay=play)
    _, (event,) = _run_with_events(ActionRepMove(), tracker)
    play = event["value"]
    (feedback,) = _run(ActionRoleplayFeedback(), _tracker("request_feedback", roleplay=play))
    assert "绝对没问题" in feedback["text"] and "M" in feedback["text"]
    (hint,) = _run(ActionRoleplayHint(), _tracker("request_hint", roleplay=play))
    assert "探访需求" in hint["text"]
    messages, events = _run_with_events(
        ActionEndRoleplay(), _tracker("end_roleplay", roleplay=play)
    )
    assert "总分" in messages[0]["text"]
    assert events == [{"event": "slot", "timestamp": None, "name": "roleplay", "value": None}]


def test_role_play_commands_without_a_role_play_say_how_to_start() -> None:
    for action in (ActionEndRoleplay(), ActionRoleplayHint(), ActionRoleplayFeedback()):
        (message,) = _run(action, _tracker("end_roleplay"))
        assert "开始对练" in message["text"]


def test_a_huge_message_in_a_role_play_is_answered_not_refused() -> None:
    play = _started()
    tracker = _tracker("small_talk", text="好" * 30000, roleplay=play)
    messages, (event,) = _run_with_events(ActionRepMove(), tracker)
    assert messages[0]["text"].startswith("王厂长:")
    assert len(event["value"]["turns"][1]["text"]) == 20000


def test_hint_and_feedback_right_after_the_start_do_not_fail() -> None:
    play = _started()
    (hint,) = _run(ActionRoleplayHint(), _tracker("request_hint", roleplay=play))
    assert "建立沟通" in hint["text"]
    (feedback,) = _run(ActionRoleplayFeedback(), _tracker("request_feedback", roleplay=play))
    assert "还没有对客户说话" in feedback["text"]
