"""A line that carries several moves: cut into clauses, every move scored, and the customer
answering the question that follows a greeting rather than the greeting."""

from __future__ import annotations

import pytest

from bot.language.clauses import clauses
from bot.language.intents import best_intent
from bot.language.text import normalize
from bot.practice.customer import CustomerSimulator
from bot.practice.scenarios import load_scenarios
from bot.scoring import Transcript, score_transcript
from bot.scoring.transcript import Turn


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "王总您好,我是华德的小陈,想先了解一下您这边现在用的是哪家的设备?",
            ["王总您好,我是华德的小陈", "想先了解一下您这边现在用的是哪家的设备"],
        ),
        # Acknowledge and pivot stay one objection answer (M6); the next step is its own.
        (
            "是的,价格确实高一点,可是算上耗材,三年总成本更低。下周我带工程师来测一下,您看方便吗?",
            [
                "是的,价格确实高一点,可是算上耗材",
                "三年总成本更低",
                "下周我带工程师来测一下,您看方便吗",
            ],
        ),
        # A back-channel, a name or a condition never stands alone.
        ("好的 陈总 我们这款是双喷头的", ["好的,陈总,我们这款是双喷头的"]),
        (
            "我确认一下,您最关心的是稳定性,对吗?如果故障率降一半,对您今年的KPI有什么帮助?",
            ["我确认一下,您最关心的是稳定性,对吗", "如果故障率降一半,对您今年的KPI有什么帮助"],
        ),
        ("好的", ["好的"]),
        ("", []),
    ],
)
def test_a_line_is_cut_where_a_new_move_can_start(line: str, expected: list[str]) -> None:
    assert clauses(normalize(line)) == expected


def test_the_parse_result_gives_the_other_moves_once_in_order() -> None:
    parsed = {
        "intent": {"name": "present_product", "confidence": 0.48},
        "moves": [
            {"move": "present_product", "confidence": 0.92, "text": "我们这款是双喷头"},
            {"move": "present_benefit", "confidence": 0.8, "text": "一年省二十万"},
            {"move": "give_evidence", "confidence": 0.51, "text": "蒙牛用的就是这款"},
            {"move": "present_benefit", "confidence": 0.7, "text": "还省人工"},
        ],
    }
    assert best_intent(parsed).also == ("present_benefit", "give_evidence")
    assert best_intent({"intent": {"name": "greet", "confidence": 0.9}}).also == ()


def _report(scorer, methodology, *turns: dict) -> dict:
    transcript = Transcript(scenario="inkjet_factory", persona="owl", turns=list(turns))
    return score_transcript(scorer, methodology, transcript)


def test_fabe_in_one_breath_credits_feature_benefit_and_evidence(scorer, methodology) -> None:
    line = "我们这款是双喷头,一年能帮您省二十万耗材,蒙牛的产线上用的就是这个型号。"
    alone = _report(
        scorer, methodology, {"speaker": "rep", "text": line, "move": "present_product"}
    )
    every = _report(
        scorer,
        methodology,
        {
            "speaker": "rep",
            "text": line,
            "move": "present_product",
            "also": ["present_benefit", "give_evidence"],
        },
    )
    (turn,) = every["turns"]
    assert turn["moves"] == ["present_product", "present_benefit", "give_evidence"]
    assert len(turn["move_names"]) == 3
    assert every["turns"][0]["move"] == alone["turns"][0]["move"] == "present_product"


def test_a_greeting_with_a_question_is_an_opening_and_a_situation_question(
    scorer, methodology
) -> None:
    line = "王总您好,我是华德的小陈,想先了解一下您这边现在用的是哪家的设备?"
    only_greeting = _report(scorer, methodology, {"speaker": "rep", "text": line, "move": "greet"})
    both = _report(
        scorer,
        methodology,
        {"speaker": "rep", "text": line, "move": "greet", "also": ["ask_situation"]},
    )
    rules = [note["rule"] for note in both["turns"][0]["notes"]]
    assert "flow.opening" in rules and rules.count("spin.situation") == 1
    # Without the clause move the question is still read from its words (Scorer.read_question),
    # and counted once either way.
    alone = [n["rule"] for n in only_greeting["turns"][0]["notes"]]
    assert alone.count("spin.situation") == 1
    assert both["spin"] == only_greeting["spin"]
    assert both["turns"][0]["moves"] == only_greeting["turns"][0]["moves"]


def test_the_customer_answers_the_question_after_the_greeting(scorer, methodology) -> None:
    scenarios = load_scenarios(methodology).scenarios
    simulator = CustomerSimulator(methodology, scenarios)
    line = "王厂长您好,我是XX喷码的小李,用下来有没有让您头疼的地方?"
    replies = []
    for also in ([], ["ask_problem"]):
        session = scorer.start("inkjet_factory", "owl")
        start = simulator.start("inkjet_factory", "owl", 1)
        session.add(Turn(speaker="customer", text=start.reply))
        assessment = session.add(Turn(speaker="rep", text=line, move="greet", also=also))
        replies.append(simulator.react(start.state, assessment).reply)
    assert "喷头老堵" not in replies[0]  # the greeting alone gets a greeting back
    assert "喷头老堵" in replies[1]  # with the question heard, he answers it
