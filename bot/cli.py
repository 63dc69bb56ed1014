"""Command line: `python -m bot score FILE|DIR|FILE.jsonl [--format json|markdown]`.

Exit codes: 0 scored, 2 the input is malformed (the message says where), 3 no trained model
(the message names the command that trains one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from statistics import mean

from bot.adapters.nlu_model import ModelMissingError, NluModel, find_model
from bot.methodology import DIMENSIONS, MethodologyError, load_methodology
from bot.scoring.contracts import Report

EXIT_BAD_INPUT = 2
EXIT_NO_MODEL = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="销售陪练 salescoach")
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="score transcripts (JSON, JSONL or a folder)")
    score.add_argument("path", type=Path, help="transcript .json, .jsonl or a folder of them")
    score.add_argument("--format", choices=("json", "markdown"), default="json")
    score.add_argument("--model", type=Path, help="trained model (default: newest in models/)")
    score.add_argument("--out", type=Path, help="folder for one report per transcript (batch)")
    return parser


def _report_name(name: str) -> str:
    """'dir/visit.json' -> 'visit'; 'batch.jsonl:7' -> 'batch-7'."""
    path, _, line = name.partition(":")
    stem = Path(path).stem
    return f"{stem}-{line}" if line else stem


def _summary_table(rows: list[tuple[str, Report]]) -> str:
    from tabulate import tabulate

    headers = ["transcript", "persona", "overall", *DIMENSIONS]
    table = [
        [name, report["persona"], report["overall"]]
        + [
            report["dimensions"][d]["score"] if report["dimensions"][d]["observed"] else "-"
            for d in DIMENSIONS
        ]
        for name, report in rows
    ]
    averages = ["mean", "", round(mean(report["overall"] for _, report in rows), 1)]
    for dimension in DIMENSIONS:
        scores = [
            r["dimensions"][dimension]["score"]
            for _, r in rows
            if r["dimensions"][dimension]["observed"]
        ]
        averages.append(round(mean(scores), 1) if scores else "-")
    return tabulate([*table, averages], headers=headers, tablefmt="github")


def _score(options: argparse.Namespace) -> int:
    from bot.scoring import (
        TranscriptError,
        read_transcripts,
        render_markdown,
        score_transcript,
        start_scorer,
    )

    try:
        transcripts = read_transcripts(options.path)
        methodology = load_methodology()
    except (TranscriptError, MethodologyError) as error:
        print(f"错误:{error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        model_path = find_model(options.model)
    except ModelMissingError as error:
        print(f"错误:{error}", file=sys.stderr)
        return EXIT_NO_MODEL
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    model = NluModel.load(model_path)
    from bot.practice.scenarios import load_scenarios, scenes_of

    scenes = scenes_of(load_scenarios(methodology).scenarios)
    scorer = start_scorer(methodology, model.classify, scenes)

    def render(report: Report) -> str:
        if options.format == "markdown":
            return render_markdown(methodology, report)
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"

    try:
        if len(transcripts) == 1 and options.out is None:
            sys.stdout.write(render(score_transcript(scorer, methodology, transcripts[0][1])))
            return 0
        from tqdm import tqdm

        rows = []
        for name, transcript in tqdm(transcripts, desc="评分", unit="篇", file=sys.stderr):
            report = score_transcript(scorer, methodology, transcript)
            rows.append((name, report))
            if options.out is not None:
                options.out.mkdir(parents=True, exist_ok=True)
                suffix = ".md" if options.format == "markdown" else ".json"
                target = options.out / f"{_report_name(name)}{suffix}"
                target.write_text(render(report), encoding="utf-8")
        print(_summary_table(rows))
        return 0
    finally:
        model.close()


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    if options.command == "score":
        return _score(options)
    return EXIT_BAD_INPUT
