"""Right after the customer's objection, a line the classifier also finds plausible as the
objection answer is taken as one (M6); elsewhere the line is read alone."""

from __future__ import annotations

from bot.language.context import in_context
from bot.language.intents import Classified, best_intent

BENEFIT_OR_ANSWER = Classified(
    "present_benefit",
    0.48,
    (),
    (("present_benefit", 0.48), ("open_suggestion", 0.21), ("handle_objection", 0.12)),
)


def test_after_his_objection_the_answer_to_it_wins() -> None:
    heard = in_context(BENEFIT_OR_ANSWER, after_objection=True)
    assert heard.intent == "handle_objection" and heard.confidence == 0.48


def test_elsewhere_the_line_is_read_alone() -> None:
    assert in_context(BENEFIT_OR_ANSWER, after_objection=False) == BENEFIT_OR_ANSWER


def test_an_implausible_answer_is_not_forced() -> None:
    unlikely = Classified(
        "propose_next_step",
        0.9,
        (),
        (
            ("propose_next_step", 0.9),
            ("close_direct", 0.05),
            ("ask_situation", 0.03),
            ("handle_objection", 0.01),
        ),
    )
    assert in_context(unlikely, after_objection=True).intent == "propose_next_step"


def test_the_ranking_is_read_from_the_parse() -> None:
    parsed = {
        "intent": {"name": "present_benefit", "confidence": 0.48},
        "intent_ranking": [
            {"name": "present_benefit", "confidence": 0.48},
            {"name": "nlu_fallback", "confidence": 0.4},
            {"name": "handle_objection", "confidence": 0.12},
        ],
    }
    assert best_intent(parsed).ranking == (("present_benefit", 0.48), ("handle_objection", 0.12))
