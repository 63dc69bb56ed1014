"""Transcripts to score: the JSON shape, its validation, and reading files, folders and JSONL.

A transcript is what a trainer exports or a role-play produces:
`{"scenario": "...", "persona": "tiger|peacock|owl|koala", "turns": [{"speaker", "text"}]}`.
A turn may carry `move` and `confidence` when Rasa already classified it (live role-play), so
the scorer does not classify it again. Anything malformed is rejected with the file, the line
(for JSONL) and the field, because a trainer fixing a file needs to know where to look.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ValidationError, confloat, constr, validator

from bot.methodology import describe_validation_error
from bot.methodology.vocabulary import PersonaId

MAX_TURN_CHARS = 20_000


class TranscriptError(ValueError):
    """A transcript file cannot be read or does not have the expected shape."""


if TYPE_CHECKING:  # pydantic's constrained types are plain values to a type checker
    TurnText = str
    Confidence = float
else:
    TurnText = constr(strip_whitespace=True, min_length=1, max_length=MAX_TURN_CHARS)
    Confidence = confloat(ge=0, le=1)


class Turn(BaseModel):
    speaker: Literal["rep", "customer"]
    text: TurnText
    move: str | None = None
    confidence: Confidence | None = None
    # Further moves the line carries, in the order said (a greeting and then a question;
    # F, B and E in one breath): components/move_segmenter.py, one per clause.
    also: list[str] = []
    # A customer line the simulator said carries the objection it raises ("" for none), so
    # only his real objections are scored (M6); in other transcripts the words decide.
    objection: str | None = None

    class Config:
        extra = "ignore"


class Transcript(BaseModel):
    scenario: str = "generic"
    persona: PersonaId
    turns: list[Turn]

    class Config:
        extra = "ignore"

    @validator("turns")
    def _has_a_rep_turn(cls, turns: list[Turn]) -> list[Turn]:
        if not any(turn.speaker == "rep" for turn in turns):
            raise ValueError("没有销售(rep)说的话,无从评分")
        return turns


def parse_transcript(data: object, where: str) -> Transcript:
    """Validate one transcript; `where` names its file (and line) in the error."""
    if not isinstance(data, dict):
        raise TranscriptError(f"{where}: 应该是一个 JSON 对象(含 scenario、persona、turns)")
    try:
        return Transcript.parse_obj(data)
    except ValidationError as error:
        raise TranscriptError(describe_validation_error(where, error)) from None


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}: 不是 UTF-8 编码的文本文件") from None
    except json.JSONDecodeError as error:
        raise TranscriptError(
            f"{path}: 第 {error.lineno} 行第 {error.colno} 列 JSON 格式错误:{error.msg}"
        ) from None


def _read_jsonl(path: Path) -> Iterator[tuple[str, Transcript]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}: 不是 UTF-8 编码的文本文件") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise TranscriptError(f"{where}: JSON 格式错误:{error.msg}") from None
        yield where, parse_transcript(data, where)


def read_transcripts(path: Path) -> list[tuple[str, Transcript]]:
    """(name, transcript) pairs from a .json file, a .jsonl file or a folder of either."""
    if not path.exists():
        raise TranscriptError(f"{path}: 文件或目录不存在")
    if path.is_dir():
        files = sorted(
            item for item in path.iterdir() if item.suffix in {".json", ".jsonl"} and item.is_file()
        )
        if not files:
            raise TranscriptError(f"{path}: 目录里没有 .json 或 .jsonl 文件")
        return [pair for item in files for pair in read_transcripts(item)]
    if path.suffix == ".jsonl":
        return list(_read_jsonl(path))
    return [(str(path), parse_transcript(_read_json(path), str(path)))]
