"""The session report: scores with reasons, the visit as it unfolded, and what to do better.

It is built only from the scorer's result and the methodology data, as a plain dict, so the
same report is printed as JSON by the CLI, rendered as Markdown for a rep, stored for trainers
and sent over WeCom without any of them recomputing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from bot.methodology import DIMENSIONS, Methodology, ScoringRule
from bot.scoring.better import Scene, SceneNeed, fill
from bot.scoring.contracts import (
    CheckReport,
    CloseReport,
    DimensionReport,
    Lesson,
    ObjectionReport,
    Quote,
    Report,
    Segment,
    SpinReport,
    TalkReport,
    TurnReport,
)
from bot.scoring.overall import weighted_overall
from bot.scoring.scorer import SessionResult, TurnAssessment
from bot.scoring.session_rules import closest_time_model, time_split

TOP = 3
CONCISE_MEDIAN_CHARS = 50


def _round(value: float) -> float:
    return round(value, 3)


def _dimensions(methodology: Methodology, result: SessionResult) -> dict[str, DimensionReport]:
    scoring = methodology.scoring
    dimensions: dict[str, DimensionReport] = {}
    for dimension in DIMENSIONS:
        totals = [
            (scoring.rules[rule_id], points, result.ledger.counts[rule_id])
            for rule_id, points in result.ledger.totals.items()
            if scoring.rules[rule_id].dimension == dimension
        ]
        totals.sort(key=lambda item: -abs(item[1]))
        observed = result.observed(dimension)
        sections = scoring.dimension_sections[dimension]
        parts = [f"{rule.name}×{count} {points:+d}({rule.m_id})" for rule, points, count in totals]
        if not observed:
            explanation = "本次对话客户没有提出异议,此项未评(不计入总分)。(M6)"
        elif parts:
            explanation = f"依据{sections}。基准{scoring.base}分;" + ";".join(parts) + "。"
        else:
            explanation = f"基准{scoring.base}分;没有触发本项的加分或扣分规则({sections})。"
        dimensions[dimension] = {
            "name": scoring.dimension_names[dimension],
            "score": result.ledger.score(dimension),
            "observed": observed,
            "explanation": explanation,
        }
    return dimensions


def _overall(methodology: Methodology, dimensions: dict[str, DimensionReport]) -> int:
    overall = weighted_overall(
        methodology.scoring.weights,
        {
            name: (value["score"] if value["observed"] else None)
            for name, value in dimensions.items()
        },
    )
    if overall is None:
        raise ValueError("no dimension was observed: there is no overall to give")
    return overall


def _turn(methodology: Methodology, assessment: TurnAssessment) -> TurnReport:
    move = methodology.moves.get(assessment.move or "")
    step = methodology.visit_step(assessment.step) if assessment.step else None
    return {
        "index": assessment.index,
        "text": assessment.text,
        "move": assessment.move,
        "move_name": move.name if move else None,
        "moves": list(assessment.scored_moves),
        "move_names": [methodology.moves[name].name for name in assessment.scored_moves],
        "confidence": _round(assessment.confidence),
        "step": assessment.step,
        "step_name": step.name if step else None,
        "cues": assessment.cues.to_dict(),
        "changes": assessment.changes(),
        "notes": [note.to_dict() for note in assessment.notes],
        "feedback": assessment.feedback,
    }


def _timeline(methodology: Methodology, result: SessionResult) -> list[Segment]:
    """Consecutive rep turns in the same visit step, merged into one segment."""
    segments: list[Segment] = []
    for assessment in result.assessments:
        if assessment.step is None:
            continue
        if segments and segments[-1]["step"] == assessment.step:
            segments[-1]["to_turn"] = assessment.index
            segments[-1]["moves"].append(assessment.move)
            continue
        segments.append(
            {
                "step": assessment.step,
                "step_name": methodology.visit_step(assessment.step).name,
                "from_turn": assessment.index,
                "to_turn": assessment.index,
                "moves": [assessment.move],
            }
        )
    return segments


def _spin(result: SessionResult) -> SpinReport:
    order = result.progress.spin
    ranks = ["SPIN".index(letter) for letter in order]
    return {
        "counts": {letter: order.count(letter) for letter in "SPIN"},
        "order": "→".join(order),
        "in_order": all(later >= earlier for earlier, later in pairwise(ranks)),
        "confirmed_needs": result.progress.confirmed,
    }


def _talk(methodology: Methodology, result: SessionResult) -> TalkReport:
    total = result.rep_chars + result.customer_chars
    rep_turns = len(result.assessments)
    return {
        "rep_chars": result.rep_chars,
        "customer_chars": result.customer_chars,
        "rep_share": _round(result.rep_chars / total) if total else 0.0,
        "rep_turns": rep_turns,
        "customer_turns": len(result.transcript.turns) - rep_turns,
        "time_split": {k: _round(v) for k, v in time_split(result.steps).items()},
        "closest_time_model": closest_time_model(methodology, result.steps),
    }


def _objections(result: SessionResult) -> list[ObjectionReport]:
    return [
        {
            "turn": record.turn,
            "kinds": record.kinds,
            "customer_said": record.text,
            "response_turn": record.response_turn,
            "handling": record.handling,
        }
        for record in result.progress.objections
    ]


def _closes(methodology: Methodology, result: SessionResult) -> list[CloseReport]:
    attempts: list[CloseReport] = [
        {
            "turn": close.turn,
            "technique": close.move,
            "name": methodology.moves[close.move].name,
            "timing": close.timing,
            "fits_persona": close.persona_fit,
        }
        for close in result.progress.closes
    ]
    attempts += [
        {
            "turn": turn,
            "technique": "propose_next_step",
            "name": methodology.moves["propose_next_step"].name,
            "timing": "next_step",
            "fits_persona": True,
        }
        for turn in result.progress.next_step_turns
    ]
    return sorted(attempts, key=lambda attempt: attempt["turn"])


def _self_check(methodology: Methodology, result: SessionResult) -> list[CheckReport]:
    """M11 items, ticked where the transcript shows them; the rest say they are not observable."""
    ledger, progress = result.ledger, result.progress
    lengths = [a.cues.length for a in result.assessments]
    proposed = progress.proposal_started
    had_objection = bool(progress.objections)

    def status(done: bool, applies: bool = True) -> str:
        return ("done" if done else "missed") if applies else "not_applicable"

    observed = {
        "opening_ready": status(ledger.fired("flow.opening")),
        "questions_ready": status(len(progress.spin) >= 3),
        "concise_answers": status(
            bool(lengths) and median(lengths) <= CONCISE_MEDIAN_CHARS, bool(lengths)
        ),
        "customer_language": status(ledger.fired("trust.benefit_tied_to_need"), proposed),
        "ask_before_tell": status(
            progress.questions_before_proposal > progress.statements_before_proposal
        ),
        "watch_trust": status(
            any(r.handling.startswith("acknowledged") for r in progress.objections), had_objection
        ),
        "agree_next_step": status(bool(progress.next_step_turns)),
        "converted_to_value": status(ledger.fired("trust.quantified"), proposed),
        "differences_with_data": status(ledger.fired("trust.evidence"), proposed),
        "real_motive": status(ledger.fired("spin.need_payoff")),
        "clarify_vague": status(ledger.fired("objection.clarify"), had_objection),
        "confirm_next_step": status(bool(progress.next_step_turns)),
    }
    return [
        {
            "id": item.id,
            "group": group.name,
            "text": item.text,
            "status": observed.get(item.id, "not_observable"),
        }
        for group in methodology.self_check.groups
        for item in group.items
    ]


@dataclass(frozen=True)
class _Filler:
    """What fills a better sentence for this visit: its scene, the needs the customer
    revealed, the kinds of objection he raised (bot/scoring/better.py)."""

    scene: Scene | None
    revealed: list[SceneNeed]
    objections: list[str]

    @classmethod
    def of(cls, result: SessionResult, scene: Scene | None) -> _Filler:
        said = [turn.text for turn in result.transcript.turns if turn.speaker == "customer"]
        revealed = scene.revealed(said) if scene else []
        kinds = [kind for record in result.progress.objections for kind in record.kinds]
        return cls(scene, revealed, kinds)


def _better(methodology: Methodology, rule: ScoringRule, filler: _Filler) -> str | None:
    if not rule.better:
        return None
    return fill(
        methodology.better_sentences[rule.better],
        filler.scene,
        filler.revealed,
        filler.objections,
        methodology.objection_ack,
    )


QUOTES_PER_POINT = 2
# A better sentence this close to something the rep said (shared character pairs) is what he
# did, not an improvement on it.
SAID_ALREADY = 0.5


def _pairs(text: str) -> set[str]:
    folded = "".join(char for char in text if char.isalnum())
    return {folded[i : i + 2] for i in range(len(folded) - 1)}


def _close_to(sentence: str, said: str) -> bool:
    ours, theirs = _pairs(sentence), _pairs(said)
    return bool(ours) and len(ours & theirs) / len(ours) >= SAID_ALREADY


def _strengths_and_improvements(
    methodology: Methodology, result: SessionResult, scene: Scene | None = None
) -> tuple[list[Lesson], list[Lesson]]:
    """The top strengths and improvements, each quoting the turns it is about. Never shown:
    a point with no turn to quote; an improvement for a habit the visit also shows (its fix,
    the better sentence, is one a strength already earned); an improvement whose better
    sentence is (nearly) what the rep said; a strength quoting a line that a shown improvement
    of the same dimension faults."""
    rules = methodology.scoring.rules
    filler = _Filler.of(result, scene)
    totals = result.ledger.totals
    said = {turn.index: turn.text for turn in result.assessments}

    def quotes(rule_id: str, faulted: frozenset[int]) -> list[Quote]:
        turns = dict.fromkeys(
            note.turn
            for note in result.ledger.notes
            if note.rule.id == rule_id and note.turn in said and note.turn not in faulted
        )
        return [{"turn": turn, "text": said[turn]} for turn in list(turns)[:QUOTES_PER_POINT]]

    def item(rule: ScoringRule, points: int, faulted: frozenset[int] = frozenset()) -> Lesson:
        entry: Lesson = {
            "rule": rule.id,
            "dimension": rule.dimension,
            "m_id": rule.m_id,
            "name": rule.name,
            "points": points,
            "advice": rule.advice,
            "quotes": quotes(rule.id, faulted),
        }
        better = _better(methodology, rule, filler)
        if better and points < 0:
            entry["better_sentence"] = better
        return entry

    positive = sorted((p, rid) for rid, p in totals.items() if p > 0)[::-1]
    negative = sorted((p, rid) for rid, p in totals.items() if p < 0)
    praised = {_better(methodology, rules[rid], filler) for _, rid in positive} - {None}
    # One improvement per better sentence: two rules that call for the same fix are one lesson.
    improvements: list[Lesson] = []
    shown: set[str | None] = set()
    for points, rule_id in negative:
        lesson = item(rules[rule_id], points)
        better = lesson.get("better_sentence")
        if len(improvements) >= TOP or not lesson["quotes"]:
            continue
        if better is not None and (
            better in shown or better in praised or any(_close_to(better, t) for t in said.values())
        ):
            continue
        improvements.append(lesson)
        shown.add(better)
    # A line criticised in a dimension is not also quoted as its good example: "有数据……保证
    # 翻倍" is shown once, as the over-promise it is.
    criticised = {lesson["rule"] for lesson in improvements}
    faulted: dict[str, set[int]] = {}
    for note in result.ledger.notes:
        if note.rule.id in criticised and note.turn is not None:
            faulted.setdefault(note.rule.dimension, set()).add(note.turn)
    strengths = [
        lesson
        for lesson in (
            item(rules[rid], p, frozenset(faulted.get(rules[rid].dimension, ())))
            for p, rid in positive
        )
        if lesson["quotes"]
    ][:TOP]
    return strengths, improvements


def build_report(
    methodology: Methodology, result: SessionResult, scene: Scene | None = None
) -> Report:
    """The report; `scene` (the visit's scenario, bot/scoring/better.py) fills the better
    sentences with the right contact and the needs he revealed."""
    dimensions = _dimensions(methodology, result)
    strengths, improvements = _strengths_and_improvements(methodology, result, scene)
    return {
        "scenario": result.transcript.scenario,
        "persona": result.transcript.persona,
        "overall": _overall(methodology, dimensions),
        "dimensions": dimensions,
        "turns": [_turn(methodology, assessment) for assessment in result.assessments],
        "session_notes": [note.to_dict() for note in result.session_notes],
        "timeline": _timeline(methodology, result),
        "spin": _spin(result),
        "talk": _talk(methodology, result),
        "objections": _objections(result),
        "closing_attempts": _closes(methodology, result),
        "self_check": _self_check(methodology, result),
        "strengths": strengths,
        "improvements": improvements,
    }
