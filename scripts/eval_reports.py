"""Do the scores rank visits as a trainer does? The calibration set, through the real scorer.

tests/fixtures/calibration/*.json are 40 role-play visits, each with the scores a trainer gave
it (a "trainer" block: overall, per-dimension scores, why), written from the methodology by
someone who never saw the scorer. Each visit is scored as `python -m bot score` scores it (the
trained NLU model loaded in-process, `make train`), and the automatic `overall` is compared
with the trainer's by Spearman rank correlation:

- over all visits, and among the good ones (trainer overall >= 60), where ranking is hardest;
- for the odd- and even-numbered files apart: scorer rules were tuned looking at the odd ones
  only (c01, c03, ...), so the even ones are held out and their figure is the honest one;
- per dimension, over the visits where the trainer gave that dimension a score and the scorer
  observed it.

    .venv/bin/python -m scripts.eval_reports            # figures
    .venv/bin/python -m scripts.eval_reports --visits   # and one line per visit, worst gap first
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.nlu_model import NluModel
from bot.language.intents import Classified
from bot.methodology import DIMENSIONS, load_methodology
from bot.practice.scenarios import load_scenarios, scenes_of
from bot.scoring import read_transcripts, score_transcript, start_scorer
from bot.scoring.contracts import Report
from harness.rasa_processes import ROOT, current_model

CALIBRATION = ROOT / "tests" / "fixtures" / "calibration"
GOOD_FROM = 60
_NUMBER = re.compile(r"^c(\d+)_")


@dataclass(frozen=True)
class Visit:
    name: str
    number: int
    trainer: dict
    report: Report

    @property
    def half(self) -> str:
        return "odd" if self.number % 2 else "even"


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties given the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's correlation of the ranks (ties averaged); None below 3 pairs
    or when either side is constant."""
    if len(xs) != len(ys) or len(xs) < 3:
        return None
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if not vx or not vy:
        return None
    return cov / (vx * vy) ** 0.5


def _fmt(rho: float | None) -> str:
    return "  -  " if rho is None else f"{rho:5.2f}"


def read_visits(classify: Callable[[str], Classified], folder: Path = CALIBRATION) -> list[Visit]:
    methodology = load_methodology()
    scenes = scenes_of(load_scenarios(methodology).scenarios)
    scorer = start_scorer(methodology, classify, scenes)
    visits = []
    for name, transcript in read_transcripts(folder):
        stem = Path(name).stem
        match = _NUMBER.match(stem)
        if match is None:
            continue
        trainer = json.loads(Path(name).read_text(encoding="utf-8"))["trainer"]
        report = score_transcript(scorer, methodology, transcript)
        visits.append(Visit(stem, int(match.group(1)), trainer, report))
    return sorted(visits, key=lambda visit: visit.number)


def overall_rho(visits: Sequence[Visit]) -> float | None:
    return spearman([v.trainer["overall"] for v in visits], [v.report["overall"] for v in visits])


def dimension_rho(visits: Sequence[Visit], dimension: str) -> tuple[float | None, int]:
    pairs = [
        (v.trainer["dimensions"][dimension], v.report["dimensions"][dimension]["score"])
        for v in visits
        if v.trainer["dimensions"].get(dimension) is not None
        and v.report["dimensions"][dimension]["observed"]
    ]
    return spearman([t for t, _ in pairs], [a for _, a in pairs]), len(pairs)


def summary(visits: Sequence[Visit]) -> str:
    good = [v for v in visits if v.trainer["overall"] >= GOOD_FROM]
    lines = [
        f"calibration set: {len(visits)} visits ({CALIBRATION.relative_to(ROOT)}), "
        f"{len(good)} good (trainer overall >= {GOOD_FROM})",
        "",
        "Spearman(overall, trainer overall)   all    good",
    ]
    for label, chosen in (
        ("all files", visits),
        ("odd files (tuned on)", [v for v in visits if v.half == "odd"]),
        ("even files (held out)", [v for v in visits if v.half == "even"]),
    ):
        chosen_good = [v for v in chosen if v.trainer["overall"] >= GOOD_FROM]
        lines.append(
            f"  {label:<24} n={len(chosen):2d}/{len(chosen_good):2d}  "
            f"{_fmt(overall_rho(chosen))}  {_fmt(overall_rho(chosen_good))}"
        )
    lines += ["", "Spearman per dimension (visits the trainer scored and the scorer observed)"]
    for dimension in DIMENSIONS:
        rho, count = dimension_rho(visits, dimension)
        held_out, held_count = dimension_rho([v for v in visits if v.half == "even"], dimension)
        lines.append(
            f"  {dimension:<20} n={count:2d} {_fmt(rho)}   held out n={held_count:2d} "
            f"{_fmt(held_out)}"
        )
    return "\n".join(lines)


def per_visit(visits: Sequence[Visit]) -> str:
    ranked_trainer = ranks([v.trainer["overall"] for v in visits])
    ranked_auto = ranks([v.report["overall"] for v in visits])
    rows = sorted(
        zip(visits, ranked_trainer, ranked_auto, strict=True), key=lambda r: -abs(r[1] - r[2])
    )
    lines = ["visit                                   trainer  auto  rank gap"]
    for visit, rank_t, rank_a in rows:
        lines.append(
            f"  {visit.name:<38} {visit.trainer['overall']:4d}  {visit.report['overall']:4d}"
            f"  {rank_a - rank_t:+6.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", action="store_true", help="one line per visit too")
    parser.add_argument("--model", type=Path, help="trained model (default: make train's)")
    options = parser.parse_args(argv)
    model_path = options.model or current_model()
    if not model_path.is_file():
        print(f"no trained model at {model_path}: run `make train`", file=sys.stderr)
        return 3
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    model = NluModel.load(model_path)
    try:
        visits = read_visits(model.classify)
    finally:
        model.close()
    print(f"== ranking like a trainer ({CALIBRATION.name}, model {model_path.name}) ==")
    print(summary(visits))
    if options.visits:
        print()
        print(per_visit(visits))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
