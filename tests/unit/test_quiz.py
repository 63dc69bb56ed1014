"""The quiz round (M12) without Rasa: question choice, marking, and the score."""

from bot.methodology import Methodology
from bot.practice.quiz import QuizMaster, QuizRound, result_text


def test_a_round_has_five_different_questions_fixed_by_the_seed(methodology: Methodology) -> None:
    master = QuizMaster(methodology)
    first, prompt = master.start("r1", seed=7)
    again, _ = master.start("r1", seed=7)
    assert first.question_ids == again.question_ids
    assert len(set(first.question_ids)) == 5
    rounds = {tuple(master.start("r", seed=seed)[0].question_ids) for seed in range(10)}
    assert len(rounds) > 5
    assert prompt.text.startswith("第 1/5 题")


def test_multiple_choice_needs_exactly_the_right_letters(methodology: Methodology) -> None:
    master = QuizMaster(methodology)
    question = next(q for q in methodology.quiz if q.type == "multiple")
    quiz = QuizRound("r2", [question.id])
    assert master.prompt(quiz).options == []  # several letters are typed, not one button
    partial = master.answer(quiz, question.answer[0])
    assert partial.messages[0].startswith("❌") and "".join(question.answer) in partial.messages[0]
    full = master.answer(quiz, "".join(reversed(question.answer)).lower())
    assert full.messages[0].startswith("✅")
    assert full.round.finished and full.next_question is None


def test_letters_that_are_not_options_are_not_marked(methodology: Methodology) -> None:
    master = QuizMaster(methodology)
    question = next(q for q in methodology.quiz if q.type == "truefalse")
    quiz = QuizRound("r2", [question.id])
    reply = master.answer(quiz, "D")
    assert "A、B" in reply.messages[0]
    assert reply.round.answers == [] and not reply.round.finished


def test_result_counts_only_answered_questions(methodology: Methodology) -> None:
    ids = [question.id for question in methodology.quiz[:5]]
    assert "还没有答题" in result_text(QuizRound("r3", ids))
    answers = [{"question": ids[0], "given": "A", "correct": True}]
    assert "1 题答对 1 题(100 分)" in result_text(QuizRound("r4", ids, answers))
