"""The methodology (M1-M12) as typed data, loaded from `bot/knowledge/methodology/*.yml`.

Trainers edit the YAML files, not code, so every file is validated when loaded: a missing
key, a wrong type or a reference to something that does not exist stops the load with a
`MethodologyError` naming the file and the key path, instead of a wrong answer at run time.
This module is the only reader of those files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ValidationError, constr, root_validator, validator

DEFAULT_DIRECTORY = Path(__file__).resolve().parent / "knowledge" / "methodology"
MId = constr(regex=r"^M\d+(\.\d+)?$")
DIMENSIONS = (
    "visit_flow",
    "spin",
    "objection_handling",
    "closing",
    "disc_fit",
    "trust_value",
)
CONCEPT_IDS = (
    "spin",
    "fabe",
    "disc",
    "closing",
    "objection",
    "visit_flow",
    "decision_roles",
    "funnel",
    "trust",
)


class MethodologyError(ValueError):
    """A methodology file is missing, unreadable or invalid; the message names file and key."""


class _Data(BaseModel):
    class Config:
        extra = "forbid"
        allow_mutation = False


class NamedText(_Data):
    name: str
    text: str


class Rule(_Data):
    id: MId
    text: str


class Mindset(_Data):
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


class VisitStep(_Data):
    id: Literal["rapport", "trust", "discovery", "proposal", "closing"]
    name: str
    m_id: MId
    customer_asks: str
    good_moves: list[str]
    suggested_move: str


class ProcedureStep(_Data):
    name: str
    m_id: MId
    text: str


class VisitFlow(_Data):
    steps: list[VisitStep]
    key_links: list[str]
    four_forces: list[str]
    procedure: list[ProcedureStep]
    talk_rules: list[str]


class SpinType(_Data):
    letter: Literal["S", "P", "I", "N"]
    name: str
    purpose: str
    examples: list[str]


class Spin(_Data):
    types: dict[str, SpinType]
    rules: list[Rule]


class FabePart(_Data):
    name: str
    meaning: str


class Fabe(_Data):
    m_id: MId
    parts: dict[Literal["F", "A", "B", "E"], FabePart]
    weak_presentation: str
    benefit_kinds: list[NamedText]
    quantify: str
    careful_promises: str
    over_promising_words: list[str]


class ObjectionType(_Data):
    id: str
    name: str
    customer_says: str
    good_answer: str


class Objections(_Data):
    m_id: MId
    steps: list[str]
    pattern: str
    pattern_explained: str
    arguing_words: list[str]
    unsure_rule: str
    types: list[ObjectionType]


class ClosingTechnique(_Data):
    name: str
    example: str
    pressure: Literal["low", "high"]
    avoid_personas: list[str]


class CustomerType(_Data):
    type: str
    approach: str


class Closing(_Data):
    techniques: dict[str, ClosingTechnique]
    rules: list[Rule]
    customer_types: list[CustomerType]


class Persona(_Data):
    id: str = ""
    animal: str
    disc: Literal["D", "I", "S", "C"]
    name: str
    aliases: list[str]
    traits: list[str]
    do: list[str]
    dont: list[str]


class Personas(_Data):
    personas: dict[Literal["tiger", "peacock", "owl", "koala"], Persona]

    @validator("personas")
    def _all_four(cls, value: dict[str, Persona]) -> dict[str, Persona]:
        missing = {"tiger", "peacock", "owl", "koala"} - set(value)
        if missing:
            raise ValueError(f"missing personas: {', '.join(sorted(missing))}")
        return {key: persona.copy(update={"id": key}) for key, persona in value.items()}


class DecisionRoles(_Data):
    m_id: MId
    roles: list[NamedText]
    cute: list[NamedText]
    errors: list[str]
    attitudes: dict[str, str]
    relations: dict[str, str]
    trust_quadrants: list[NamedText]


class FunnelStage(_Data):
    name: str
    probability: int

    @validator("probability")
    def _percentage(cls, value: int) -> int:
        if not 0 <= value <= 100:
            raise ValueError("must be between 0 and 100")
        return value


class Funnel(_Data):
    m_id: MId
    formula: list[str]
    stages: list[FunnelStage]
    screening: list[str]


class CheckItem(_Data):
    id: str
    text: str


class CheckGroup(_Data):
    id: str
    name: str
    items: list[CheckItem]


class SelfCheck(_Data):
    groups: list[CheckGroup]


class QuizQuestion(_Data):
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


class Quiz(_Data):
    questions: list[QuizQuestion]


class Concept(_Data):
    title: str
    m_ids: list[MId]
    answer: str
    example: str


class Concepts(_Data):
    concepts: dict[str, Concept]

    @validator("concepts")
    def _exactly_the_contract(cls, value: dict[str, Concept]) -> dict[str, Concept]:
        if set(value) != set(CONCEPT_IDS):
            wrong = set(value) ^ set(CONCEPT_IDS)
            raise ValueError(f"concept ids must be {', '.join(CONCEPT_IDS)}; check {wrong}")
        return value


class Move(_Data):
    name: str
    step: str
    m_id: MId
    description: str


class Moves(_Data):
    moves: dict[str, Move]


class Cues(_Data):
    acknowledge: list[str]
    pivot: list[str]
    question_words: list[str]
    evidence: list[str]
    organisation_suffixes: list[str]
    organisation_words: list[str]
    self_introduction: list[str]
    not_a_reference: list[str]
    customer_address: list[str]
    self_address: list[str]
    assumed_need: list[str]
    next_step_actions: list[str]
    time_words: list[str]
    results: list[str]
    reassurance: list[str]
    recognition: list[str]
    vision: list[str]
    vague: list[str]
    process: list[str]
    in_writing: list[str]
    customer_objections: dict[str, list[str]]
    customer_agrees: list[str]


class ScoringRule(_Data):
    id: str = ""
    dimension: Literal[DIMENSIONS]  # type: ignore[valid-type]
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


class Scoring(_Data):
    base: int
    weights: dict[Literal[DIMENSIONS], float]  # type: ignore[valid-type]
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


class BetterSentences(_Data):
    sentences: dict[str, dict[str, str]]

    @validator("sentences")
    def _generic_fallback(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        lacking = [key for key, by_scenario in value.items() if "generic" not in by_scenario]
        if lacking:
            raise ValueError(f"no generic sentence for: {', '.join(lacking)}")
        return value


_FILES: dict[str, type[_Data]] = {
    "mindset.yml": Mindset,
    "visit_flow.yml": VisitFlow,
    "spin.yml": Spin,
    "fabe.yml": Fabe,
    "objections.yml": Objections,
    "closing.yml": Closing,
    "personas.yml": Personas,
    "decision_roles.yml": DecisionRoles,
    "funnel.yml": Funnel,
    "self_check.yml": SelfCheck,
    "quiz.yml": Quiz,
    "concepts.yml": Concepts,
    "moves.yml": Moves,
    "cues.yml": Cues,
    "scoring.yml": Scoring,
    "better_sentences.yml": BetterSentences,
}


class Methodology:
    """Everything the coach and the scorer know about selling, validated and cross-checked."""

    def __init__(self, parts: dict[str, _Data]) -> None:
        self.mindset: Mindset = parts["mindset.yml"]
        self.visit_flow: VisitFlow = parts["visit_flow.yml"]
        self.spin: Spin = parts["spin.yml"]
        self.fabe: Fabe = parts["fabe.yml"]
        self.objections: Objections = parts["objections.yml"]
        self.closing: Closing = parts["closing.yml"]
        self.personas: dict[str, Persona] = parts["personas.yml"].personas
        self.decision_roles: DecisionRoles = parts["decision_roles.yml"]
        self.funnel: Funnel = parts["funnel.yml"]
        self.self_check: SelfCheck = parts["self_check.yml"]
        self.quiz: list[QuizQuestion] = parts["quiz.yml"].questions
        self.concepts: dict[str, Concept] = parts["concepts.yml"].concepts
        self.moves: dict[str, Move] = parts["moves.yml"].moves
        self.cues: Cues = parts["cues.yml"]
        self.scoring: Scoring = parts["scoring.yml"]
        self.better_sentences: dict[str, dict[str, str]] = parts["better_sentences.yml"].sentences

    @property
    def visit_steps(self) -> list[VisitStep]:
        """The five steps of M2, in visit order."""
        return self.visit_flow.steps

    def visit_step(self, step_id: str) -> VisitStep:
        return next(step for step in self.visit_flow.steps if step.id == step_id)

    def persona_by_alias(self, text: str) -> Persona | None:
        """The persona named by an id, animal, type name or alias (老虎, D型, 貓頭鷹...)."""
        wanted = text.strip().lower()
        for persona in self.personas.values():
            names = {persona.id, persona.animal, persona.name, *persona.aliases}
            if wanted in {name.lower() for name in names}:
                return persona
        return None


def _cross_reference_errors(parts: dict[str, _Data]) -> list[str]:
    """References between files that a single file's schema cannot check."""
    personas = set(parts["personas.yml"].personas)
    moves = parts["moves.yml"].moves
    steps = [step.id for step in parts["visit_flow.yml"].steps]
    errors = []
    if steps != ["rapport", "trust", "discovery", "proposal", "closing"]:
        errors.append(f"visit_flow.yml: steps: must be the five M2 steps in order, got {steps}")
    for index, step in enumerate(parts["visit_flow.yml"].steps):
        errors += [
            f"visit_flow.yml: steps -> {index} -> good_moves: unknown move {move!r}"
            for move in step.good_moves
            if move not in moves
        ]
    for intent, move in moves.items():
        if move.step not in steps:
            errors.append(f"moves.yml: moves -> {intent} -> step: unknown step {move.step!r}")
    for technique_id, technique in parts["closing.yml"].techniques.items():
        errors += [
            f"closing.yml: techniques -> {technique_id} -> avoid_personas: unknown {persona!r}"
            for persona in technique.avoid_personas
            if persona not in personas
        ]
    errors += [
        f"spin.yml: types -> {intent}: not a rep move in moves.yml"
        for intent in parts["spin.yml"].types
        if intent not in moves
    ]
    objection_ids = {objection.id for objection in parts["objections.yml"].types}
    errors += [
        f"cues.yml: customer_objections -> {key}: not an objection type in objections.yml"
        for key in parts["cues.yml"].customer_objections
        if key not in objection_ids
    ]
    sentences = parts["better_sentences.yml"].sentences
    errors += [
        f"scoring.yml: rules -> {rule_id} -> better: {rule.better!r} not in better_sentences.yml"
        for rule_id, rule in parts["scoring.yml"].rules.items()
        if rule.better and rule.better not in sentences
    ]
    return errors


def describe_validation_error(where: str, error: ValidationError) -> str:
    """One line per problem: where (file, line), the key path and what is wrong."""
    return "\n".join(
        f"{where}: {' -> '.join(str(part) for part in issue['loc'])}: {issue['msg']}"
        for issue in error.errors()
    )


def load_yaml_model(path: Path, model: type[_Data]) -> _Data:
    """Read one YAML data file into `model`; any problem raises an error naming file and key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MethodologyError(f"{path.name}: file is missing from {path.parent}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MethodologyError(f"{path.name}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise MethodologyError(f"{path.name}: expected a mapping at the top level")
    try:
        return model.parse_obj(raw)
    except ValidationError as error:
        raise MethodologyError(describe_validation_error(path.name, error)) from None


def load_methodology(directory: Path | None = None) -> Methodology:
    """Read and validate every methodology file; raise MethodologyError on the first bad one."""
    directory = directory or DEFAULT_DIRECTORY
    parts = {name: load_yaml_model(directory / name, model) for name, model in _FILES.items()}
    errors = _cross_reference_errors(parts)
    if errors:
        raise MethodologyError("\n".join(errors))
    return Methodology(parts)
