"""A rep's finished role-plays and quiz rounds, and the progress summary built from them.

The records come from the database (`bot.adapters.storage.Storage.roleplay_history`/`quiz_history`);
this module only turns them into the text a rep reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import mean

from bot.clock import CHINA_TIME
from bot.methodology import DIMENSIONS, Methodology
from bot.methodology.vocabulary import OUTCOME_NAMES


@dataclass(frozen=True)
class RolePlayRecord:
    at: datetime
    scenario_id: str
    persona: str
    outcome: str
    overall: int
    dimensions: dict[str, int | None]
    rep_turns: int


@dataclass(frozen=True)
class QuizRecord:
    at: datetime
    answered: int
    correct: int


def progress_text(
    methodology: Methodology,
    scenario_names: dict[str, str],
    plays: list[RolePlayRecord],
    quizzes: list[QuizRecord],
) -> str:
    """The rep's progress: sessions, trend, average per dimension, the weakest skill to work on."""
    if not plays and not quizzes:
        return "你还没有练习记录。说“开始对练”练一场拜访,或者说“考考我”做个小测验,练完再来看进度吧!"
    lines = ["📈 你的练习进度"]
    if plays:
        lines += _roleplay_lines(methodology, scenario_names, plays)
    if quizzes:
        answered = sum(quiz.answered for quiz in quizzes)
        correct = sum(quiz.correct for quiz in quizzes)
        lines.append(
            f"测验 {len(quizzes)} 轮:共答 {answered} 题,答对 {correct} 题"
            f"(正确率 {round(100 * correct / answered)}%)。"
        )
    return "\n".join(lines)


def _roleplay_lines(
    methodology: Methodology, scenario_names: dict[str, str], plays: list[RolePlayRecord]
) -> list[str]:
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
        weakest = min(averages, key=lambda key: averages[key])
        tip = methodology.scoring.dimension_tips[weakest]
        lines.append(f"最该加强:{names[weakest]}。{tip}")
    lines.append("最近几场:")
    for play in plays[-5:][::-1]:
        persona = methodology.personas.get(play.persona)
        lines.append(
            f"· {play.at.astimezone(CHINA_TIME):%m-%d %H:%M} "
            f"{scenario_names.get(play.scenario_id, play.scenario_id)} · "
            f"{persona.animal + '型' if persona else play.persona} · "
            f"{OUTCOME_NAMES.get(play.outcome, play.outcome)} · {play.overall} 分"
            f"({play.rep_turns} 句)"
        )
    return lines
