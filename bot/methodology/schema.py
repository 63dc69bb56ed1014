"""The methodology files' schema: one pydantic model per file (and its parts), so a file that
does not fit is refused at load with the key path that is wrong."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, constr, root_validator, validator

from bot.methodology.vocabulary import (
    CONCEPT_IDS,
    DIMENSIONS,
    PERSONAS,
    SITUATIONS,
    VOICE_PLACEHOLDERS,
    Dimension,
    PersonaId,
    Situation,
    VisitStepId,
)

if TYPE_CHECKING:  # pydantic's constrained types are plain values to a type checker
    MId = str
    SituationKey = str
else:
    MId = constr(regex=r"^M\d+(\.\d+)?$")
    SituationKey = Situation


class StrictModel(BaseModel):
    """A part of a data file: unknown keys are errors (a typo is caught), values are final."""

    class Config:
        extra = "forbid"
        allow_mutation = False


class NamedText(StrictModel):
    name: str
    text: str


class Rule(StrictModel):
    id: MId
    text: str


class Mindset(StrictModel):
    m_id: MId
    levels: list[str]
    value_ladder: str
    core_feelings: dict[str, str]
    consultative: str
    sales_a: str
    sales_b: str
    time_allocation: dict[Literal["old", "new"], dict[str, int]]

    @validator("time_allocation")
    def _shares_sum_to_100(cls, value: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        for model, shares in value.items():
            if sum(shares.values()) != 100:
                raise ValueError(f"the {model} model's shares add up to {sum(shares.values())}")
        return value


class VisitStep(StrictModel):
    id: VisitStepId
    name: str
    m_id: MId
    customer_asks: str
    good_moves: list[str]
    suggested_move: str


class ProcedureStep(StrictModel):
    name: str
    m_id: MId
    text: str


class VisitFlow(StrictModel):
    steps: list[VisitStep]
    key_links: list[str]
    four_forces: list[str]
    procedure: list[ProcedureStep]
    talk_rules: list[str]


class SpinType(StrictModel):
    letter: Literal["S", "P", "I", "N"]
    name: str
    purpose: str
    examples: list[str]


class Spin(StrictModel):
    types: dict[str, SpinType]
    rules: list[Rule]


class FabePart(StrictModel):
    name: str
    meaning: str


class Fabe(StrictModel):
    m_id: MId
    parts: dict[Literal["F", "A", "B", "E"], FabePart]
    weak_presentation: str
    benefit_kinds: list[NamedText]
    quantify: str
    careful_promises: str
    over_promising_words: list[str]


class ObjectionType(StrictModel):
    id: str
    name: str
    customer_says: str
    good_answer: str


class Objections(StrictModel):
    m_id: MId
    steps: list[str]
    pattern: str
    pattern_explained: str
    arguing_words: list[str]
    unsure_rule: str
    types: list[ObjectionType]


class ClosingTechnique(StrictModel):
    name: str
    example: str
    pressure: Literal["low", "high"]
    avoid_personas: list[str]


class CustomerType(StrictModel):
    type: str
    approach: str


class Closing(StrictModel):
    techniques: dict[str, ClosingTechnique]
    rules: list[Rule]
    customer_types: list[CustomerType]


class Persona(StrictModel):
    id: str = ""
    animal: str
    disc: Literal["D", "I", "S", "C"]
    name: str
    aliases: list[str]
    traits: list[str]
    do: list[str]
    dont: list[str]
    # What he says to a rude rep (M8: each personality takes offence its own way), the first
    # and second time; the third time he walks out with `insulted_exit`.
    insulted: list[str]
    insulted_exit: str

    @validator("insulted")
    def _two_warnings(cls, lines: list[str]) -> list[str]:
        if len(lines) < 2:
            raise ValueError("two lines are needed: the first and the second rude remark")
        return lines


class Personas(StrictModel):
    personas: dict[PersonaId, Persona]

    @validator("personas")
    def _all_four(cls, value: dict[str, Persona]) -> dict[str, Persona]:
        missing = set(PERSONAS) - set(value)
        if missing:
            raise ValueError(f"missing personas: {', '.join(sorted(missing))}")
        return {key: persona.copy(update={"id": key}) for key, persona in value.items()}


MIN_VOICE_LINES = 3


class Voice(StrictModel):
    """How one persona speaks (M8): how much of a scenario line he says, what he adds after a
    fact in character, and his own lines for each situation."""

    # Sentences of a scenario line he says (0: all); a tiger keeps it to one.
    max_sentences: int = 0
    # Sounds before a fact (嗯……); fillers, ignored when personas are compared.
    fact_openers: list[str] = []
    # What he adds after telling a fact, in character (an owl asks for data, a koala worries).
    fact_tails: list[str]
    # The same for a private buyer (scenario private_customer): nothing about a company.
    private_tails: list[str] = []
    lines: dict[SituationKey, list[str]]

    @validator("lines")
    def _every_situation(cls, lines: dict[str, list[str]]) -> dict[str, list[str]]:
        missing = [situation for situation in SITUATIONS if situation not in lines]
        if missing:
            raise ValueError(f"lines are needed for: {', '.join(missing)}")
        for situation, texts in lines.items():
            if len(texts) < MIN_VOICE_LINES:
                raise ValueError(f"{situation}: at least {MIN_VOICE_LINES} lines, not {len(texts)}")
            for text in texts:
                unknown = set(re.findall(r"{(\w*)}", text)) - set(VOICE_PLACEHOLDERS)
                if unknown or not text.strip():
                    raise ValueError(
                        f"{situation}: {text!r}: placeholders are {VOICE_PLACEHOLDERS}"
                    )
        return lines


class Voices(StrictModel):
    m_id: MId
    # Words of a working life (老板, 同事): a private buyer's lines leave out the ones that
    # hold them, so 林女士 never says "我把同事们都叫上".
    workplace_words: list[str] = []
    voices: dict[PersonaId, Voice]

    @validator("voices")
    def _every_persona(cls, voices: dict[str, Voice]) -> dict[str, Voice]:
        if set(voices) != set(PERSONAS):
            raise ValueError(f"a voice for each persona is needed: {', '.join(PERSONAS)}")
        return voices


class DecisionRoles(StrictModel):
    m_id: MId
    roles: list[NamedText]
    cute: list[NamedText]
    errors: list[str]
    attitudes: dict[str, str]
    relations: dict[str, str]
    trust_quadrants: list[NamedText]


class FunnelStage(StrictModel):
    name: str
    probability: int

    @validator("probability")
    def _percentage(cls, value: int) -> int:
        if not 0 <= value <= 100:
            raise ValueError("must be between 0 and 100")
        return value


class Funnel(StrictModel):
    m_id: MId
    formula: list[str]
    stages: list[FunnelStage]
    screening: list[str]


class CheckItem(StrictModel):
    id: str
    text: str


class CheckGroup(StrictModel):
    id: str
    name: str
    items: list[CheckItem]


class SelfCheck(StrictModel):
    groups: list[CheckGroup]


class QuizQuestion(StrictModel):
    id: str
    type: Literal["single", "multiple", "truefalse"]
    question: str
    options: dict[Literal["A", "B", "C", "D"], str]
    answer: list[Literal["A", "B", "C", "D"]]
    explanation: str
    m_id: MId

    @root_validator(skip_on_failure=True)
    def _answer_is_an_option(cls, values: dict) -> dict:
        unknown = set(values["answer"]) - set(values["options"])
        if unknown:
            raise ValueError(f"answer {''.join(sorted(unknown))} is not among the options")
        if values["type"] != "multiple" and len(values["answer"]) != 1:
            raise ValueError(f"a {values['type']} question needs exactly one answer")
        return values


class Quiz(StrictModel):
    questions: list[QuizQuestion]


class Concept(StrictModel):
    title: str
    m_ids: list[MId]
    answer: str
    example: str


class Concepts(StrictModel):
    concepts: dict[str, Concept]

    @validator("concepts")
    def _exactly_the_contract(cls, value: dict[str, Concept]) -> dict[str, Concept]:
        if set(value) != set(CONCEPT_IDS):
            wrong = set(value) ^ set(CONCEPT_IDS)
            raise ValueError(f"concept ids must be {', '.join(CONCEPT_IDS)}; check {wrong}")
        return value


class Move(StrictModel):
    name: str
    step: str
    m_id: MId
    description: str


class Moves(StrictModel):
    moves: dict[str, Move]


class Topic(StrictModel):
    """A thing a rep qualifies a deal on (M9) and the words that ask about it."""

    name: str
    cues: list[str]
    min_trust: int = 0  # below this trust the customer holds the answer back
    held_back: list[str] = []
    # A SPIN problem question about this topic brings out a hidden need first (M4).
    opens_needs: bool = False
    # Asked about a person in the decision ("郑总一般看重什么?"), what he says of that person
    # answers it (M9), not his own view.
    person_answers: bool = False

    @validator("cues")
    def _has_cues(cls, cues: list[str]) -> list[str]:
        if not cues or any(not cue.strip() for cue in cues):
            raise ValueError("a topic needs cue words, none empty")
        return cues

    @root_validator(skip_on_failure=True)
    def _held_back_has_lines(cls, values: dict) -> dict:
        if values.get("min_trust") and not values.get("held_back"):
            raise ValueError("a topic held back below min_trust needs held_back lines")
        return values


class Topics(StrictModel):
    m_id: MId
    topics: dict[str, Topic]
    decision_by_role: dict[str, str]  # a line per M9 role
    already_told: str

    @validator("decision_by_role")
    def _every_role(cls, lines: dict[str, str]) -> dict[str, str]:
        roles = {"economic_buyer", "technical_buyer", "user", "coach"}
        if set(lines) != roles:
            raise ValueError(f"one line for each decision role is needed: {sorted(roles)}")
        return lines


class TopicExamples(StrictModel):
    """Rep questions about each topic, and about other things, for the topic reader."""

    topics: dict[str, list[str]]
    not_a_topic: list[str]


class SpinWords(StrictModel):
    """M4 typical forms: the words that tell a question's SPIN type (cues.yml spin_words)."""

    confirm: list[str]
    need_payoff_if: list[str]
    need_payoff: list[str]
    implication: list[str]
    problem: list[str]
    situation: list[str]


