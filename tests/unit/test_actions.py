"""The actions, driven the way the action server drives them (no Rasa server needed)."""

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import knowledge
from actions.coach_actions import ActionExplainConcept
from actions.quiz_actions import ActionAnswerQuiz, ActionShowProgress, ActionStartQuiz
from actions.roleplay_actions import (
    ActionEndRoleplay,
    ActionRepMove,
    ActionRoleplayFeedback,
    ActionRoleplayHint,
    ActionStartRoleplay,
)
from actions.state import current_roleplay
from bot.adapters.storage import open_database
from bot.adapters.storage.accounts import Accounts
from bot.adapters.storage.scenario_uploads import ScenarioUploads
from harness.rasa_processes import ROOT


def _tracker(
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    text: str = "",
    roleplay: dict | None = None,
    quiz: dict | None = None,
    sender: str = "rep-1",
    choice: dict | None = None,
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "text": text,
    }
    activity = "quiz" if quiz else "roleplay" if roleplay else None
    activity = "choosing" if choice is not None else activity
    slots = {"roleplay": roleplay, "quiz": quiz, "activity": activity, "choice": choice}
    return Tracker(sender, slots, latest, [], False, None, {}, "action_listen")


def _slots(tracker: Tracker, events: list[dict]) -> dict[str, Any]:
    """The slots after the action's events, as Rasa would apply them to the tracker."""
    assert all(event["event"] == "slot" for event in events)
    slots = {name: tracker.get_slot(name) for name in ("roleplay", "quiz", "activity", "choice")}
    slots.update({event["name"]: event["value"] for event in events})
    return slots


def _in_store(ref: dict, sender: str = "rep-1") -> dict:
    """The role-play a slot's reference points at, as the actions read it from the store."""
    play = current_roleplay(_tracker("action_listen", roleplay=ref, sender=sender))
    assert play is not None
    return dict(play.to_dict())


def _run(action, tracker: Tracker) -> list[dict[str, Any]]:
    messages, events = _run_with_events(action, tracker)
    assert events == []
    return messages


LISTEN_NEXT = {"event": "followup", "timestamp": None, "name": "action_listen"}


