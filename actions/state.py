"""The slots that hold what the rep is doing, and the database records written as it happens.

`roleplay` holds only a reference to the role-play in the store (its session, how many turns
it has, the row of the last one: the same few bytes however long the visit), `quiz` the
whole round (five questions); `activity` says which one the rep's next message belongs to, so
the rules can send a plain 好的 or 对 to the customer or to the quiz.

The database is the one source of truth: each turn, with the customer's state after it, is
written there before the rep sees the customer's answer, the role-play is read back from it
at the slot's reference (`bot/adapters/storage/roleplays.py` keeps the recent ones in memory),
and a session's report is computed from its stored turns. A reference is only read in the
conversation whose session it names, so a slot value set from outside cannot reach another
rep's visit or put turns into one. Because Rasa keeps the slot's earlier values, /back and a
turn retried after a fault go back to the role-play at the earlier reference.

A write (or a read) that fails raises `RecordUnavailable`; the action then tells the rep to
send the line again and leaves the slots as they were, so nothing is shown that was not
stored and scored.
"""

from __future__ import annotations

import functools
import logging
import zlib
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.knowledge import roleplay_coach, roleplays, storage
from bot.adapters.storage.accounts import REST_CHANNEL, external_id
from bot.adapters.storage.records import NewSession, RolePlayRef
from bot.practice.quiz import QuizRound
from bot.practice.roleplay import RepTurnResult, RolePlay, RolePlayState
from bot.scoring.contracts import Report

logger = logging.getLogger(__name__)
_T = TypeVar("_T")
ROLEPLAY, QUIZ, ACTIVITY = "roleplay", "quiz", "activity"
# The rep is choosing a scenario and persona from the menu; `choice` holds what he chose so far.
CHOOSING, CHOICE = "choosing", "choice"


def roleplay_ref(value: object) -> RolePlayRef | None:
    """The reference a `roleplay` slot value holds, or None. A slot set before migration 0009
    holds the whole role-play: it is read as a reference to its session and turn count, and
    the role-play itself is read from the store like any other."""
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return None
    turns, last = value.get("turns"), value.get("last")
    if isinstance(turns, list):
        return {"id": value["id"], "turns": len(turns), "last": None}
    if type(turns) is int and turns > 0 and type(last) is int:
        return {"id": value["id"], "turns": turns, "last": last}
    return None


def current_roleplay(tracker: Tracker) -> RolePlay | None:
    """The role-play the slot refers to, as the store has it (None when there is none, or
    the reference is not this conversation's)."""
    ref = roleplay_ref(tracker.get_slot(ROLEPLAY))
    if ref is None:
        return None
    state = _persist("the role-play's read", functools.partial(_read, ref, tracker.sender_id))
    if state is None:
        logger.warning("conversation %s: role-play reference %s not found", tracker.sender_id, ref)
        return None
    return RolePlay.from_dict(state)


def _read(ref: RolePlayRef, conversation_id: str) -> RolePlayState | None:
    """Inside `_persist`: the first read may also be the one that opens the database."""
    return roleplays().at(ref, conversation_id)


def current_quiz(tracker: Tracker) -> QuizRound | None:
    data = tracker.get_slot(QUIZ)
    return QuizRound.from_dict(data) if isinstance(data, dict) else None


def save(
    tracker: Tracker,
    roleplay: RolePlayRef | Literal["keep"] | None = "keep",
    quiz: QuizRound | Literal["keep"] | None = "keep",
) -> list[dict]:
    """Slot events for what changed; the activity is the quiz if one runs, else the role-play.

    A quiz taken in the middle of a role-play therefore hands the rep back to the customer
    when it ends.
    """
    roleplay_value = tracker.get_slot(ROLEPLAY) if roleplay == "keep" else roleplay
    if quiz == "keep":
        quiz = current_quiz(tracker)
    quiz_data = quiz.to_dict() if quiz and not quiz.finished else None
    activity = "quiz" if quiz_data else "roleplay" if roleplay_value else None
    # Only slots that change: every event is validated, stored and sent back on each turn.
    values = {ROLEPLAY: roleplay_value, QUIZ: quiz_data, ACTIVITY: activity, CHOICE: None}
    return [
        SlotSet(name, value) for name, value in values.items() if value != tracker.get_slot(name)
    ]


