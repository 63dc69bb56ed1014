"""What the conversation has established so far, as the scorer walks it turn by turn.

Whether a move is good depends on what came before: a product pitch is fine after the needs
are confirmed and premature before any question (M2, M4.1); a close is well timed only when
needs are confirmed and the customer's objection has been answered (M7.1). This state is
that history, kept small and explicit so each rule reads like the methodology.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

SPIN_LETTERS = {
    "ask_situation": "S",
    "ask_problem": "P",
    "ask_implication": "I",
    "ask_need_payoff": "N",
}
DISCOVERY_MOVES = {*SPIN_LETTERS, "confirm_understanding"}
PROPOSAL_MOVES = {"present_product", "present_benefit"}
CLOSE_MOVES = {
    "close_assumptive",
    "close_alternative",
    "close_urgency",
    "close_scarcity",
    "close_direct",
}
# Words too common to show that a rep is echoing what the customer said (M5 B).
_COMMON = """我们 你们 您们 他们 这个 那个 现在 没有 什么 可以 就是 还是 一个 一下 因为 所以
如果 但是 可是 不过 然后 这样 那样 这些 那些 觉得 知道 时候 问题 东西 事情 比较 非常 应该
已经 其实 主要 一些 怎么 为什么 的话 还有 公司 贵公司 方面 需要 希望"""
COMMON_WORDS = frozenset(_COMMON.split())


@dataclass
class ObjectionRecord:
    """A concern the customer raised and what the rep's next turn did with it (M6)."""

    turn: int
    kinds: list[str]
    text: str
    response_turn: int | None = None
    handling: str = "unanswered"


@dataclass
class CloseRecord:
    """A closing attempt (M7): when, which technique, and whether the timing was right."""

    turn: int
    move: str
    timing: str
    persona_fit: bool


@dataclass
class Progress:
    rep_turns: int = 0
    moves: Counter[str] = field(default_factory=Counter)
    max_step: int = -1
    spin: list[str] = field(default_factory=list)
    confirmed: bool = False
    confirmed_before_proposal: bool = False
    proposal_started: bool = False
    customer_words: set[str] = field(default_factory=set)
    customer_agreed: bool = False
    last_speaker: str | None = None
    last_rep_moves: tuple[str, ...] = ()  # every move of the rep's latest line
    open_objection: ObjectionRecord | None = None
    unresolved: bool = False
    objections: list[ObjectionRecord] = field(default_factory=list)
    closes: list[CloseRecord] = field(default_factory=list)
    small_talk_turns: int = 0
    direct_closes: int = 0
    next_step_turns: list[int] = field(default_factory=list)
    questions_before_proposal: int = 0
    statements_before_proposal: int = 0
    # M9: the qualification topics asked (topic id -> the turn that first asked it).
    qualified: dict[str, int] = field(default_factory=dict)
    last_rep_asked: bool = False  # the rep's latest line was a discovery question
    vague_next_step_turns: list[int] = field(default_factory=list)
    customer_dismissed: bool = False  # the customer's latest line sent the rep away (M7)

    @property
    def discovered(self) -> bool:
        """At least one discovery question (S, P, I or N, or a qualification question, M9)
        or a confirmation was made."""
        return bool(self.spin) or self.confirmed or bool(self.qualified)

    @property
    def needs_known(self) -> bool:
        """The rep has asked about problems or confirmed needs (M4.1: then he may tell)."""
        return "P" in self.spin or self.confirmed

    @property
    def needs_confirmed(self) -> bool:
        """M7.1: needs confirmed in the customer's words, or explored down to their value."""
        return self.confirmed or ("P" in self.spin and "N" in self.spin)

    def echoes_customer(self, words: list[str]) -> list[str]:
        """Words of a rep turn that the customer used earlier (M5: benefit tied to a need)."""
        shared = {word for word in words if word in self.customer_words}
        return sorted(shared - COMMON_WORDS)
