"""Points per rule, kept within each rule's cap, so every score can be traced to its rules.

A dimension's score is `base + the capped totals of its rules`, clamped to 0-100. Recording
each rule firing as a `Note` (with the change it actually made once the cap applied) is what
lets the report say exactly why a turn or a session scored as it did.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.methodology import DIMENSIONS, ScoringRule
from bot.scoring.contracts import NoteReport


@dataclass(frozen=True)
class Note:
    """One rule that fired: on which turn (None for the whole session) and what it changed."""

    rule: ScoringRule
    turn: int | None
    delta: int

    def to_dict(self) -> NoteReport:
        return {
            "rule": self.rule.id,
            "dimension": self.rule.dimension,
            "points": self.delta,
            "m_id": self.rule.m_id,
            "name": self.rule.name,
            "advice": self.rule.advice,
        }


class Ledger:
    def __init__(self, rules: dict[str, ScoringRule], base: int) -> None:
        self._rules = rules
        self._base = base
        self.totals: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.notes: list[Note] = []

    def add(self, rule_id: str, turn: int | None) -> Note:
        rule = self._rules[rule_id]
        before = self.totals[rule_id]
        after = max(-rule.cap, min(rule.cap, before + rule.points))
        self.totals[rule_id] = after
        self.counts[rule_id] += 1
        note = Note(rule, turn, after - before)
        self.notes.append(note)
        return note

    def fired(self, rule_id: str) -> bool:
        return self.counts[rule_id] > 0

    def score(self, dimension: str) -> int:
        total = sum(
            points
            for rule_id, points in self.totals.items()
            if self._rules[rule_id].dimension == dimension
        )
        return max(0, min(100, self._base + total))

    def scores(self) -> dict[str, int]:
        return {dimension: self.score(dimension) for dimension in DIMENSIONS}