class Cues(StrictModel):
    acknowledge: list[str]
    pivot: list[str]
    question_words: list[str]
    evidence: list[str]
    case_evidence: list[str]
    organisation_suffixes: list[str]
    organisation_words: list[str]
    self_introduction: list[str]
    not_a_reference: list[str]
    customer_address: list[str]
    self_address: list[str]
    assumed_need: list[str]
    next_step_actions: list[str]
    farewell: list[str]
    time_words: list[str]
    results: list[str]
    reassurance: list[str]
    recognition: list[str]
    vision: list[str]
    vague: list[str]
    rude: list[str]
    process: list[str]
    in_writing: list[str]
    customer_objections: dict[str, list[str]]
    customer_agrees: list[str]
    competitor_refs: list[str]
    disparaging: list[str]
    negation: list[str]
    negation_exceptions: list[str]
    spin_words: SpinWords
    concession: list[str]
    customer_dismisses: list[str]
    unbacked_claims: list[str]
    promise_exceptions: list[str]


class ScoringRule(StrictModel):
    id: str = ""
    dimension: Dimension
    points: int
    cap: int
    m_id: MId
    name: str
    advice: str
    better: str | None = None

    @validator("cap")
    def _cap_covers_one_occurrence(cls, value: int, values: dict) -> int:
        if "points" in values and value < abs(values["points"]):
            raise ValueError("cap must be at least the points of one occurrence")
        return value


