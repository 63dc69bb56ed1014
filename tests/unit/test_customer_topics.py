"""The customer answers qualification questions (M9) from the scenario's facts: budget only
to a rep who has earned some trust, the decision from his role when the scenario does not
say, and a second asking with "he told you already" rather than a contradiction."""

from __future__ import annotations

import pytest

from bot.practice.customer import CustomerSimulator
from bot.practice.scenarios import DEFAULT_DIRECTORY, check_scenario_file, load_scenarios
from bot.scoring.transcript import Turn


@pytest.fixture(scope="module")
def world(methodology):
    scenarios = load_scenarios(methodology).scenarios
    return scenarios, CustomerSimulator(methodology, scenarios)


def _ask(scorer, simulator, lines: list[str], trust: int, scenario="inkjet_factory"):
    session = scorer.start(scenario, "owl")
    start = simulator.start(scenario, "owl", 3)
    state = start.state
    state.trust = trust
    session.add(Turn(speaker="customer", text=start.reply))
    replies = []
    for line in lines:
        assessment = session.add(Turn(speaker="rep", text=line, move="ask_situation"))
        reaction = simulator.react(state, assessment)
        session.add(Turn(speaker="customer", text=reaction.reply))
        state = reaction.state
        replies.append(reaction.reply)
    return replies, state


def test_a_budget_question_gets_the_budget_once_trust_is_earned(scorer, world, methodology):
    scenarios, simulator = world
    budget = scenarios["inkjet_factory"].budget
    early, _ = _ask(scorer, simulator, ["王厂长,这次换设备预算大概在什么范围?"], trust=40)
    assert budget not in early[0]
    assert early[0] in methodology.topics.topics["budget"].held_back
    later, state = _ask(scorer, simulator, ["王厂长,这次换设备预算大概在什么范围?"], trust=70)
    assert later[0] in scenarios["inkjet_factory"].topics["budget"].phrasings("owl")
    assert "五十万" in later[0] and state.topics_told == ["budget"]


def test_asked_again_he_says_he_told_it_already(scorer, world, methodology):
    scenarios, simulator = world
    replies, _ = _ask(
        scorer, simulator, ["那这个项目什么时候要定下来?", "好的,那时间上大概是什么时候?"], trust=70
    )
    phrasings = scenarios["inkjet_factory"].topics["timing"].phrasings("owl")
    assert replies[0] in phrasings
    told_again = replies[1].removeprefix(methodology.topics.already_told)
    assert told_again != replies[1] and told_again != replies[0]  # same facts, other words
    assert any(told_again.startswith(phrasing) for phrasing in phrasings)


def test_who_decides_follows_the_contacts_role_when_the_scenario_is_silent(
    scorer, world, methodology
):
    scenarios, _ = world
    factory = scenarios["inkjet_factory"]
    silent = factory.copy(
        update={"topics": {k: v for k, v in factory.topics.items() if k != "decision"}}
    )
    simulator = CustomerSimulator(methodology, {**scenarios, "inkjet_factory": silent})
    replies, _ = _ask(scorer, simulator, ["那最后是谁拍板买设备?"], trust=70)
    role = factory.contact.decision_role
    assert replies[0].startswith(methodology.topics.decision_by_role[role])


def test_a_question_about_no_topic_still_gets_the_facts(scorer, world):
    scenarios, simulator = world
    replies, _ = _ask(scorer, simulator, ["现在厂里一共有几条线?"], trust=70)
    assert replies[0].startswith(scenarios["inkjet_factory"].facts[0].line)


def test_a_scenario_naming_an_unknown_topic_is_refused_with_the_line(methodology) -> None:
    source = (
        (DEFAULT_DIRECTORY / "inkjet_factory.yml")
        .read_text(encoding="utf-8")
        .replace("id: inkjet_factory", "id: with_topics")
    )
    source += "topics:\n  budget:\n    answer: 五十万。\n  weather:\n    answer: 晴。\n"
    scenario, problems = check_scenario_file(methodology, "with_topics.yml", source.encode())
    assert scenario is None
    assert any("topics -> weather: unknown topic" in line for line in problems)
    good = source.replace("  weather:\n    answer: 晴。\n", "")
    scenario, problems = check_scenario_file(methodology, "with_topics.yml", good.encode())
    assert problems == [] and scenario.topic_answer("budget", {}) == "五十万。"


def test_two_questions_in_one_line_get_two_answers(scorer, world):
    scenarios, simulator = world
    factory = scenarios["inkjet_factory"].topics
    replies, state = _ask(
        scorer, simulator, ["好的王厂长,那预算大概有多少?另外什么时候要换好?"], trust=70
    )
    assert state.topics_told == ["budget", "timing"]
    budget = next(p for p in factory["budget"].phrasings("owl") if replies[0].startswith(p))
    assert any(replies[0][len(budget) :].startswith(p) for p in factory["timing"].phrasings("owl"))


def test_one_question_in_two_clauses_gets_one_answer(scorer, world):
    _, simulator = world
    _, state = _ask(scorer, simulator, ["预算这块,大概什么时候要定下来?"], trust=70)
    assert state.topics_told == ["timing"]


def test_a_need_question_after_a_topic_question_is_answered_too(scorer, world):
    scenarios, simulator = world
    session = scorer.start("inkjet_factory", "owl")
    start = simulator.start("inkjet_factory", "owl", 3)
    session.add(Turn(speaker="customer", text=start.reply))
    line = "现在厂里用的是哪家的喷码机?用下来有没有什么不太满意的地方?"
    turn = Turn(speaker="rep", text=line, move="ask_situation", also=["ask_problem"])
    reaction = simulator.react(start.state, session.add(turn))
    assert reaction.state.topics_told == ["current_supplier"]
    assert list(reaction.state.needs) == ["downtime"]
    assert scenarios["inkjet_factory"].hidden_needs[0].line[:8] in reaction.reply


def test_a_question_about_how_things_work_is_not_answered_with_the_company_profile(scorer, world):
    scenarios, simulator = world
    company = scenarios["corporate_banking"].topics["company"].answer
    replies, state = _ask(
        scorer,
        simulator,
        ["现在集团层面看各子公司的资金余额,是怎么汇总的?"],
        trust=70,
        scenario="corporate_banking",
    )
    assert "company" not in state.topics_told and company[:8] not in replies[0]


def test_two_questions_with_one_asked_before_answer_the_new_one(scorer, world):
    scenarios, simulator = world
    lines = ["那这个项目什么时候要定下来?", "预算大概有多少?什么时候要定?"]
    replies, state = _ask(scorer, simulator, lines, trust=70)
    assert state.topics_told == ["timing", "budget"]
    assert any(
        replies[1].startswith(p)
        for p in scenarios["inkjet_factory"].topics["budget"].phrasings("owl")
    )
