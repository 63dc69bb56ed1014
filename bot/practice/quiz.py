"""The coach's quiz (M12): a short round of questions from the methodology's quiz data.

A round is the plain dict `QuizRound.to_dict()`, kept by the Rasa action in a slot like the
role-play, so a half-answered quiz survives a restart; a finished round is stored with its score.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.methodology import Methodology, QuizQuestion

ROUND_LENGTH = 5
TYPE_NAMES = {"single": "单选题", "multiple": "多选题,可选多个", "truefalse": "判断题"}


@dataclass
class QuizRound:
    id: str  # the round's key in the database
    question_ids: list[str]
    answers: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "question_ids": self.question_ids, "answers": self.answers}

    @classmethod
    def from_dict(cls, data: dict) -> QuizRound:
        return cls(data["id"], list(data["question_ids"]), list(data["answers"]))

    @property
    def correct(self) -> int:
        return sum(1 for answer in self.answers if answer["correct"])

    @property
    def finished(self) -> bool:
        return len(self.answers) >= len(self.question_ids)

    @property
    def current_id(self) -> str:
        """The question being asked (a finished round has none: asking is a bug)."""
        if self.finished:
            raise ValueError("the round is finished; no question is being asked")
        return self.question_ids[len(self.answers)]


@dataclass(frozen=True)
class Prompt:
    """A question as the rep sees it: text plus the options to offer as buttons."""

    text: str
    options: list[tuple[str, str]]  # (button title, the letter it answers)


@dataclass(frozen=True)
class QuizReply:
    round: QuizRound
    messages: list[str]
    next_question: Prompt | None


class QuizMaster:
    def __init__(self, methodology: Methodology) -> None:
        self._questions = {question.id: question for question in methodology.quiz}

    def start(
        self, round_id: str, seed: int, length: int = ROUND_LENGTH
    ) -> tuple[QuizRound, Prompt]:
        """A new round: `length` different questions, a different mix for each seed."""
        ids = random.Random(seed).sample(sorted(self._questions), min(length, len(self._questions)))
        quiz = QuizRound(round_id, ids)
        return quiz, self.prompt(quiz)

    def prompt(self, quiz: QuizRound) -> Prompt:
        question = self._questions[quiz.current_id]
        number = len(quiz.answers) + 1
        lines = [f"第 {number}/{len(quiz.question_ids)} 题({TYPE_NAMES[question.type]})"]
        lines.append(question.question)
        lines += [f"{letter}. {text}" for letter, text in question.options.items()]
        if question.type == "multiple":
            lines.append("请回复所有正确选项的字母,比如“AC”。")
        else:
            lines.append("请回复选项字母(比如 B)。")
        options = [(f"{letter}. {text}", str(letter)) for letter, text in question.options.items()]
        return Prompt("\n".join(lines), options if question.type != "multiple" else [])

    def answer(self, quiz: QuizRound, letters: str) -> QuizReply:
        """Mark `letters` (e.g. "AC") against the current question and move on."""
        question = self._questions[quiz.current_id]
        given = sorted(set(letters.upper()) & set(question.options))
        if not given:
            options = "、".join(question.options)
            return QuizReply(quiz, [f"没认出你的选项。请回复 {options} 中的字母。"], None)
        quiz = QuizRound.from_dict(quiz.to_dict())
        correct = given == sorted(question.answer)
        quiz.answers.append({"question": question.id, "given": "".join(given), "correct": correct})
        messages = [_verdict(question, correct)]
        if quiz.finished:
            messages.append(result_text(quiz))
            return QuizReply(quiz, messages, None)
        return QuizReply(quiz, messages, self.prompt(quiz))

    def truefalse_current(self, quiz: QuizRound) -> bool:
        """Whether the current question can be answered with a plain yes (A) or no (B)."""
        return self._questions[quiz.current_id].type == "truefalse"


def _verdict(question: QuizQuestion, correct: bool) -> str:
    answer = "".join(question.answer)
    head = "✅ 答对了!" if correct else f"❌ 不对哦,正确答案是 {answer}。"
    return f"{head}{question.explanation}(依据 {question.m_id})"


def result_text(quiz: QuizRound) -> str:
    """The round's score; a round stopped early counts only the questions answered."""
    answered = len(quiz.answers)
    if not answered:
        return "测验已结束,这一轮还没有答题。"
    percent = round(100 * quiz.correct / answered)
    verdict = "很扎实!" if percent >= 80 else "不错,错题的解析值得再看一遍。"
    if percent < 60:
        verdict = "建议先问问我相关概念(比如“什么是SPIN”),再来挑战。"
    return f"📝 测验结束:{answered} 题答对 {quiz.correct} 题({percent} 分)。{verdict}"