class Qualification(StrictModel):
    """M9: the topics a rep qualifies a deal on (topics.yml ids), how many make it well
    qualified, and the words that make a question ask about each."""

    topics: list[str]
    well_qualified: int
    cues: dict[str, list[str]]

    @validator("cues")
    def _cues_for_listed_topics(cls, value: dict[str, list[str]], values: dict) -> dict:
        if set(value) != set(values.get("topics", [])):
            raise ValueError("give cue words for exactly the topics listed")
        return value


class Scoring(StrictModel):
    base: int
    weights: dict[Literal[DIMENSIONS], float]  # type: ignore[valid-type]
    qualification: Qualification
    dimension_names: dict[Literal[DIMENSIONS], str]  # type: ignore[valid-type]
    dimension_sections: dict[Literal[DIMENSIONS], str]  # type: ignore[valid-type]
    dimension_tips: dict[Literal[DIMENSIONS], str]  # type: ignore[valid-type]
    rules: dict[str, ScoringRule]

    @validator("weights", "dimension_names", "dimension_sections", "dimension_tips")
    def _every_dimension(cls, value: dict) -> dict:
        missing = set(DIMENSIONS) - set(value)
        if missing:
            raise ValueError(f"missing dimensions: {', '.join(sorted(missing))}")
        return value

    @validator("rules")
    def _ids(cls, value: dict[str, ScoringRule]) -> dict[str, ScoringRule]:
        return {key: rule.copy(update={"id": key}) for key, rule in value.items()}


BETTER_PLACEHOLDERS = frozenset({"contact", "company", "need", "need2", "objection_ack"})


class BetterSentences(StrictModel):
    """Better sentences as templates filled from the scenario (bot/scoring/better.py)."""

    objection_ack: dict[str, str]
    sentences: dict[str, list[str]]

    @validator("sentences")
    def _templates(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        problems = []
        for key, templates in value.items():
            if not templates:
                problems.append(f"{key}: no template")
                continue
            for template in templates:
                unknown = set(_placeholders(template)) - BETTER_PLACEHOLDERS
                if unknown:
                    problems.append(f"{key}: unknown placeholder {', '.join(sorted(unknown))}")
            if _placeholders(templates[-1]):
                problems.append(f"{key}: the last template must have no placeholder")
        if problems:
            raise ValueError("; ".join(problems))
        return value


def _placeholders(template: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", template)
