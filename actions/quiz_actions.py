"""Quiz (M12) and progress actions: a round of questions with the score kept, and the rep's
progress over past role-plays and quizzes."""

from __future__ import annotations

import json
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import methodology, quiz_master, roleplay_coach, storage
from actions.roleplay_actions import choose_and_start
from actions.state import (
    ACTIVITY,
    CHOOSING,
    current_quiz,
    message_seed,
    save,
    store_quiz,
    told_when_unrecorded,
    user_id,
)
from bot.practice.history import progress_text
from bot.practice.quiz import Prompt

YES_NO_ANSWERS = {"affirm": "A", "deny": "B"}


def _ask(dispatcher: CollectingDispatcher, prompt: Prompt) -> None:
    buttons = [
        {"title": title, "payload": "/answer_quiz" + json.dumps({"quiz_answer": letter})}
        for title, letter in prompt.options
    ]
    dispatcher.utter_message(text=prompt.text, buttons=buttons)


class ActionStartQuiz(Action):
    """考考我: a new round of questions; a round already running is asked again, not restarted."""

    def name(self) -> str:
        return "action_start_quiz"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        running = current_quiz(tracker)
        if running is not None:
            dispatcher.utter_message(
                text="这一轮测验还没做完,接着答这一题(说“结束测验”可以提前交卷):"
            )
            _ask(dispatcher, quiz_master().prompt(running))
            return []
        seed = message_seed(tracker, "quiz:")
        quiz, prompt = quiz_master().start(uuid.uuid4().hex, seed)
        dispatcher.utter_message(
            text=f"好,来 {len(quiz.question_ids)} 道题,看看你对销售方法掌握得怎么样。"
        )
        _ask(dispatcher, prompt)
        return save(tracker, quiz=quiz)


class ActionAnswerQuiz(Action):
    """Marks the rep's answer (letters, or 对/错 for a true-false question) and asks the next
    question, or gives the round's score at the end."""

    def name(self) -> str:
        return "action_answer_quiz"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        quiz = current_quiz(tracker)
        if quiz is None and tracker.get_slot(ACTIVITY) == CHOOSING:  # "2" at the role-play menu
            return choose_and_start(dispatcher, tracker) or []
        if quiz is None:
            dispatcher.utter_message(
                text="现在没有进行中的测验。说“考考我”开始一轮吧。",
                buttons=[{"title": "考考我", "payload": "/start_quiz"}],
            )
            return []
        letters = "".join(tracker.get_latest_entity_values("quiz_answer"))
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not letters and intent in YES_NO_ANSWERS and quiz_master().truefalse_current(quiz):
            letters = YES_NO_ANSWERS[intent]
        reply = quiz_master().answer(quiz, letters)
        if reply.round.finished:
            store_quiz(tracker, reply.round)
        for message in reply.messages:
            dispatcher.utter_message(text=message)
        if reply.next_question is not None:
            _ask(dispatcher, reply.next_question)
        elif reply.round.finished:
            dispatcher.utter_message(
                text="说“考考我”再来一轮,说“我的进度”看看累计成绩。",
            )
        return save(tracker, quiz=reply.round)


class ActionShowProgress(Action):
    """我的进度: this rep's role-plays and quiz rounds so far."""

    def name(self) -> str:
        return "action_show_progress"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        user = user_id(tracker)
        names = {key: scenario.name for key, scenario in roleplay_coach().scenarios.items()}
        history = storage().roleplay_history(user), storage().quiz_history(user)
        dispatcher.utter_message(text=progress_text(methodology(), names, *history))
        return []
