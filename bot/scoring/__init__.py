"""Scoring rep turns against the methodology (M1-M8, M11): see scorer.py for the walk over a
transcript, turn_rules.py/session_rules.py for the rules, report.py for the session report.
"""

from bot.language.cues import CueFinder
from bot.methodology import Methodology
from bot.scoring.contracts import Report
from bot.scoring.markdown import render_markdown
from bot.scoring.report import build_report
from bot.scoring.scorer import Classifier, Scorer
from bot.scoring.transcript import Transcript, TranscriptError, read_transcripts


def start_scorer(methodology: Methodology, classify: Classifier | None = None) -> Scorer:
    """Build the scorer once at start-up (loads jieba's dictionary and spaCy's matchers)."""
    return Scorer(methodology, CueFinder(methodology), classify)


def score_transcript(scorer: Scorer, methodology: Methodology, transcript: Transcript) -> Report:
    """The JSON-ready session report for one transcript."""
    return build_report(methodology, scorer.score(transcript))


__all__ = [
    "Scorer",
    "Transcript",
    "TranscriptError",
    "read_transcripts",
    "render_markdown",
    "score_transcript",
    "start_scorer",
]