class RecordUnavailable(RuntimeError):
    """The database did not take a write, or answer a read, the rep's turn depends on."""


NOT_RECORDED = (
    "抱歉,刚才这句没能保存(记录服务暂时连不上),客户还没听到。请稍等几秒,把这句话再发一次。"
)


def _persist(what: str, write: Callable[[], _T]) -> _T:
    try:
        return write()
    except SQLAlchemyError as error:
        logger.exception("the store failed on %s; the rep is asked to send the line again", what)
        raise RecordUnavailable(what) from error


def told_when_unrecorded(
    run: Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], list[dict[str, Any]]],
) -> Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], list[dict[str, Any]]]:
    """An action's `run` that, when the store fails it, shows only NOT_RECORDED and changes
    no slot: the rep sends the line again and loses nothing."""

    @functools.wraps(run)
    def guarded(
        action: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            return run(action, dispatcher, tracker, domain)
        except RecordUnavailable:
            dispatcher.messages.clear()
            dispatcher.utter_message(text=NOT_RECORDED)
            return []

    return guarded


def message_seed(tracker: Tracker, kind: str) -> int:
    """A seed of its own for each message of a conversation: from the id Rasa gives every
    message (the count of events, which Rasa no longer hands whole, for one without)."""
    message = tracker.latest_message.get("message_id") or len(tracker.events)
    return zlib.crc32(f"{kind}{tracker.sender_id}:{message}".encode())


def user_id(tracker: Tracker) -> int:
    """The project user behind this conversation (created as a rep on first contact)."""
    channel = tracker.get_latest_input_channel() or REST_CHANNEL
    return storage().rep_for(channel, external_id(channel, tracker.sender_id))


def store_start(tracker: Tracker, play: RolePlay) -> RolePlayRef:
    """The new session and the customer's opening line; the reference the slot will hold."""
    state = play.to_dict()

    def write() -> int | None:
        session = NewSession(
            id=play.id,
            user_id=user_id(tracker),
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or REST_CHANNEL,
            scenario_id=play.scenario,
            persona=play.persona,
            seed=play.seed,
        )
        return storage().start_roleplay(session, play.turns[0], state["customer"])

    return _kept(tracker, state, _persist("the start of a role-play", write))


def store_turn(tracker: Tracker, result: RepTurnResult) -> RolePlayRef:
    """The rep's line and the customer's answer, with his state after it; the reference the
    slot will hold."""
    state = result.play.to_dict()
    last = _persist(
        "a role-play turn",
        lambda: storage().record_exchange(
            state["id"],
            result.position,
            state["turns"][result.position :],
            result.assessment_record(),
            state["customer"],
        ),
    )
    return _kept(tracker, state, last)


def _kept(tracker: Tracker, state: RolePlayState, last: int | None) -> RolePlayRef:
    """The reference to the role-play just stored, remembered with it by this process."""
    ref: RolePlayRef = {"id": state["id"], "turns": len(state["turns"]), "last": last}
    roleplays().keep(ref, tracker.sender_id, state)
    return ref


def store_end(play: RolePlay) -> Report | None:
    """End the session in the database: its report, computed from the stored turns (so the
    transcript and the scores cannot disagree), or, if the rep never spoke, just its end."""
    coach = roleplay_coach()
    roleplays().forget(play.id)

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


def store_undo(play: RolePlay, keep: RolePlayRef | None) -> None:
    """The rep took back messages: the turns of `play` that `keep` (the reference he returns
    to) does not have are marked undone; a role-play whose start was taken back is ended."""
    roleplays().forget(play.id)
    if keep is not None and keep["id"] == play.id:
        kept = keep["turns"]
        if kept < len(play.turns):
            _persist("an undone turn", lambda: storage().undo_from(play.id, kept))
    else:
        _persist("an undone start", lambda: storage().close_roleplay(play.id, "ended"))


def roleplay_before_latest(tracker: Tracker, back: int) -> RolePlayRef | None:
    """The role-play reference as it was before the rep's `back`-th last message (1 = the
    latest)."""
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
    return roleplay_ref(value)


def store_quiz(tracker: Tracker, quiz: QuizRound) -> None:
    """Keep a quiz round's score (finished or stopped early)."""
    _persist(
        "a quiz round",
        lambda: storage().record_quiz(quiz.id, user_id(tracker), quiz.answers),
    )
