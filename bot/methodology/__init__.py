"""The methodology (M1-M12) as validated data: `schema` (one model per file), `loader` (the
one reader, cross-checks between files) and `vocabulary` (the names every layer shares)."""

from bot.methodology.loader import (
    DEFAULT_DIRECTORY,
    KNOWLEDGE_DIRECTORY,
    Methodology,
    MethodologyError,
    describe_validation_error,
    load_methodology,
    load_yaml_model,
)
from bot.methodology.schema import Persona, QuizQuestion, ScoringRule, VisitStep
from bot.methodology.vocabulary import CONCEPT_IDS, DIMENSIONS

__all__ = [
    "CONCEPT_IDS",
    "DEFAULT_DIRECTORY",
    "DIMENSIONS",
    "KNOWLEDGE_DIRECTORY",
    "Methodology",
    "MethodologyError",
    "Persona",
    "QuizQuestion",
    "ScoringRule",
    "VisitStep",
    "describe_validation_error",
    "load_methodology",
    "load_yaml_model",
]
