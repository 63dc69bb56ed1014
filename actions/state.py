"""The slots that hold what the rep is doing, and the database records written as it happens.

`roleplay` and `quiz` hold the whole state of each activity (plain dicts, so a conversation
survives a restart of either server); `activity` says which one the rep's next message
belongs to, so the rules can send a plain 好的 or 对 to the customer or to the quiz.

Each turn is written to the database when it is answered. A database that is down does not
stop the practice: the failure is logged and the conversation goes on from its slots.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.exc import SQLAlchemyError

from actions.knowledge import roleplay_coach, storage
from bot.quiz import QuizRound
from bot.roleplay import RepTurnResult, RolePlay
from bot.storage.records import NewSession

logger = logging.getLogger(__name__)
ROLEPLAY, QUIZ, ACTIVITY = "roleplay", "quiz", "activity"


def current_roleplay(tracker: Tracker) -> RolePlay | None:
    data = tracker.get_slot(ROLEPLAY)
    return RolePlay.from_dict(data) if isinstance(data, dict) else None


def current_quiz(tracker: Tracker) -> QuizRound | None:
    data = tracker.get_slot(QUIZ)
    return QuizRound.from_dict(data) if isinstance(data, dict) else None


def save(
    tracker: Tracker,
    roleplay: RolePlay | Literal["keep"] | None = "keep",
    quiz: QuizRound | Literal["keep"] | None = "keep",
) -> list[dict]:
    """Slot events for what changed; the activity is the quiz if one runs, else the role-play.

    A quiz taken in the middle of a role-play therefore hands the rep back to the customer
    when it ends.
    """
    if roleplay == "keep":
        roleplay = current_roleplay(tracker)
    if quiz == "keep":
        quiz = current_quiz(tracker)
    roleplay_data = roleplay.to_dict() if roleplay and not roleplay.finished else None
    quiz_data = quiz.to_dict() if quiz and not quiz.finished else None
    activity = "quiz" if quiz_data else "roleplay" if roleplay_data else None
    # Only slots that change: every event is validated, stored and sent back on each turn.
    values = {ROLEPLAY: roleplay_data, QUIZ: quiz_data, ACTIVITY: activity}
    return [
        SlotSet(name, value) for name, value in values.items() if value != tracker.get_slot(name)
    ]


def _persist(what: str, write: Callable[[], object]) -> None:
    try:
        write()
    except SQLAlchemyError:
        logger.exception("could not store %s; the conversation goes on from its slots", what)


def user_id(tracker: Tracker) -> int:
    """The project user behind this conversation (created as a rep on first contact)."""
    return storage().rep_for(tracker.get_latest_input_channel() or "rest", tracker.sender_id)


def store_start(tracker: Tracker, play: RolePlay) -> None:
    def write() -> None:
        session = NewSession(
            id=play.id,
            user_id=user_id(tracker),
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "rest",
            scenario_id=play.scenario,
            persona=play.persona,
            seed=play.seed,
        )
        storage().start_roleplay(session)
        storage().record_opening(play.id, play.turns[0])

    _persist("the start of a role-play", write)


def store_turn(result: RepTurnResult) -> None:
    pair = result.play.turns[result.position :]
    _persist(
        "a role-play turn",
        lambda: storage().record_exchange(
            result.play.id, result.position, pair, result.assessment_record()
        ),
    )


def store_end(play: RolePlay) -> None:
    """Keep the report of a finished (or stopped) role-play, if the rep said anything."""
    if any(turn["speaker"] == "rep" for turn in play.turns):
        coach = roleplay_coach()
        _persist(
            "a role-play report",
            lambda: storage().finish_roleplay(play.id, coach.outcome(play), coach.report(play)),
        )


def store_quiz(tracker: Tracker, quiz: QuizRound) -> None:
    """Keep a quiz round's score (finished or stopped early)."""
    _persist(
        "a quiz round",
        lambda: storage().record_quiz(quiz.id, user_id(tracker), quiz.answers),
    )
