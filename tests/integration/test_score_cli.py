"""`python -m bot score` as a trainer runs it: real files in, report or a clear error out."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.methodology import DIMENSIONS
from harness.rasa_processes import ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "score", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_malformed_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "visit.json"
    broken.write_text('{"persona": "lion", "turns": []}', encoding="utf-8")
    result = run_cli(str(broken))
    assert result.returncode == 2
    assert "visit.json" in result.stderr
    assert "persona" in result.stderr
    assert result.stdout == ""


def test_missing_model_names_the_command_that_trains_one(tmp_path: Path) -> None:
    result = run_cli(str(FIXTURES / "tiger_brief.json"), "--model", str(tmp_path / "none.tar.gz"))
    assert result.returncode == 3
    assert "make train" in result.stderr


@pytest.mark.slow
def test_json_report_for_one_transcript(trained_model: Path) -> None:
    result = run_cli(str(FIXTURES / "owl_consultative.json"), "--model", str(trained_model))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"overall", "dimensions", "turns", "strengths", "improvements"} <= set(report)
    assert set(report["dimensions"]) == set(DIMENSIONS)
    assert len(report["turns"]) == 8


@pytest.mark.slow
def test_markdown_report(trained_model: Path) -> None:
    result = run_cli(
        str(FIXTURES / "koala_scarcity.json"), "--format", "markdown", "--model", str(trained_model)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# 销售陪练评分报告")
    assert "考拉型" in result.stdout


@pytest.mark.slow
def test_batch_of_a_folder_and_a_jsonl_file(trained_model: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("tiger_brief", "tiger_small_talk"):
        shutil.copy(FIXTURES / f"{name}.json", folder)
    lines = [
        json.dumps(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))
        for name in ("owl_evidence", "owl_hype")
    ]
    (folder / "more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "reports"
    result = run_cli(str(folder), "--model", str(trained_model), "--out", str(out))
    assert result.returncode == 0, result.stderr
    table = result.stdout
    for name in ("tiger_brief.json", "tiger_small_talk.json", "more.jsonl:1", "more.jsonl:2"):
        assert name in table
    assert "mean" in table
    assert sorted(path.name for path in out.iterdir()) == [
        "more-1.json",
        "more-2.json",
        "tiger_brief.json",
        "tiger_small_talk.json",
    ]
