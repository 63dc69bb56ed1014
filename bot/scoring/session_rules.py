"""Rules that can only be judged over the whole conversation (time split, was there a close,
a next step, any discovery at all). Each returns the ids of the rules (scoring.yml) that fired.
"""

from __future__ import annotations

from collections import Counter

from bot.methodology import Methodology
from bot.scoring.ledger import Ledger
from bot.scoring.progress import Progress

# Visit steps (M2) grouped into the four shares of the time models (M1).
TIME_SHARE_OF_STEP = {
    "rapport": "relationship",
    "trust": "relationship",
    "discovery": "needs",
    "proposal": "presentation",
    "closing": "closing",
}
MIN_TURNS_FOR_TIME_SPLIT = 4
NEW_MODEL_FROM = 0.5
OLD_MODEL_UP_TO = 0.25


def time_split(steps: list[str]) -> dict[str, float]:
    """Share of the rep's turns in each part of the visit, as fractions summing to 1."""
    counted = Counter(TIME_SHARE_OF_STEP[step] for step in steps)
    total = sum(counted.values()) or 1
    return {share: counted[share] / total for share in TIME_SHARE_OF_STEP.values()}


def closest_time_model(methodology: Methodology, steps: list[str]) -> str | None:
    """'new', 'old' (M1) or None when the visit sits between the two.

    The two models differ in where most of the time goes: the new one spends 70% on
    relationship and needs, the old one 70% on presentation and closing. A visit whose
    relationship + needs share is at least halfway from the old model's to the new one's is
    'new'; one at most a quarter of the way is 'old'. Comparing whole distributions instead
    over-reacts to one turn more or less in a short role-play.
    """
    if len(steps) < MIN_TURNS_FOR_TIME_SPLIT:
        return None
    shares = time_split(steps)
    front = {
        model: (allocation["relationship"] + allocation["needs"]) / 100
        for model, allocation in methodology.mindset.time_allocation.items()
    }
    progress = (shares["relationship"] + shares["needs"] - front["old"]) / (
        front["new"] - front["old"]
    )
    if progress >= NEW_MODEL_FROM:
        return "new"
    if progress <= OLD_MODEL_UP_TO:
        return "old"
    return None


def session_rules(
    methodology: Methodology,
    progress: Progress,
    ledger: Ledger,
    steps: list[str],
    addressing: tuple[int, int],
) -> list[str]:
    fired = []
    model = closest_time_model(methodology, steps)
    if model is not None:
        fired.append(f"flow.time_split_{model}")
    # M4
    if not progress.discovered:
        fired.append("spin.no_questions")
    elif "P" in progress.spin and not {"I", "N"} & set(progress.spin):
        fired.append("spin.no_implication_or_payoff")
    if progress.discovered and progress.proposal_started and not progress.confirmed_before_proposal:
        fired.append("spin.no_confirm")
    # M9
    qualification = methodology.scoring.qualification
    asked = set(progress.qualified) & set(qualification.topics)
    if len(asked) >= qualification.well_qualified:
        fired.append("flow.qualified")
    elif not asked and (
        progress.proposal_started
        or progress.closes
        or progress.next_step_turns
        or progress.vague_next_step_turns
    ):
        fired.append("flow.not_qualified")  # went on to a proposal, a close or a next step
    # M7
    attempted = progress.closes or progress.next_step_turns or progress.vague_next_step_turns
    fired.append("closing.attempted" if attempted else "closing.none")
    if attempted and not progress.next_step_turns:
        fired.append("closing.no_next_step")
    if progress.customer_dismissed:
        fired += ["closing.lost", "flow.lost"]
    # M5, M1
    if (
        progress.moves["present_product"] >= 2
        and not progress.moves["present_benefit"]
        and not ledger.fired("trust.quantified")
    ):
        fired.append("trust.features_only")
    customer, own = addressing
    if own >= 3 and own > customer:
        fired.append("trust.self_centred")
    elif customer >= 3 and customer >= 2 * own:
        fired.append("trust.customer_centred")
    return fired
