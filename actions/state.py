"""The slots that hold what the rep is doing, read and written in one place.

`roleplay` and `quiz` hold the whole state of each activity (plain dicts, so a conversation
survives an action-server restart); `activity` says which one the rep's next message belongs
to, so the rules can send a plain 好的 or 对 to the customer or to the quiz.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.knowledge import practice_log, roleplay_coach
from bot.practice_log import QuizRecord
from bot.quiz import QuizRound
from bot.roleplay import RolePlay

ROLEPLAY, QUIZ, ACTIVITY = "roleplay", "quiz", "activity"
# Times shown to reps are China Standard Time (no daylight saving, so a fixed offset is exact).
CHINA_TIME = timezone(timedelta(hours=8))


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


def record_roleplay(tracker: Tracker, play: RolePlay) -> None:
    """Keep a finished (or abandoned) role-play in the rep's progress, if the rep said anything."""
    if any(turn["speaker"] == "rep" for turn in play.turns):
        record = roleplay_coach().record(play, datetime.now(CHINA_TIME))
        practice_log().add_roleplay(tracker.sender_id, record)


def record_quiz(tracker: Tracker, quiz: QuizRound) -> None:
    """Keep a quiz round's score (finished or stopped early) in the rep's progress."""
    record = QuizRecord(datetime.now(CHINA_TIME), answered=len(quiz.answers), correct=quiz.correct)
    practice_log().add_quiz(tracker.sender_id, record)
