"""The shapes that cross modules: a session report (stored as JSON in `session_reports`,
rendered by the chat summary, the Markdown report and the web app) and a turn of a visit as
the role-play keeps it and the database stores it. TypedDicts, so the stored JSON stays the
plain dict it always was and the type checker still knows every key."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class StoredTurn(TypedDict):
    """One line of a visit: what the role-play slot holds and the database stores."""

    speaker: Literal["rep", "customer"]
    text: str
    move: NotRequired[str | None]  # rep turns: the intent Rasa gave the line
    confidence: NotRequired[float | None]
    also: NotRequired[list[str]]  # rep turns: further moves its clauses carry
    # Customer turns the simulator said: the objection type the line raises, "" for none.
    objection: NotRequired[str]


class NoteReport(TypedDict):
    rule: str
    dimension: str
    points: int
    m_id: str
    name: str
    advice: str


class DimensionReport(TypedDict):
    name: str
    score: int
    observed: bool  # False: the visit gave no chance to show it (not in the overall)
    explanation: str


class TurnReport(TypedDict):
    index: int
    text: str
    move: str | None
    move_name: str | None
    moves: list[str]  # every move credited, the main one first
    move_names: list[str]
    confidence: float
    step: str | None
    step_name: str | None
    cues: dict[str, object]
    changes: dict[str, int]
    notes: list[NoteReport]
    feedback: str


class Segment(TypedDict):
    step: str
    step_name: str
    from_turn: int
    to_turn: int
    moves: list[str | None]


class SpinReport(TypedDict):
    counts: dict[str, int]
    order: str
    in_order: bool
    confirmed_needs: int


class TalkReport(TypedDict):
    rep_chars: int
    customer_chars: int
    rep_share: float
    rep_turns: int
    customer_turns: int
    time_split: dict[str, float]
    closest_time_model: str | None


class ObjectionReport(TypedDict):
    turn: int
    kinds: list[str]
    customer_said: str
    response_turn: int | None
    handling: str


class CloseReport(TypedDict):
    turn: int
    technique: str
    name: str
    timing: str
    fits_persona: bool | None


class CheckReport(TypedDict):
    id: str
    group: str
    text: str
    status: str  # done | missed | not_applicable | not_observable


class Quote(TypedDict):
    """A rep turn a point is about: its index in the transcript and the words as said."""

    turn: int
    text: str


class Lesson(TypedDict):
    """A strength or an improvement, with the methodology rule behind it and the turns it is
    about, quoted (a point with nothing to quote is not shown)."""

    rule: str
    dimension: str
    m_id: str
    name: str
    points: int
    advice: str
    quotes: list[Quote]
    better_sentence: NotRequired[str]


class Report(TypedDict):
    scenario: str
    persona: str
    overall: int
    dimensions: dict[str, DimensionReport]
    turns: list[TurnReport]
    session_notes: list[NoteReport]
    timeline: list[Segment]
    spin: SpinReport
    talk: TalkReport
    objections: list[ObjectionReport]
    closing_attempts: list[CloseReport]
    self_check: list[CheckReport]
    strengths: list[Lesson]
    improvements: list[Lesson]
