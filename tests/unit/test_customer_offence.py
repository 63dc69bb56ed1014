"""Rudeness has consequences for every persona (M1, M8): he says so in his own voice, and by
the third rude remark at the latest he ends the visit, which is then lost."""

from __future__ import annotations

import pytest

from bot.practice.customer import CustomerSimulator
from bot.practice.scenarios import load_scenarios
from bot.scoring.transcript import Turn

RUDE = [
    "您这人怎么这么磨叽,别家客户早签了。",
    "说了你也不懂,听我的就行。",
    "你到底懂不懂设备啊?",
]


@pytest.fixture(scope="module")
def simulator(methodology):
    return CustomerSimulator(methodology, load_scenarios(methodology).scenarios)


def _visit(scorer, simulator, persona: str, lines: list[str], moves: dict | None = None):
    moves = moves or {}
    session = scorer.start("inkjet_factory", persona)
    start = simulator.start("inkjet_factory", persona, 5)
    session.add(Turn(speaker="customer", text=start.reply))
    state, replies = start.state, []
    for line in lines:
        move = moves.get(line, "unknown")  # "unknown": what a live turn stores for an unread line
        reaction = simulator.react(state, session.add(Turn(speaker="rep", text=line, move=move)))
        session.add(Turn(speaker="customer", text=reaction.reply))
        state = reaction.state
        replies.append(reaction.reply)
    return replies, state


@pytest.mark.parametrize("persona", ["tiger", "peacock", "owl", "koala"])
def test_the_third_insult_ends_the_visit(scorer, simulator, methodology, persona) -> None:
    replies, state = _visit(scorer, simulator, persona, RUDE)
    voice = methodology.personas[persona]
    assert replies[:2] == voice.insulted[:2]  # no "过奖了" to an insult
    assert replies[2] == voice.insulted_exit and state.outcome == "lost"
    assert state.trust < 50


def test_each_persona_takes_offence_in_its_own_words(scorer, simulator) -> None:
    first = {
        _visit(scorer, simulator, p, RUDE[:1])[0][0] for p in ("tiger", "peacock", "owl", "koala")
    }
    assert len(first) == 4


def test_a_polite_visit_is_not_taken_as_rude(scorer, simulator) -> None:
    polite = {
        "王厂长您好,我是XX喷码的小李,就占用您十分钟。": "greet",
        "贵厂现在几条线在用喷码机?": "ask_situation",
        "用下来有没有让您头疼的地方?": "ask_problem",
        "是的,单价确实高一些,可是三年总成本反而低20%,我给您算一笔账?": "handle_objection",
        "王厂长,不说废话,像你们这种规模的工厂,换了一年能省十五万。": "present_benefit",
    }
    _, state = _visit(scorer, simulator, "owl", list(polite), polite)
    assert state.insults == 0 and state.outcome is None


def test_condescension_dressed_politely_is_taken_as_rude(scorer, simulator) -> None:
    line = "那是您不了解技术,您别瞎担心,听我的准没错。"
    _, state = _visit(scorer, simulator, "koala", [line])
    assert state.insults == 1


def test_a_rep_sharing_a_worry_is_not_rude(scorer, simulator) -> None:
    lines = ["您担心售后是很正常的,很多客户一开始也这么想。", "您想多了解一下我们的售后安排吗?"]
    _, state = _visit(scorer, simulator, "koala", lines)
    assert state.insults == 0
