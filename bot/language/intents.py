"""What the NLU said about a line: the intent it recognised and how sure it was, read from a
parse result in Rasa's format (the model loaded in-process and the action server's tracker
both give one)."""

from __future__ import annotations

from dataclasses import dataclass

FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Classified:
    """An intent the NLU recognised and how sure it was, and what else the line's clauses
    said (components/move_segmenter.py), in the order said."""

    intent: str | None
    confidence: float
    also: tuple[str, ...] = ()
    # The classifier's readings, likeliest first (intent, probability): what the line's
    # context can choose among (bot/language/context.py).
    ranking: tuple[tuple[str, float], ...] = ()


def best_intent(parsed: dict) -> Classified:
    """The classifier's best intent in a parse result, even where the fallback would hide it.

    A live bot answers an unsure parse with "please rephrase"; the scorer still wants the
    best guess and its confidence, and decides itself what is too unsure to count.
    """
    ranking = [entry for entry in parsed.get("intent_ranking") or [] if entry["name"] != FALLBACK]
    best = ranking[0] if ranking else parsed.get("intent") or {}
    name = best.get("name")
    also = [
        said["move"]
        for said in parsed.get("moves") or []
        if isinstance(said, dict) and isinstance(said.get("move"), str) and said["move"] != name
    ]
    readings = tuple((entry["name"], float(entry.get("confidence") or 0.0)) for entry in ranking)
    return Classified(
        name, float(best.get("confidence") or 0.0), tuple(dict.fromkeys(also)), readings
    )
