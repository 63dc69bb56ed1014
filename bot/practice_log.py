"""Each rep's finished role-plays and quiz rounds, and the progress summary built from them.

Kept in the action server's memory for now (one `PracticeLog` per process, cleared by a
restart); the database of the web-app issue will keep the same records for good. Records are
small summaries, not transcripts: the transcript stays in the conversation's tracker.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from statistics import mean

from bot.methodology import DIMENSIONS, Methodology


@dataclass(frozen=True)
class RolePlayRecord:
    at: datetime
    scenario_name: str
    persona_name: str
    outcome: str
    overall: int
    dimensions: dict[str, int | None]
    rep_turns: int


@dataclass(frozen=True)
class QuizRecord:
    at: datetime
    answered: int
    correct: int


OUTCOME_NAMES = {"signed": "签约", "lost": "客户离开", "ended": "中途结束"}


class PracticeLog:
    """Thread-safe, since the action server may run actions for several reps at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._roleplays: dict[str, list[RolePlayRecord]] = defaultdict(list)
        self._quizzes: dict[str, list[QuizRecord]] = defaultdict(list)

    def add_roleplay(self, user: str, record: RolePlayRecord) -> None:
        with self._lock:
            self._roleplays[user].append(record)

    def add_quiz(self, user: str, record: QuizRecord) -> None:
        if record.answered:
            with self._lock:
                self._quizzes[user].append(record)

    def roleplays(self, user: str) -> list[RolePlayRecord]:
        with self._lock:
            return list(self._roleplays.get(user, []))

    def quizzes(self, user: str) -> list[QuizRecord]:
        with self._lock:
            return list(self._quizzes.get(user, []))


def roleplay_record(
    report: dict, scenario_name: str, persona_name: str, outcome: str, at: datetime
) -> RolePlayRecord:
    """The part of a session report (bot.scoring.report) that progress needs."""
    return RolePlayRecord(
        at=at,
        scenario_name=scenario_name,
        persona_name=persona_name,
        outcome=outcome,
        overall=report["overall"],
        dimensions={
            key: (value["score"] if value["observed"] else None)
            for key, value in report["dimensions"].items()
        },
        rep_turns=len(report["turns"]),
    )


def progress_text(methodology: Methodology, log: PracticeLog, user: str) -> str:
    """The rep's progress: sessions, trend, average per dimension, the weakest skill to work on."""
    plays, quizzes = log.roleplays(user), log.quizzes(user)
    if not plays and not quizzes:
        return "你还没有练习记录。说“开始对练”练一场拜访,或者说“考考我”做个小测验,练完再来看进度吧!"
    lines = ["📈 你的练习进度"]
    if plays:
        lines += _roleplay_lines(methodology, plays)
    if quizzes:
        answered = sum(quiz.answered for quiz in quizzes)
        correct = sum(quiz.correct for quiz in quizzes)
        lines.append(
            f"测验 {len(quizzes)} 轮:共答 {answered} 题,答对 {correct} 题"
            f"(正确率 {round(100 * correct / answered)}%)。"
        )
    lines.append("(记录暂存在本次服务运行期间,服务重启后清空。)")
    return "\n".join(lines)


def _roleplay_lines(methodology: Methodology, plays: list[RolePlayRecord]) -> list[str]:
    names = methodology.scoring.dimension_names
    overall = [play.overall for play in plays]
    lines = [f"对练 {len(plays)} 场,平均总分 {round(mean(overall))},最近一场 {overall[-1]} 分"]
    if len(plays) > 1:
        lines[-1] += f"(比第一场 {overall[-1] - overall[0]:+d})"
    lines[-1] += "。"
    averages = {}
    for dimension in DIMENSIONS:
        scores = [play.dimensions.get(dimension) for play in plays]
        observed = [score for score in scores if score is not None]
        if observed:
            averages[dimension] = round(mean(observed))
    lines.append("各项平均:" + ";".join(f"{names[key]} {value}" for key, value in averages.items()))
    if averages:
        weakest = min(averages, key=averages.get)
        tip = methodology.scoring.dimension_tips[weakest]
        lines.append(f"最该加强:{names[weakest]}。{tip}")
    lines.append("最近几场:")
    for play in plays[-5:][::-1]:
        lines.append(
            f"· {play.at:%m-%d %H:%M} {play.scenario_name} · {play.persona_name} · "
            f"{OUTCOME_NAMES.get(play.outcome, play.outcome)} · {play.overall} 分"
            f"({play.rep_turns} 句)"
        )
    return lines
