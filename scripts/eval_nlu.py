"""Measure NLU quality the way the README reports it.

1. Held-out sets, written apart from the training data and never trained on, against the
   current model: tests/nlu/heldout.yml (one move each, many registers) and
   tests/nlu/heldout_live.yml (the register of a live visit: openers, names, hype, typos).
2. Multi-move lines (tests/nlu/multimove_heldout.yml): precision and recall of the set of rep
   moves found per line, with the clause moves (components/move_segmenter.py) and, for
   comparison, from the line's intent alone.
3. 5-fold cross-validation over data/nlu (trains five models; slow).
Prints macro-F1 over the 22 rep-move intents, over all intents, the weakest intents, the
F1 of the persona, scenario and concept entities on the held-out set, and for both evaluations
how accurate the predictions are at each confidence: the figures behind the thresholds below
which the scorer ignores a move and the FallbackClassifier answers instead.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from pathlib import Path

import yaml

from harness.rasa_processes import BIN, ROOT, current_model


def rep_moves() -> list[str]:
    intents = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]
    return intents[: intents.index("start_roleplay")]


def summarise(title: str, report_file: Path) -> dict[str, float]:
    report = json.loads(report_file.read_text(encoding="utf-8"))
    moves = rep_moves()
    per_intent = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v}
    per_intent = {
        k: v for k, v in per_intent.items() if k not in {"macro avg", "weighted avg", "micro avg"}
    }
    move_f1 = [per_intent[m]["f1-score"] for m in moves if m in per_intent]
    figures = {
        "rep_moves_macro_f1": sum(move_f1) / len(move_f1),
        "all_macro_f1": report["macro avg"]["f1-score"],
        "accuracy": report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0.0)),
    }
    print(f"\n== {title} ==")
    for name, value in figures.items():
        print(f"  {name:22s} {value:.3f}")
    weakest = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])[:6]
    print("  weakest: " + ", ".join(f"{k} {v['f1-score']:.2f}" for k, v in weakest))
    return figures


def summarise_entities(report_file: Path) -> None:
    report = json.loads(report_file.read_text(encoding="utf-8"))
    for entity in ("persona", "scenario", "concept"):
        if entity in report:
            figures = report[entity]
            print(
                f"  entity {entity:15s} F1 {figures['f1-score']:.3f}"
                f" (precision {figures['precision']:.2f}, recall {figures['recall']:.2f},"
                f" {figures['support']} annotated)"
            )


CONFIDENCE_BANDS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.7, 1.01)
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4)


def summarise_calibration(results_dir: Path) -> None:
    """Accuracy by confidence band, and what each candidate threshold would keep and lose."""
    predictions: list[tuple[float, bool]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results_dir / name
        if path.is_file():
            for row in json.loads(path.read_text(encoding="utf-8")):
                prediction = row["intent_prediction"]
                correct = prediction["name"] == row["intent"]
                predictions.append((prediction["confidence"] or 0.0, correct))
    if not predictions:
        return
    print("  confidence band  predictions  accuracy")
    for low, high in itertools.pairwise(CONFIDENCE_BANDS):
        band = [correct for confidence, correct in predictions if low <= confidence < high]
        if band:
            accuracy = sum(band) / len(band)
            print(f"  {low:.1f}-{min(high, 1.0):.1f}        {len(band):11d}  {accuracy:.2f}")
    for threshold in THRESHOLDS:
        below = [correct for confidence, correct in predictions if confidence < threshold]
        print(
            f"  threshold {threshold:.2f}: sets aside {sum(below)} right and"
            f" {len(below) - sum(below)} wrong of {len(predictions)}"
        )


def summarise_multi_move(model: Path) -> None:
    """Set precision and recall of the rep moves found per multi-move line."""
    import asyncio

    from rasa.core.agent import Agent

    lines = yaml.safe_load((ROOT / "tests/nlu/multimove_heldout.yml").read_text("utf-8"))["lines"]
    moves = set(rep_moves())
    agent, loop = Agent.load(str(model)), asyncio.new_event_loop()
    counts = {"clauses": [0, 0, 0, 0], "intent only": [0, 0, 0, 0]}  # tp, fp, fn, exact
    for line in lines:
        parsed = loop.run_until_complete(agent.parse_message(line["text"]))
        gold = set(line["moves"])
        intent = {parsed["intent"]["name"]} & moves
        found = {"clauses": intent | {m["move"] for m in parsed["moves"]} & moves}
        found["intent only"] = intent
        for name, got in found.items():
            tally = counts[name]
            tally[0] += len(got & gold)
            tally[1] += len(got - gold)
            tally[2] += len(gold - got)
            tally[3] += got == gold
    loop.close()
    print(f"\n== multi-move lines (tests/nlu/multimove_heldout.yml, {len(lines)} lines) ==")
    for name, (tp, fp, fn, exact) in counts.items():
        precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        print(
            f"  {name:12s} precision {precision:.3f}  recall {recall:.3f}"
            f"  exact set {exact / len(lines):.3f}"
        )


def summarise_context(model: Path) -> None:
    """The rep's move read alone and in the light of the customer's line before it
    (bot/language/context.py), on pairs by another writer. The rule's two numbers were chosen
    on the odd pairs; the even pairs are the held-out figure."""
    import asyncio

    from rasa.core.agent import Agent

    from bot.language.context import in_context
    from bot.language.intents import best_intent

    pairs = yaml.safe_load((ROOT / "tests/nlu/context_heldout.yml").read_text("utf-8"))["pairs"]
    agent, loop = Agent.load(str(model)), asyncio.new_event_loop()
    right = {"alone": [0, 0, 0], "in context": [0, 0, 0]}  # all, after an objection, even pairs
    for number, pair in enumerate(pairs):
        heard = best_intent(loop.run_until_complete(agent.parse_message(pair["rep"])))
        readings = {"alone": heard, "in context": in_context(heard, pair["after_objection"])}
        for name, reading in readings.items():
            hit = reading.intent == pair["move"]
            right[name][0] += hit
            right[name][1] += hit and pair["after_objection"]
            right[name][2] += hit and number % 2 == 1
    loop.close()
    after = sum(pair["after_objection"] for pair in pairs)
    even = len(pairs) // 2
    print(
        f"\n== the customer's line as context (tests/nlu/context_heldout.yml,"
        f" {len(pairs)} pairs) =="
    )
    for name, (total, objection, held_out) in right.items():
        print(
            f"  {name:10s} accuracy {total / len(pairs):.3f}"
            f"  after an objection {objection / after:.3f}  even pairs {held_out / even:.3f}"
        )


def rasa(*args: str) -> None:
    subprocess.run([str(BIN / "rasa"), *args], cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-cv", action="store_true", help="only the held-out evaluation")
    parser.add_argument("--folds", type=int, default=5)
    options = parser.parse_args()

    model = current_model()
    if not model.is_file():
        print(f"no model at {model}: run `make train` first", file=sys.stderr)
        return 2
    rasa(
        "test",
        "nlu",
        "--nlu",
        "tests/nlu/heldout.yml",
        "--model",
        str(model),
        "--out",
        "results/heldout",
        "--no-plot",
        "--successes",
    )
    summarise("held-out set (tests/nlu/heldout.yml)", ROOT / "results/heldout/intent_report.json")
    summarise_entities(ROOT / "results/heldout/RegexEntityExtractor_report.json")
    summarise_calibration(ROOT / "results/heldout")
    rasa(
        "test",
        "nlu",
        "--nlu",
        "tests/nlu/heldout_live.yml",
        "--model",
        str(model),
        "--out",
        "results/heldout_live",
        "--no-plot",
        "--successes",
    )
    summarise(
        "live-visit held-out set (tests/nlu/heldout_live.yml)",
        ROOT / "results/heldout_live/intent_report.json",
    )
    summarise_multi_move(model)
    summarise_context(model)
    if not options.skip_cv:
        rasa(
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(options.folds),
            "--out",
            "results/cv",
            "--no-plot",
            "--successes",
        )
        summarise(
            f"{options.folds}-fold cross-validation (data/nlu)",
            ROOT / "results/cv/intent_report.json",
        )
        summarise_calibration(ROOT / "results/cv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
