"""The overall score: the weighted mean of the dimensions that were scored.

One formula for every place that shows an overall: the session report (automatic scores) and
the review (the same scores with a trainer's corrections), so a corrected dimension moves the
overall exactly as the automatic score would have.
"""

from __future__ import annotations

from collections.abc import Mapping


def weighted_overall(
    weights: Mapping[str, float], scores: Mapping[str, int | float | None]
) -> int | None:
    """The weighted mean of `scores`, rounded, over the dimensions that have a score (None:
    not scored, e.g. objection handling in a visit without objections); None when none has."""
    counted = {name: score for name, score in scores.items() if score is not None}
    total_weight = sum(weights[name] for name in counted)
    if not total_weight:
        return None
    weighted = sum(weights[name] * score for name, score in counted.items())
    return round(weighted / total_weight)
