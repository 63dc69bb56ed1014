"""Scoring rep turns against the methodology (M1-M8, M11): see scorer.py for the walk over a
transcript, turn_rules.py/session_rules.py for the rules, report.py for the session report.
"""

from collections.abc import Mapping

from bot.language.cues import CueFinder
from bot.methodology import Methodology
from bot.scoring.better import Scene, SceneNeed
from bot.scoring.contracts import Report
from bot.scoring.markdown import render_markdown
from bot.scoring.report import build_report
from bot.scoring.scorer import Classifier, Scorer
from bot.scoring.transcript import Transcript, TranscriptError, read_transcripts


def start_scorer(
    methodology: Methodology,
    classify: Classifier | None = None,
    scenes: Mapping[str, Scene] | None = None,
) -> Scorer:
    """Build the scorer once at start-up (loads jieba's dictionary and spaCy's matchers).
    `scenes` (scenario id -> Scene, bot/practice/scenarios.py `scenes_of`) fill the better
    sentences of its reports; without them they are the generic ones."""
    return Scorer(methodology, CueFinder(methodology), classify, scenes)


def score_transcript(scorer: Scorer, methodology: Methodology, transcript: Transcript) -> Report:
    """The JSON-ready session report for one transcript."""
    return build_report(
        methodology, scorer.score(transcript), scorer.scenes.get(transcript.scenario)
    )


__all__ = [
    "Scene",
    "SceneNeed",
    "Scorer",
    "Transcript",
    "TranscriptError",
    "read_transcripts",
    "render_markdown",
    "score_transcript",
    "start_scorer",
]