def _run_with_events(action, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    """The messages and the events, less the rep-move action's last event, which it always
    returns: the bot listens next (so Rasa need not run its policies to find that out)."""
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    if isinstance(action, ActionRepMove):
        assert events[-1] == LISTEN_NEXT
        events = events[:-1]
    return dispatcher.messages, events


def _run_for_slots(action, tracker: Tracker) -> tuple[list[dict], dict[str, Any]]:
    messages, events = _run_with_events(action, tracker)
    return messages, _slots(tracker, events)


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


def _menu(tracker: Tracker) -> tuple[dict, dict[str, Any]]:
    """The one menu message an action shows, and the slots after it (the rep is choosing)."""
    (message,), slots = _run_for_slots(ActionStartRoleplay(), tracker)
    assert slots["activity"] == "choosing"
    return message, slots


def test_start_without_scenario_offers_scenarios_keeping_the_persona() -> None:
    tracker = _tracker("start_roleplay", [{"entity": "persona", "value": "tiger"}])
    message, slots = _menu(tracker)
    assert slots["choice"] == {"persona": "tiger"}
    payloads = [button["payload"] for button in message["buttons"]]
    for built_in in ("inkjet_factory", "telecom_lines", "corporate_banking", "luxury_jewellery"):
        assert any(f'"scenario": "{built_in}"' in payload for payload in payloads)
    assert all('"persona": "tiger"' in payload for payload in payloads)


def test_start_without_persona_offers_the_four_personalities() -> None:
    tracker = _tracker("start_roleplay", [{"entity": "scenario", "value": "corporate_banking"}])
    message, _ = _menu(tracker)
    assert "第几个" in message["text"]  # a number picks in button order
    titles = [button["title"] for button in message["buttons"]]
    assert titles == ["老虎型(支配型)", "孔雀型(表现型)", "猫头鹰型(分析型)", "考拉型(平易型)"]


def test_a_typed_choice_at_the_menu_starts_the_visit() -> None:
    """After 开始对练 the rep types instead of tapping: a loose scenario name, then a number."""
    menu, slots = _menu(_tracker("start_roleplay", text="开始对练"))
    assert "输入名称" in menu["text"]
    (persona_menu,), slots = _run_for_slots(
        ActionRepMove(), _tracker("nlu_fallback", text="银行那个吧", choice=slots["choice"])
    )
    assert slots["choice"] == {"scenario": "corporate_banking"} and "性格" in persona_menu["text"]
    messages, slots = _run_for_slots(
        ActionExplainConcept(), _tracker("ask_concept", text="猫头鹰", choice=slots["choice"])
    )
    assert messages[0]["text"].startswith("【对练开始】集团企业现金管理")
    assert "猫头鹰型" in messages[0]["text"]
    assert slots["activity"] == "roleplay" and slots["choice"] is None
    assert _in_store(slots["roleplay"])["persona"] == "owl"


def test_a_number_at_the_persona_menu_chooses_in_menu_order() -> None:
    choice = {"scenario": "inkjet_factory"}
    messages, slots = _run_for_slots(
        ActionRepMove(), _tracker("answer_quiz", text="第4个", choice=choice)
    )
    assert _in_store(slots["roleplay"])["persona"] == "koala" and "华丰食品" in messages[0]["text"]


def test_a_reply_that_names_nothing_shows_the_menu_again() -> None:
    (note, menu), slots = _run_for_slots(
        ActionRepMove(), _tracker("affirm", text="好的", choice={"scenario": "inkjet_factory"})
    )
    assert "没认出" in note["text"] and "性格" in menu["text"]
    assert slots["activity"] == "choosing" and slots["choice"] == {"scenario": "inkjet_factory"}


def _started(
    scenario: str = "inkjet_factory", persona: str = "tiger", sender: str = "rep-1"
) -> dict:
    entities = [
        {"entity": "scenario", "value": scenario},
        {"entity": "persona", "value": persona},
    ]
    tracker = _tracker("start_roleplay", entities, sender=sender)
    messages, slots = _run_for_slots(ActionStartRoleplay(), tracker)
    assert "华丰食品" in messages[0]["text"] and "老虎型" in messages[0]["text"]
    assert messages[1]["text"].startswith("王厂长:")
    assert slots["activity"] == "roleplay" and slots["quiz"] is None
    return slots["roleplay"]


def test_role_play_turn_is_answered_by_the_customer_and_kept_in_the_slot() -> None:
    play = _started()
    tracker = _tracker("ask_problem", text="用下来有没有让您头疼的地方?", roleplay=play)
    messages, slots = _run_for_slots(ActionRepMove(), tracker)
    assert messages[0]["text"].startswith("王厂长:")
    assert "喷头" in messages[0]["text"]
    turns = _in_store(slots["roleplay"])["turns"]
    assert [t["speaker"] for t in turns] == ["customer", "rep", "customer"]
    assert turns[1]["move"] == "ask_problem"


def test_feedback_hint_and_end_during_a_role_play() -> None:
    play = _started()
    tracker = _tracker("present_product", text="我们的喷码机是最好的,绝对没问题。", roleplay=play)
    _, slots = _run_for_slots(ActionRepMove(), tracker)
    play = slots["roleplay"]
    (feedback,) = _run(ActionRoleplayFeedback(), _tracker("request_feedback", roleplay=play))
    assert "绝对没问题" in feedback["text"] and "M" in feedback["text"]
    (hint,) = _run(ActionRoleplayHint(), _tracker("request_hint", roleplay=play))
    assert "探访需求" in hint["text"]
    messages, slots = _run_for_slots(ActionEndRoleplay(), _tracker("end_roleplay", roleplay=play))
    assert "总分" in messages[0]["text"]
    assert slots == {"roleplay": None, "quiz": None, "activity": None, "choice": None}


def test_role_play_commands_without_a_role_play_say_how_to_start() -> None:
    for action in (ActionEndRoleplay(), ActionRoleplayHint(), ActionRoleplayFeedback()):
        (message,) = _run(action, _tracker("end_roleplay"))
        assert "开始对练" in message["text"]


def test_a_huge_message_in_a_role_play_is_answered_not_refused() -> None:
    play = _started()
    tracker = _tracker("small_talk", text="好" * 30000, roleplay=play)
    messages, slots = _run_for_slots(ActionRepMove(), tracker)
    assert messages[0]["text"].startswith("王厂长:")
    assert len(_in_store(slots["roleplay"])["turns"][1]["text"]) == 20000


def test_hint_and_feedback_right_after_the_start_do_not_fail() -> None:
    play = _started()
    (hint,) = _run(ActionRoleplayHint(), _tracker("request_hint", roleplay=play))
    assert "建立沟通" in hint["text"]
    (feedback,) = _run(ActionRoleplayFeedback(), _tracker("request_feedback", roleplay=play))
    assert "还没有对客户说话" in feedback["text"]


def _quiz_started(sender: str) -> dict:
    tracker = _tracker("start_quiz", sender=sender)
    messages, slots = _run_for_slots(ActionStartQuiz(), tracker)
    assert "5 道题" in messages[0]["text"]
    assert messages[1]["text"].startswith("第 1/5 题")
    assert slots["activity"] == "quiz"
    return slots["quiz"]


def _answer(quiz: dict, sender: str, letters: str = "", intent: str = "answer_quiz") -> tuple:
    entities = [{"entity": "quiz_answer", "value": letter} for letter in letters]
    tracker = _tracker(intent, entities, text=letters, quiz=quiz, sender=sender)
    return _run_for_slots(ActionAnswerQuiz(), tracker)


def test_quiz_round_marks_answers_keeps_the_score_and_reports_it_in_progress(methodology) -> None:
    answers = {question.id: "".join(question.answer) for question in methodology.quiz}
    quiz = _quiz_started("quiz-rep")
    for number in range(5):
        question_id = quiz["question_ids"][number]
        # right on the first three, wrong (an option that is not the answer) on the last two
        right = answers[question_id]
        letters = right if number < 3 else ("B" if right != "B" else "A")
        # a multiple-choice answer arrives as separate letters ("A和C"), merged by the action
        messages, slots = _answer(quiz, "quiz-rep", letters)
        assert messages[0]["text"].startswith("✅" if number < 3 else "❌")
        assert "依据 M" in messages[0]["text"]
        if number < 4:
            assert messages[1]["text"].startswith(f"第 {number + 2}/5 题")
            quiz = slots["quiz"]
        else:
            assert "5 题答对 3 题(60 分)" in messages[1]["text"]
            assert slots == {"roleplay": None, "quiz": None, "activity": None, "choice": None}
    (progress,) = _run(ActionShowProgress(), _tracker("show_progress", sender="quiz-rep"))
    assert "测验 1 轮:共答 5 题,答对 3 题(正确率 60%)" in progress["text"]


def test_true_false_question_can_be_answered_with_yes_or_no(methodology) -> None:
    truefalse = next(q for q in methodology.quiz if q.type == "truefalse")
    quiz = {"id": "tf-round", "question_ids": [truefalse.id], "answers": []}
    intent = "affirm" if truefalse.answer == ["A"] else "deny"
    messages, _ = _answer(quiz, "yes-no-rep", intent=intent)
    assert messages[0]["text"].startswith("✅")
    assert "1 题答对 1 题" in messages[1]["text"]


def test_unrecognised_quiz_answer_asks_again_and_loses_nothing() -> None:
    quiz = _quiz_started("unsure-rep")
    messages, slots = _answer(quiz, "unsure-rep", "")
    assert "没认出你的选项" in messages[0]["text"]
    assert slots["quiz"] == quiz and slots["activity"] == "quiz"


def test_starting_a_quiz_twice_repeats_the_open_question() -> None:
    quiz = _quiz_started("twice-rep")
    tracker = _tracker("start_quiz", quiz=quiz, sender="twice-rep")
    messages, events = _run_with_events(ActionStartQuiz(), tracker)
    assert "还没做完" in messages[0]["text"] and messages[1]["text"].startswith("第 1/5 题")
    assert events == []


def test_ending_a_quiz_early_scores_the_questions_answered(methodology) -> None:
    quiz = _quiz_started("quitter")
    first = next(q for q in methodology.quiz if q.id == quiz["question_ids"][0])
    _, slots = _answer(quiz, "quitter", "".join(first.answer))
    tracker = _tracker("end_roleplay", quiz=slots["quiz"], sender="quitter")
    messages, slots = _run_for_slots(ActionEndRoleplay(), tracker)
    assert "1 题答对 1 题" in messages[0]["text"]
    assert slots["quiz"] is None


def test_a_quiz_in_the_middle_of_a_role_play_hands_back_to_the_customer(methodology) -> None:
    play = _started()
    quiz = _quiz_started("mixed-rep")
    tracker = _tracker("ask_problem", text="有什么困难吗?", roleplay=play, quiz=quiz)
    (reminder,) = _run(ActionRepMove(), tracker)
    assert "测验还在进行" in reminder["text"]
    tracker = _tracker("end_roleplay", roleplay=play, quiz=quiz, sender="mixed-rep")
    _, slots = _run_for_slots(ActionEndRoleplay(), tracker)
    assert slots == {"roleplay": play, "quiz": None, "activity": "roleplay", "choice": None}


def test_progress_lists_role_plays_with_their_scores_and_the_weakest_skill() -> None:
    (empty,) = _run(ActionShowProgress(), _tracker("show_progress", sender="newcomer"))
    assert "还没有练习记录" in empty["text"]
    for text in ("您好王厂长", "我们的喷码机是最好的,绝对没问题,今天就签吧。"):
        play = _started(sender="regular")
        move = "greet" if text.startswith("您好") else "close_direct"
        _, slots = _run_for_slots(
            ActionRepMove(), _tracker(move, text=text, roleplay=play, sender="regular")
        )
        play = slots["roleplay"]
        if play is not None:  # not ended by the customer: the rep ends it
            _run_with_events(
                ActionEndRoleplay(), _tracker("end_roleplay", roleplay=play, sender="regular")
            )
    (progress,) = _run(ActionShowProgress(), _tracker("show_progress", sender="regular"))
    text = progress["text"]
    assert "对练 2 场" in text and "比第一场" in text
    assert "最该加强:" in text
    assert text.count("食品厂更换喷码设备 · 老虎型") == 2


def test_a_scenario_uploaded_in_the_web_app_is_offered_and_played(test_database) -> None:
    source = (ROOT / "bot/knowledge/scenarios/inkjet_factory.yml").read_text(encoding="utf-8")
    source = source.replace("id: inkjet_factory", "id: dairy_coding", 1)
    source = source.replace("name: 食品厂更换喷码设备", "name: 乳品厂喷码升级", 1)
    database = open_database(test_database)
    writer = Accounts(database).create_user("scenario-admin", "管理员", "pw-123456", "admin", None)
    ScenarioUploads(database).save("dairy_coding", "乳品厂喷码升级", source, writer)
    menu, _ = _menu(_tracker("start_roleplay"))
    assert "乳品厂喷码升级" in [button["title"] for button in menu["buttons"]]
    entities = [
        {"entity": "scenario", "value": "dairy_coding"},
        {"entity": "persona", "value": "owl"},
    ]
    messages, slots = _run_for_slots(ActionStartRoleplay(), _tracker("start_roleplay", entities))
    assert messages[0]["text"].startswith("【对练开始】乳品厂喷码升级")
    assert _in_store(slots["roleplay"])["scenario"] == "dairy_coding"


def test_a_question_to_the_coach_about_an_objection_gets_m6_advice_for_that_kind() -> None:
    """ "客户说太贵了怎么办" is a rep's commonest question: the 是的、是的、可是 answer for a
    price objection, in a role-play too (the customer waits)."""
    for intent in ("request_hint", "ask_concept"):
        (message,) = _run(
            ActionRoleplayHint() if intent == "request_hint" else ActionExplainConcept(),
            _tracker(intent, text="教练,客户说太贵了怎么办?"),
        )
        assert "价格" in message["text"] and "是的、是的、可是" in message["text"]
        assert "M6" in message["text"]
    (message,) = _run(
        ActionRoleplayHint(), _tracker("request_hint", text="客户说要跟老板商量,我该怎么回?")
    )
    assert "权限" in message["text"]
    play = _started()
    (message,) = _run(
        ActionRoleplayHint(), _tracker("request_hint", text="客户说别家更便宜怎么办", roleplay=play)
    )
    assert "接着对客户说话" in message["text"]


def test_yes_no_and_off_topic_outside_a_role_play_get_the_coachs_answers() -> None:
    for intent, response in (
        ("affirm", "utter_anything_else"),
        ("deny", "utter_anything_else"),
        ("out_of_scope", "utter_out_of_scope"),
        ("nlu_fallback", "utter_default"),
    ):
        (message,) = _run(ActionRepMove(), _tracker(intent, text="好的"))
        assert message["response"] == response, intent


def test_a_number_at_the_scenario_menu_is_a_choice_not_a_quiz_answer() -> None:
    (menu,), slots = _run_for_slots(
        ActionAnswerQuiz(), _tracker("answer_quiz", text="2", choice={})
    )
    assert "性格" in menu["text"] and slots["choice"]["scenario"]


def test_a_role_play_read_back_from_the_store_goes_on_exactly_as_a_warm_one() -> None:
    """An action server that restarts mid-visit (nothing in memory) reads the role-play at the
    slot's reference from the store: the customer says the same and remembers the same."""
    lines = [
        ("ask_situation", "贵厂现在几条线在用喷码机?"),
        ("ask_problem", "用下来有没有让您头疼的地方?"),
        ("ask_implication", "停一次线,对交货有什么影响?"),
        ("ask_need_payoff", "如果不用再停线,对您旺季交货有什么帮助?"),
    ]
    said: dict[bool, list[str]] = {}
    states: dict[bool, dict] = {}
    for restarted in (False, True):
        ref = _started(sender="restarted-rep")
        said[restarted] = []
        for move, text in lines:
            if restarted:  # what a fresh action server holds: nothing
                knowledge.roleplays.cache_clear()
                knowledge.roleplay_coach()._live.clear()
            tracker = _tracker(move, text=text, roleplay=ref, sender="restarted-rep")
            messages, slots = _run_for_slots(ActionRepMove(), tracker)
            said[restarted] += [message["text"] for message in messages]
            ref = slots["roleplay"]
        assert ref["turns"] == 1 + 2 * len(lines)
        states[restarted] = _in_store(ref, "restarted-rep")
    assert said[True] == said[False]
    assert states[True]["customer"] == states[False]["customer"]
    assert states[True]["turns"] == states[False]["turns"]


def test_a_forged_reference_reads_no_role_play_and_writes_nothing() -> None:
    """A slot value set from outside names another rep's visit: it is not read, so nothing
    is said to that customer, scored or stored in that visit."""
    ref = _started(sender="owner-rep")
    for forged in (ref, {**ref, "turns": 7}, {**ref, "last": ref["last"] + 1}):
        tracker = _tracker("ask_problem", text="有什么困难吗?", roleplay=forged, sender="intruder")
        messages, events = _run_with_events(ActionRepMove(), tracker)
        assert not any(message["text"].startswith("王厂长:") for message in messages)
        assert events == []
        (ended,) = _run(ActionEndRoleplay(), _tracker("end_roleplay", roleplay=forged, sender="x"))
        assert "没有进行中的对练" in ended["text"]
    assert _in_store(ref, "owner-rep")["turns"] == [_in_store(ref, "owner-rep")["turns"][0]]
