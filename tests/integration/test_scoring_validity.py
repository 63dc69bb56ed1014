"""The score ranks the better rep above the worse one, every time (issue: validity).

Each pair of transcripts in tests/fixtures/transcripts shares the customer's lines and differs
in what the rep does; moves come from the trained model, as in `python -m bot score`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.methodology import load_methodology
from bot.scoring import read_transcripts, score_transcript, start_scorer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"

pytestmark = pytest.mark.slow

# (better, worse, the dimension the pair is about)
PAIRS = [
    ("tiger_consultative", "tiger_pitching", "spin"),
    ("owl_consultative", "owl_pitching", "spin"),
    ("koala_consultative", "koala_pitching", "spin"),
    ("peacock_consultative", "peacock_pitching", "visit_flow"),
    ("objection_acknowledge", "objection_arguing", "objection_handling"),
    ("closing_after_confirm", "closing_premature_pressure", "closing"),
    ("owl_evidence", "owl_hype", "trust_value"),
    ("owl_evidence", "owl_hype", "disc_fit"),
    ("tiger_brief", "tiger_small_talk", "disc_fit"),
    ("koala_reassurance", "koala_scarcity", "disc_fit"),
    ("koala_reassurance", "koala_scarcity", "closing"),
    ("next_step_concrete", "next_step_none", "closing"),
    # Issue 15 item 6 (ranking like a trainer): each pair differs in one habit, and each
    # failed (better not above worse) before the rule named beside it.
    ("qualify_asked", "qualify_skipped", "visit_flow"),  # flow.qualify, flow.qualified (M9)
    ("question_long_asked", "question_long_skipped", "spin"),  # Scorer.read_question (M4)
    ("next_step_with_choice", "next_step_vague", "closing"),  # closing.vague_next_step (M7.3)
    ("visit_committed", "visit_lost", "closing"),  # closing.lost, flow.lost (M7)
    ("tiger_respectful", "tiger_rude", "trust_value"),  # trust.rude (M1)
    ("tiger_respectful", "tiger_rude", "disc_fit"),  # disc.rude (M8)
    ("compares_fairly", "bashes_competitor", "trust_value"),  # trust.bashing (M6)
    ("compares_fairly", "bashes_competitor", "disc_fit"),  # disc.bashing (M8)
    ("price_value", "price_discount", "objection_handling"),  # objection.concession (M6)
    ("owl_plain_statement", "owl_unbacked_claims", "disc_fit"),  # disc.owl_vague (M8)
    ("concern_answered", "concern_ignored", "objection_handling"),  # objection.answered (M6)
    ("stays_on_topic", "drifts_off_topic", "visit_flow"),  # flow.off_topic (M3)
    # objection.answered_badly for a deadline to sign: before it, 放心 in the pressing line
    # made it an answer (objection.answered); the scorer before issue 15 called it ignored.
    ("worry_reassured", "worry_pressed", "objection_handling"),
]


@pytest.fixture(scope="module")
def reports(nlu_model) -> dict[str, dict]:
    methodology = load_methodology()
    scorer = start_scorer(methodology, nlu_model.classify)
    return {
        Path(name).stem: score_transcript(scorer, methodology, transcript)
        for name, transcript in read_transcripts(FIXTURES)
    }


@pytest.mark.parametrize(("better", "worse", "dimension"), PAIRS)
def test_better_rep_wins_overall_and_on_the_dimension(
    reports, better: str, worse: str, dimension: str
) -> None:
    good, bad = reports[better], reports[worse]
    assert good["overall"] > bad["overall"]
    assert good["dimensions"][dimension]["score"] > bad["dimensions"][dimension]["score"]


@pytest.mark.parametrize("persona", ["tiger", "owl", "koala", "peacock"])
def test_consultative_rep_wins_every_dimension_that_both_were_scored_on(
    reports, persona: str
) -> None:
    good, bad = reports[f"{persona}_consultative"], reports[f"{persona}_pitching"]
    for name, dimension in good["dimensions"].items():
        if dimension["observed"] and bad["dimensions"][name]["observed"]:
            assert dimension["score"] >= bad["dimensions"][name]["score"], name


def test_pitching_rep_is_told_to_ask_before_telling(reports) -> None:
    improvements = {item["rule"] for item in reports["tiger_pitching"]["improvements"]}
    assert improvements & {
        "spin.no_questions",
        "spin.tell_before_ask",
        "flow.pitch_before_discovery",
    }


def test_most_fixture_turns_get_a_move_from_the_model(reports) -> None:
    """The pitching fixtures are deliberately odd (hype, rambling, arguing), so not all turns
    are recognised; most must be, or the scores rest on cues alone."""
    turns = [turn for report in reports.values() for turn in report["turns"]]
    recognised = [turn for turn in turns if turn["move"] is not None]
    assert len(recognised) >= 0.85 * len(turns)
