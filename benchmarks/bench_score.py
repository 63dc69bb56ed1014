"""Benchmark the scorer: model load once, then the time to score each turn of a 40-turn
transcript (NLU classification in-process + cues + rules), as a live role-play would.

Prints model load time, median and p95 per rep turn and per turn; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bot.adapters.nlu_model import NluModel
from bot.methodology import load_methodology
from bot.scoring import start_scorer
from bot.scoring.transcript import Transcript
from harness.rasa_processes import ROOT, current_model

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"
SOURCES = ("tiger_consultative", "owl_consultative", "koala_consultative", "peacock_pitching")


def forty_turns() -> Transcript:
    """Forty turns from several fixtures, so the text is varied and not cached by repetition."""
    turns = [
        turn
        for name in SOURCES
        for turn in json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))["turns"]
    ]
    return Transcript(scenario="inkjet_factory", persona="owl", turns=turns[:40])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--model", type=Path, default=None)
    options = parser.parse_args()

    started = time.perf_counter()
    model = NluModel.load(options.model or current_model())
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    methodology = load_methodology()
    scorer = start_scorer(methodology, model.classify)
    start_seconds = time.perf_counter() - started

    transcript = forty_turns()
    scorer.score(transcript)  # warm-up: first parse builds TensorFlow graphs
    rep_times, all_times, finish_times = [], [], []
    for _ in range(options.rounds):
        session = scorer.start(transcript.scenario, transcript.persona)
        for turn in transcript.turns:
            began = time.perf_counter()
            session.add(turn)
            elapsed = (time.perf_counter() - began) * 1000
            all_times.append(elapsed)
            if turn.speaker == "rep":
                rep_times.append(elapsed)
        began = time.perf_counter()
        session.finish()
        finish_times.append((time.perf_counter() - began) * 1000)
    model.close()

    rep_turns = sum(turn.speaker == "rep" for turn in transcript.turns)
    print(f"model load:          {load_seconds:.2f} s")
    print(f"scorer start-up:     {start_seconds:.2f} s (methodology, jieba, spaCy matchers)")
    turns = len(transcript.turns)
    print(f"transcript:          {turns} turns ({rep_turns} rep), {options.rounds} rounds")
    for label, values in (
        ("rep turn", rep_times),
        ("any turn", all_times),
        ("finish", finish_times),
    ):
        print(
            f"{label:20s} median {statistics.median(values):6.2f} ms   "
            f"p95 {percentile(values, 0.95):6.2f} ms   max {max(values):6.2f} ms"
        )


if __name__ == "__main__":
    main()
