"""Role-play actions: start, each rep sentence (scored, answered by the customer), hint,
feedback, end with the report. The role-play lives in the store; the `roleplay` slot refers to
it (actions/state.py).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, Restarted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import methodology, offer_uploaded_scenarios, roleplay_coach
from actions.state import (
    ACTIVITY,
    CHOICE,
    CHOOSING,
    current_quiz,
    current_roleplay,
    message_seed,
    roleplay_before_latest,
    save,
    store_end,
    store_quiz,
    store_start,
    store_turn,
    store_undo,
    told_when_unrecorded,
)
from bot.language.intents import best_intent
from bot.practice.choosing import choose_persona, choose_scenario, is_menu_number
from bot.practice.coach import advise_on_objection, describe_move
from bot.practice.quiz import result_text

# What the coach answers outside a role-play to a line that is not a rep move.
OUTSIDE_A_ROLEPLAY = {
    "nlu_fallback": "utter_default",
    "affirm": "utter_anything_else",
    "deny": "utter_anything_else",
    "out_of_scope": "utter_out_of_scope",
}
ACTION_LISTEN = "action_listen"
NOT_PLAYING = "现在没有进行中的对练。说“开始对练”或“来个老虎型客户”开始一场吧。"
NOTHING_SAID = "这场对练你还没有对客户说话,所以没有评分。"
AGAIN = "说“开始对练”再来一场,说“我的进度”看看历次成绩。"


def _say(dispatcher: CollectingDispatcher, messages: list[str]) -> None:
    for message in messages:
        dispatcher.utter_message(text=message)


class ActionStartRoleplay(Action):
    """Starts a role-play with the named scenario and persona, or offers a menu for what is
    missing, so "来个老虎型的客户", a tap on a button and a typed "2" or "银行那个" all work."""

    def name(self) -> str:
        return "action_start_roleplay"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return choose_and_start(dispatcher, tracker) or []


def choose_and_start(
    dispatcher: CollectingDispatcher, tracker: Tracker, or_else_pass: bool = False
) -> list[dict[str, Any]] | None:
    """Starts the role-play the entities and the typed text name, or shows the menu for what
    is still missing. With `or_else_pass`, a message that chooses nothing returns None
    instead (a line for the running customer, a question for the coach): the caller's."""
    offer_uploaded_scenarios()
    coach = roleplay_coach()
    personas = methodology().personas
    pending = tracker.get_slot(CHOICE) if tracker.get_slot(ACTIVITY) == CHOOSING else None
    pending = pending if isinstance(pending, dict) else {}
    typed = _as_typed(tracker)
    typed = "" if typed.startswith("/") else typed  # a button's payload, not the rep's words
    scenario = next(tracker.get_latest_entity_values("scenario"), None) or pending.get("scenario")
    persona = next(tracker.get_latest_entity_values("persona"), None) or pending.get("persona")
    asked_scenario = scenario not in coach.scenarios  # the menu on screen is the scenarios
    if asked_scenario:
        scenario = choose_scenario(typed, coach.scenarios) if typed else None
    if persona not in personas:
        # A number answers the menu on screen only: "2" at the scenarios is not a persona.
        by_number = asked_scenario and is_menu_number(typed)
        persona = choose_persona(typed, personas) if typed and not by_number else None
    if scenario is not None and persona is not None:
        return _start(dispatcher, tracker, scenario, persona)
    chose_now = (scenario, persona) != (pending.get("scenario"), pending.get("persona"))
    if or_else_pass and not chose_now:
        return None
    if pending and typed and not chose_now:
        dispatcher.utter_message(
            text=f"没认出“{typed[:20]}”是哪一个,点按钮或输入序号、名称都可以。"
        )
    if scenario is None:
        menu = [
            (item.name, {"scenario": item.id, "persona": persona})
            for item in coach.scenarios.values()
        ]
        title = "选一个场景"
    else:
        menu = [
            (f"{item.animal}型({item.name})", {"scenario": scenario, "persona": item.id})
            for item in personas.values()
        ]
        title = "客户是什么性格"
    # The items are the buttons, in order: WeCom lists them numbered, the web chat and REST
    # clients show buttons; a typed number picks in the same order.
    dispatcher.utter_message(
        text=f"{title}(点按钮,或直接输入名称、第几个):",
        buttons=[
            {"title": label, "payload": "/start_roleplay" + _entities(**values)}
            for label, values in menu
        ],
    )
    chosen = {
        key: value for key, value in {"scenario": scenario, "persona": persona}.items() if value
    }
    return [SlotSet(ACTIVITY, CHOOSING), SlotSet(CHOICE, chosen)]


def _start(
    dispatcher: CollectingDispatcher, tracker: Tracker, scenario: str, persona: str
) -> list[dict[str, Any]]:
    coach = roleplay_coach()
    seed = message_seed(tracker, "")
    play, messages = coach.start(uuid.uuid4().hex, scenario, persona, seed)
    previous = current_roleplay(tracker)
    # A visit left for a new one is ended, not left open.
    if previous is not None and store_end(previous) is not None:
        dispatcher.utter_message(text="上一场对练到此结束,总分已记入你的进度。开始新的一场:")
    ref = store_start(tracker, play)
    _say(dispatcher, messages)
    return save(tracker, roleplay=ref)


