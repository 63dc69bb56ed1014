"""The slots that hold what the rep is doing, and the database records written as it happens.

`roleplay` and `quiz` hold the whole state of each activity (plain dicts, so a conversation
survives a restart of either server); `activity` says which one the rep's next message
belongs to, so the rules can send a plain 好的 or 对 to the customer or to the quiz.

Each turn is written to the database before the rep sees the customer's answer, and the
database is the record: a session's report is computed from its stored turns. A write that
fails raises `RecordUnavailable`; the action then tells the rep to send the line again and
leaves the slots as they were, so nothing is shown that was not stored and scored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal, TypeVar, cast

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from sqlalchemy.exc import SQLAlchemyError

from actions.knowledge import roleplay_coach, storage
from bot.adapters.storage.accounts import REST_CHANNEL, external_id
from bot.adapters.storage.records import NewSession
from bot.practice.quiz import QuizRound
from bot.practice.roleplay import RepTurnResult, RolePlay, RolePlayState
from bot.scoring.contracts import Report

logger = logging.getLogger(__name__)
_T = TypeVar("_T")
ROLEPLAY, QUIZ, ACTIVITY = "roleplay", "quiz", "activity"
# The rep is choosing a scenario and persona from the menu; `choice` holds what he chose so far.
CHOOSING, CHOICE = "choosing", "choice"


def current_roleplay(tracker: Tracker) -> RolePlay | None:
    data = tracker.get_slot(ROLEPLAY)
    # The slot holds what RolePlay.to_dict() wrote (JSON from the tracker store).
    return RolePlay.from_dict(cast(RolePlayState, data)) if isinstance(data, dict) else None


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
    values = {ROLEPLAY: roleplay_data, QUIZ: quiz_data, ACTIVITY: activity, CHOICE: None}
    return [
        SlotSet(name, value) for name, value in values.items() if value != tracker.get_slot(name)
    ]


class RecordUnavailable(RuntimeError):
    """The database did not take a write the rep's turn depends on."""


NOT_RECORDED = (
    "抱歉,刚才这句没能保存(记录服务暂时连不上),客户还没听到。请稍等几秒,把这句话再发一次。"
)


def _persist(what: str, write: Callable[[], _T]) -> _T:
    try:
        return write()
    except SQLAlchemyError as error:
        logger.exception("could not store %s; the rep is asked to send the line again", what)
        raise RecordUnavailable(what) from error


def user_id(tracker: Tracker) -> int:
    """The project user behind this conversation (created as a rep on first contact)."""
    channel = tracker.get_latest_input_channel() or REST_CHANNEL
    return storage().rep_for(channel, external_id(channel, tracker.sender_id))


def store_start(tracker: Tracker, play: RolePlay) -> None:
    def write() -> None:
        session = NewSession(
            id=play.id,
            user_id=user_id(tracker),
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or REST_CHANNEL,
            scenario_id=play.scenario,
            persona=play.persona,
            seed=play.seed,
        )
        storage().start_roleplay(session, play.turns[0])

    _persist("the start of a role-play", write)


def store_turn(result: RepTurnResult) -> None:
    pair = result.play.turns[result.position :]
    _persist(
        "a role-play turn",
        lambda: storage().record_exchange(
            result.play.id, result.position, pair, result.assessment_record()
        ),
    )


def store_end(play: RolePlay) -> Report | None:
    """End the session in the database: its report, computed from the stored turns (so the
    transcript and the scores cannot disagree), or, if the rep never spoke, just its end."""
    coach = roleplay_coach()

    def write() -> Report | None:
        stored = RolePlay(
            play.id,
            play.scenario,
            play.persona,
            play.seed,
            play.customer,
            storage().live_turns(play.id),
        )
        if not any(turn["speaker"] == "rep" for turn in stored.turns):
            storage().close_roleplay(play.id, coach.outcome(play))
            return None
        report = coach.report(stored)
        storage().finish_roleplay(play.id, coach.outcome(play), report)
        return report

    return _persist("the end of a role-play", write)


def store_undo(play: RolePlay, keep: RolePlay | None) -> None:
    """The rep took back messages: the turns of `play` that `keep` (the state he returns to)
    does not have are marked undone; a role-play whose start was taken back is ended."""
    if keep is not None and keep.id == play.id:
        kept = len(keep.turns)
        if kept < len(play.turns):
            _persist("an undone turn", lambda: storage().undo_from(play.id, kept))
    else:
        _persist("an undone start", lambda: storage().close_roleplay(play.id, "ended"))


def roleplay_before_latest(tracker: Tracker, back: int) -> RolePlay | None:
    """The role-play as it was before the rep's `back`-th last message (1 = the latest)."""
    user_indexes = [i for i, event in enumerate(tracker.events) if event.get("event") == "user"]
    if len(user_indexes) < back:
        return None
    value = None
    for event in tracker.events[: user_indexes[-back]]:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == ROLEPLAY:
            value = event.get("value")
        elif kind in ("restart", "reset_slots"):
            value = None
    return RolePlay.from_dict(cast(RolePlayState, value)) if isinstance(value, dict) else None


def store_quiz(tracker: Tracker, quiz: QuizRound) -> None:
    """Keep a quiz round's score (finished or stopped early)."""
    _persist(
        "a quiz round",
        lambda: storage().record_quiz(quiz.id, user_id(tracker), quiz.answers),
    )
