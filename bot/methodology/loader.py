"""The one reader of the methodology files (`bot/knowledge/methodology/*.yml`, M1-M12).

Trainers edit the YAML files, not code, so every file is validated when loaded: a missing
key, a wrong type or a reference to something that does not exist stops the load with a
`MethodologyError` naming the file and the key path, instead of a wrong answer at run time.
Scenario files are read through `load_yaml_model` as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from bot.methodology.schema import (
    BetterSentences,
    Closing,
    Concept,
    Concepts,
    Cues,
    DecisionRoles,
    Fabe,
    Funnel,
    Mindset,
    Move,
    Moves,
    Objections,
    Persona,
    Personas,
    Quiz,
    QuizQuestion,
    Scoring,
    SelfCheck,
    Spin,
    StrictModel,
    TopicExamples,
    Topics,
    VisitFlow,
    VisitStep,
    Voice,
    Voices,
)
from bot.methodology.vocabulary import VISIT_STEPS

Model = TypeVar("Model", bound=StrictModel)
KNOWLEDGE_DIRECTORY = Path(__file__).resolve().parents[1] / "knowledge"
DEFAULT_DIRECTORY = KNOWLEDGE_DIRECTORY / "methodology"


class MethodologyError(ValueError):
    """A methodology file is missing, unreadable or invalid; the message names file and key."""


_FILES: dict[str, type[StrictModel]] = {
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
    "topics.yml": Topics,
    "topic_examples.yml": TopicExamples,
    "voices.yml": Voices,
}


def _part(parts: dict[str, StrictModel], name: str, model: type[Model]) -> Model:
    """The part read from file `name`, as the model `_FILES` read it with."""
    part = parts[name]
    if not isinstance(part, model):
        raise TypeError(f"{name} was read as {type(part).__name__}, not {model.__name__}")
    return part


class Methodology:
    """Everything the coach and the scorer know about selling, validated and cross-checked."""

    def __init__(self, parts: dict[str, StrictModel]) -> None:
        self.mindset: Mindset = _part(parts, "mindset.yml", Mindset)
        self.visit_flow: VisitFlow = _part(parts, "visit_flow.yml", VisitFlow)
        self.spin: Spin = _part(parts, "spin.yml", Spin)
        self.fabe: Fabe = _part(parts, "fabe.yml", Fabe)
        self.objections: Objections = _part(parts, "objections.yml", Objections)
        self.closing: Closing = _part(parts, "closing.yml", Closing)
        self.personas: dict[str, Persona] = {
            str(persona_id): persona
            for persona_id, persona in _part(parts, "personas.yml", Personas).personas.items()
        }
        self.decision_roles: DecisionRoles = _part(parts, "decision_roles.yml", DecisionRoles)
        self.funnel: Funnel = _part(parts, "funnel.yml", Funnel)
        self.self_check: SelfCheck = _part(parts, "self_check.yml", SelfCheck)
        self.quiz: list[QuizQuestion] = _part(parts, "quiz.yml", Quiz).questions
        self.concepts: dict[str, Concept] = _part(parts, "concepts.yml", Concepts).concepts
        self.moves: dict[str, Move] = _part(parts, "moves.yml", Moves).moves
        self.cues: Cues = _part(parts, "cues.yml", Cues)
        self.scoring: Scoring = _part(parts, "scoring.yml", Scoring)
        better = _part(parts, "better_sentences.yml", BetterSentences)
        self.better_sentences: dict[str, list[str]] = better.sentences
        self.objection_ack: dict[str, str] = better.objection_ack
        self.topics: Topics = _part(parts, "topics.yml", Topics)
        self.topic_examples: TopicExamples = _part(parts, "topic_examples.yml", TopicExamples)
        voices = _part(parts, "voices.yml", Voices)
        self.voices: dict[str, Voice] = {
            str(persona_id): voice for persona_id, voice in voices.voices.items()
        }
        self.workplace_words: list[str] = voices.workplace_words

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


def _cross_reference_errors(parts: dict[str, StrictModel]) -> list[str]:
    """References between files that a single file's schema cannot check."""
    personas = set(_part(parts, "personas.yml", Personas).personas)
    moves = _part(parts, "moves.yml", Moves).moves
    steps = [step.id for step in _part(parts, "visit_flow.yml", VisitFlow).steps]
    errors = []
    topics = set(_part(parts, "topics.yml", Topics).topics)
    examples = _part(parts, "topic_examples.yml", TopicExamples).topics
    if set(examples) != topics:
        errors.append(
            f"topic_examples.yml: topics: must give examples for exactly the topics of "
            f"topics.yml ({', '.join(sorted(topics))}), got {', '.join(sorted(examples))}"
        )
    if steps != list(VISIT_STEPS):
        errors.append(f"visit_flow.yml: steps: must be the five M2 steps in order, got {steps}")
    for index, step in enumerate(_part(parts, "visit_flow.yml", VisitFlow).steps):
        errors += [
            f"visit_flow.yml: steps -> {index} -> good_moves: unknown move {move!r}"
            for move in step.good_moves
            if move not in moves
        ]
    for intent, move in moves.items():
        if move.step not in steps:
            errors.append(f"moves.yml: moves -> {intent} -> step: unknown step {move.step!r}")
    for technique_id, technique in _part(parts, "closing.yml", Closing).techniques.items():
        errors += [
            f"closing.yml: techniques -> {technique_id} -> avoid_personas: unknown {persona!r}"
            for persona in technique.avoid_personas
            if persona not in personas
        ]
    errors += [
        f"spin.yml: types -> {intent}: not a rep move in moves.yml"
        for intent in _part(parts, "spin.yml", Spin).types
        if intent not in moves
    ]
    objection_ids = {objection.id for objection in _part(parts, "objections.yml", Objections).types}
    errors += [
        f"cues.yml: customer_objections -> {key}: not an objection type in objections.yml"
        for key in _part(parts, "cues.yml", Cues).customer_objections
        if key not in objection_ids
    ]
    errors += [
        f"scoring.yml: qualification -> topics: {topic!r} is not a topic of topics.yml"
        for topic in _part(parts, "scoring.yml", Scoring).qualification.topics
        if topic not in topics
    ]
    sentences = _part(parts, "better_sentences.yml", BetterSentences).sentences
    errors += [
        f"better_sentences.yml: objection_ack -> {kind}: not an objection type in objections.yml"
        for kind in _part(parts, "better_sentences.yml", BetterSentences).objection_ack
        if kind not in objection_ids
    ]
    errors += [
        f"scoring.yml: rules -> {rule_id} -> better: {rule.better!r} not in better_sentences.yml"
        for rule_id, rule in _part(parts, "scoring.yml", Scoring).rules.items()
        if rule.better and rule.better not in sentences
    ]
    return errors


def describe_validation_error(where: str, error: ValidationError) -> str:
    """One line per problem: where (file, line), the key path and what is wrong."""
    return "\n".join(
        f"{where}: {' -> '.join(str(part) for part in issue['loc'])}: {issue['msg']}"
        for issue in error.errors()
    )


def load_yaml_model(path: Path, model: type[Model]) -> Model:
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