def _as_typed(tracker: Tracker) -> str:
    """The rep's message as he typed it (the NLU's copy has traditional characters and
    full-width punctuation folded): the transcript and the report quote his own words."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return (event.get("text") or "").strip()
    return (tracker.latest_message.get("text") or "").strip()


def _entities(**values: str | None) -> str:
    """The `{"scenario": ..., "persona": ...}` part of a button payload, for known values."""
    present = {key: value for key, value in values.items() if value}
    return json.dumps(present, ensure_ascii=False) if present else ""


class ActionRepMove(Action):
    """A sentence meant for a customer: in a role-play the customer answers and the turn is
    scored; outside one, the coach names the move (or greets, or asks to rephrase)."""

    def name(self) -> str:
        return "action_rep_move"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # Every rule has the bot listen after this action: saying so spares Rasa a second
        # run of its policies on every rep turn (it takes a follow-up action as predicted).
        return [*self._answer(dispatcher, tracker), FollowupAction(ACTION_LISTEN)]

    def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        if current_quiz(tracker) is not None:
            dispatcher.utter_message(
                text="测验还在进行:请回复选项字母(比如 B),或说“结束测验”交卷。"
            )
            return []
        if tracker.get_slot(ACTIVITY) == CHOOSING:
            chosen = choose_and_start(
                dispatcher, tracker, or_else_pass=current_roleplay(tracker) is not None
            )
            if chosen is not None:
                return chosen
        play = current_roleplay(tracker)
        best = best_intent(tracker.latest_message)
        intent, confidence = best.intent, best.confidence
        text = _as_typed(tracker)
        if play is None or play.finished:
            said = tracker.latest_message.get("intent", {}).get("name")
            if said in OUTSIDE_A_ROLEPLAY:
                dispatcher.utter_message(response=OUTSIDE_A_ROLEPLAY[said])
            elif intent == "greet":
                dispatcher.utter_message(response="utter_greet")
            else:
                dispatcher.utter_message(text=describe_move(methodology(), intent))
            return []
        if not text or text.startswith("/"):
            dispatcher.utter_message(text="客户在等你开口呢,请输入你要对客户说的话。")
            return []
        result = roleplay_coach().rep_says(play, text, intent, confidence, best.also, best.ranking)
        play = result.play
        ref = store_turn(tracker, result)
        report = store_end(play) if play.finished else None
        _say(dispatcher, result.messages)
        if play.finished:
            dispatcher.utter_message(
                text=roleplay_coach().summary_of(report) if report else NOTHING_SAID
            )
            dispatcher.utter_message(text=AGAIN)
            return save(tracker, roleplay=None)
        return save(tracker, roleplay=ref)


class ActionEndRoleplay(Action):
    """结束 ends what the rep is doing: the quiz if one runs (with its score so far), else the
    role-play (with its report)."""

    def name(self) -> str:
        return "action_end_roleplay"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        quiz = current_quiz(tracker)
        play = current_roleplay(tracker)
        if quiz is None and play is None:
            dispatcher.utter_message(text=NOT_PLAYING)
            return []
        if quiz is not None:
            store_quiz(tracker, quiz)
            dispatcher.utter_message(text=result_text(quiz))
            return save(tracker, quiz=None)
        report = store_end(play) if play is not None else None
        dispatcher.utter_message(
            text=roleplay_coach().summary_of(report) if report else NOTHING_SAID
        )
        dispatcher.utter_message(text="想再练一次,说“开始对练”;说“我的进度”看看历次成绩。")
        return save(tracker, roleplay=None)


class ActionRoleplayHint(Action):
    def name(self) -> str:
        return "action_roleplay_hint"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        advice = advise_on_objection(methodology(), _as_typed(tracker))  # "客户说太贵了怎么办"
        play = current_roleplay(tracker)
        if advice is not None:
            back = "\n说完可以接着对客户说话。" if play is not None else ""
            dispatcher.utter_message(text=f"{advice}{back}")
            return []
        dispatcher.utter_message(text=roleplay_coach().hint(play) if play else NOT_PLAYING)
        return []


class ActionRoleplayFeedback(Action):
    def name(self) -> str:
        return "action_roleplay_feedback"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        play = current_roleplay(tracker)
        dispatcher.utter_message(text=roleplay_coach().feedback(play) if play else NOT_PLAYING)
        return []


class ActionRestart(Action):
    """/restart: Rasa's own restart forgets the conversation, which left a role-play "in
    progress" for ever and a quiz unscored. This one ends them in the database first."""

    def name(self) -> str:
        return "action_restart"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        quiz, play = current_quiz(tracker), current_roleplay(tracker)
        if quiz is not None:
            store_quiz(tracker, quiz)
        if play is not None:
            store_end(play)
        ended = "上一场对练已结束并记入你的进度。" if play is not None else ""
        dispatcher.utter_message(text=f"好的,我们从头开始。{ended}说“帮助”看看我能做什么。")
        return [Restarted()]


class ActionBack(Action):
    """/back: takes back the rep's last message as Rasa's own does (the /back itself and the
    message before it), and marks what that message added to the role-play as undone in the
    database, so the report and the transcript a trainer reads leave it out."""

    def name(self) -> str:
        return "action_back"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        play = current_roleplay(tracker)
        if play is not None:
            store_undo(play, roleplay_before_latest(tracker, back=2))
        dispatcher.utter_message(text="好的,上一句已撤回,不计分。请接着说。")
        return [UserUtteranceReverted(), UserUtteranceReverted()]
