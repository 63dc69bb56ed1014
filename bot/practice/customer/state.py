"""What the customer remembers of one visit, as a plain dataclass the role-play keeps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

START_TRUST = 50
START_PATIENCE = 100


@dataclass
class CustomerState:
    scenario: str
    persona: str
    seed: int
    turn: int = 0
    trust: int = START_TRUST
    patience: int = START_PATIENCE
    facts_told: int = 0
    needs: dict[str, str] = field(default_factory=dict)  # need id -> problem|implication|payoff
    confirmed: bool = False
    objections_raised: list[str] = field(default_factory=list)
    open_objection: str | None = None
    small_talk: int = 0
    outcome: str | None = None  # signed | lost | ended
    topics_told: list[str] = field(default_factory=list)  # qualification topics answered (M9)
    insults: int = 0  # rude remarks so far (M1); the third ends the visit
    stalls: int = 0  # closes he put off (M7.1)
    pressure: int = 0  # pushes to decide now (M7.2); the second one is felt
    proposals: int = 0  # pitch turns after discovery (M5); the price worry comes with the second
    addressed: list[str] = field(default_factory=list)  # needs a benefit or proof has answered
    said: list[str] = field(default_factory=list)  # keys of what he said, so nothing repeats
    next_step_agreed: bool = False  # he said yes to a next step (M7); asked again, it stands
    asked_price: bool = False  # he asked the price before the rep named one (M6)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CustomerState:
        return cls(**data)  # a state saved before a field was added gets its default


@dataclass(frozen=True)
class Reaction:
    reply: str
    state: CustomerState
    # What he was answering: a voice situation (voices.yml), or what he told: fact, topic,
    # need, person, objection, answered_objection, insulted, accepted, opening.
    situation: str = "opening"

    @property
    def objection(self) -> str:
        """The objection type this reply raises or says again (M6), "" when it raises none."""
        raised = self.situation == "objection" and self.state.open_objection
        return self.state.open_objection or "" if raised else ""
