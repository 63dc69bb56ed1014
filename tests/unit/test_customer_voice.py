"""The customer as a rep meets him (M4-M9): each persona in its own words, nothing said twice,
statements answered about what they address, and rudeness, arguing, running down others and
pressure felt. Lines here are this file's own; the held-out visits are `make eval`'s."""

from __future__ import annotations

import re

import pytest

from bot.methodology.loader import MethodologyError, load_yaml_model
from bot.methodology.schema import Voices
from bot.practice.customer import CustomerSimulator
from bot.practice.scenarios import load_scenarios
from bot.scoring.transcript import Turn
from harness.rasa_processes import ROOT

PERSONAS = ("tiger", "peacock", "owl", "koala")


@pytest.fixture(scope="module")
def simulator(methodology):
    return CustomerSimulator(methodology, load_scenarios(methodology).scenarios)


def visit(scorer, simulator, persona, lines, scenario="inkjet_factory", seed=2):
    """(reply, situation) for each (text, move) line, and the last state."""
    session = scorer.start(scenario, persona)
    start = simulator.start(scenario, persona, seed)
    session.add(Turn(speaker="customer", text=start.reply))
    state, heard = start.state, []
    for text, move in lines:
        reaction = simulator.react(state, session.add(Turn(speaker="rep", text=text, move=move)))
        session.add(Turn(speaker="customer", text=reaction.reply))
        state = reaction.state
        heard.append((reaction.reply, reaction.situation))
        if state.outcome in {"signed", "lost"}:
            break
    return heard, state


DISCOVERY = [
    ("王厂长您好,我是鸿图的小陈,打扰您半小时。", "greet"),
    ("厂里现在几条线、多少台机器在跑?", "ask_situation"),
    ("平时用下来,最让您头疼的是哪块?", "ask_problem"),
]


def test_the_four_personas_answer_the_same_lines_in_different_words(
    scorer, simulator, methodology
) -> None:
    lines = [*DISCOVERY, ("我们的机器是行业里最先进的,您看看参数。", "present_product")]
    replies = {p: visit(scorer, simulator, p, lines)[0] for p in PERSONAS}

    def bare(persona: str, reply: str) -> str:
        for filler in methodology.voices[persona].fact_openers:
            reply = reply.removeprefix(filler) if filler else reply
        return re.sub(r"\W", "", reply)

    for index in range(len(lines)):
        distinct = {bare(p, replies[p][index][0]) for p in PERSONAS}
        assert len(distinct) >= 3, (lines[index], distinct)
    asked = [("那最后是谁拍板?", "ask_situation")]
    tiger = visit(scorer, simulator, "tiger", asked)[0][0][0]
    owl = visit(scorer, simulator, "owl", asked)[0][0][0]
    assert len(tiger) < len(owl)  # the same facts, in fewer words from the tiger


def test_no_line_is_said_twice_in_a_visit(scorer, simulator) -> None:
    lines = [("今天天气不错啊。", "small_talk"), ("厂里情况能再说说吗?", "ask_situation")] * 6
    lines += [("嗯嗯,然后呢,您接着说。", "unknown")] * 6
    for persona in ("peacock", "owl", "koala"):  # a tiger walks out of this much small talk
        heard, _ = visit(scorer, simulator, persona, lines)
        replies = [reply for reply, _ in heard]
        assert len(replies) == len(set(replies)), persona


def test_a_benefit_is_answered_about_the_need_it_meets(scorer, simulator) -> None:
    lines = [
        *DISCOVERY,
        ("我们的自清洁喷头,不用再停线清洗,一年能少停线五十多个小时。", "present_benefit"),
    ]
    for persona in PERSONAS:
        heard, state = visit(scorer, simulator, persona, lines)
        reply, situation = heard[-1]
        assert situation == "benefit_for_need" and "停线" in reply, persona
        assert state.addressed == ["downtime"]


def test_a_pitch_that_misses_his_needs_is_pointed_back_to_them(scorer, simulator) -> None:
    lines = [*DISCOVERY, ("我们的机器外观是今年的新设计,颜色有六种可选。", "present_product")]
    heard, _ = visit(scorer, simulator, "tiger", lines)
    reply, situation = heard[-1]
    assert situation == "pitch_off_need" and "停线" in reply


def test_a_pitch_before_any_question_is_pushed_back(scorer, simulator) -> None:
    for persona in PERSONAS:
        heard, state = visit(
            scorer, simulator, persona, [("我们的喷码机速度快、分辨率高。", "present_product")]
        )
        assert heard[0][1] == "pitch_too_early" and state.trust < 50


def test_hype_meets_scepticism_strongest_from_an_owl(scorer, simulator) -> None:
    hype = [*DISCOVERY, ("我们的机器绝对零故障,用十年都不会坏。", "present_benefit")]
    trust = {}
    for persona in PERSONAS:
        heard, state = visit(scorer, simulator, persona, hype)
        assert heard[-1][1] == "hype", persona
        trust[persona] = state.trust
    assert trust["owl"] == min(trust.values()) and trust["owl"] < trust["koala"]


@pytest.mark.parametrize(
    ("line", "situation"),
    [
        ("您这就不对了,您错了,我们的方案才是对的。", "argued"),
        ("您现在用的那家就是垃圾,代理商根本不行。", "competitor_bashed"),
    ],
)
def test_arguing_and_running_down_others_cost_trust_and_patience(
    scorer, simulator, line, situation
) -> None:
    for persona in PERSONAS:
        heard, state = visit(scorer, simulator, persona, [*DISCOVERY, (line, "handle_objection")])
        _, calm = visit(scorer, simulator, persona, DISCOVERY)
        assert heard[-1][1] == situation, persona
        assert state.trust < calm.trust and state.patience < calm.patience


def test_repeated_pressure_is_felt_and_ends_the_visit(scorer, simulator) -> None:
    push = [("优惠今天就截止了,您现在就定吧!", "close_urgency")] * 5
    for persona in PERSONAS:
        heard, state = visit(scorer, simulator, persona, [*DISCOVERY, *push])
        situations = [situation for _, situation in heard]
        assert "pressured" in situations, persona
        assert state.outcome == "lost" and situations[-1] == "walk_out", persona
    koala, _ = visit(scorer, simulator, "koala", [*DISCOVERY, *push])
    tiger, _ = visit(scorer, simulator, "tiger", [*DISCOVERY, *push])
    assert len(koala) <= len(tiger)  # the koala backs off soonest


def test_a_need_asked_about_again_is_elaborated_never_denied(scorer, simulator) -> None:
    again = [
        *DISCOVERY,
        ("停线的话,对交货影响大吗?", "ask_implication"),
        ("喷头堵这个事,能再具体说说吗?", "ask_implication"),
        ("喷头堵的问题,平时还有什么麻烦?", "ask_problem"),
    ]
    for persona in PERSONAS:
        heard, state = visit(scorer, simulator, persona, again)
        for reply, situation in heard[3:]:
            assert situation == "need" and "没什么大问题" not in reply and "没想过" not in reply
        assert state.needs["downtime"] == "implication"


def test_a_question_about_someone_in_the_decision_gets_that_person(scorer, simulator) -> None:
    factory = simulator._scenarios["inkjet_factory"]
    person = factory.stakeholders[0]
    asked = [
        *DISCOVERY,
        ("那最后谁拍板?", "ask_situation"),
        (f"{person.title}那边一般看重什么?", "ask_situation"),
    ]
    heard, _ = visit(scorer, simulator, "owl", asked)
    assert heard[-2][1] == "topic:decision"
    assert heard[-1] == (person.line, "person") or heard[-1][0].startswith(person.line)


def test_only_gibberish_is_met_with_i_dont_follow(scorer, simulator) -> None:
    for text in ("😂😂😂", "???", "asdfghjkl"):
        heard, _ = visit(scorer, simulator, "koala", [(text, "unknown")])
        assert heard[0][1] == "unclear", text
    heard, _ = visit(
        scorer, simulator, "koala", [("嗯嗯,是这样的,我们最近在做一些调研。", "unknown")]
    )
    assert heard[0][1] == "go_on"


def test_a_close_before_any_need_is_put_off_as_premature(scorer, simulator) -> None:
    for persona in PERSONAS:
        heard, state = visit(
            scorer, simulator, persona, [("王厂长,那我们今天就把合同签了吧?", "close_direct")]
        )
        assert heard[0][1] == "stall_no_needs" and state.objections_raised == []


def test_a_voice_without_every_situation_is_refused_naming_it(tmp_path) -> None:
    source = (ROOT / "bot/knowledge/methodology/voices.yml").read_text(encoding="utf-8")
    broken = tmp_path / "voices.yml"
    broken.write_text(source.replace("      hype:", "      hyped:", 1), encoding="utf-8")
    with pytest.raises(MethodologyError, match="hype"):
        load_yaml_model(broken, Voices)


def test_a_need_set_aside_with_chu_le_is_not_the_one_asked_about(scorer, simulator) -> None:
    asked = [*DISCOVERY, ("除了停线,还有别的让您不放心的地方吗?", "ask_problem")]
    heard, state = visit(scorer, simulator, "owl", asked)
    assert heard[-1][1] == "need" and set(state.needs) == {"downtime", "print_quality"}


def _play(scorer, simulator, persona, lines, scenario="inkjet_factory"):
    """Like visit(), with the further moves a line's clauses carry: (text, move, also)."""
    session = scorer.start(scenario, persona)
    start = simulator.start(scenario, persona, 4)
    session.add(Turn(speaker="customer", text=start.reply))
    state, heard = start.state, []
    for text, move, also in lines:
        turn = Turn(speaker="rep", text=text, move=move, also=list(also))
        reaction = simulator.react(state, session.add(turn))
        session.add(Turn(speaker="customer", text=reaction.reply))
        state = reaction.state
        heard.append((reaction.reply, reaction.situation))
    return heard, state


def test_a_next_step_agreed_stands_and_a_goodbye_after_it_is_a_goodbye(scorer, simulator):
    lines = [
        (*DISCOVERY[0], ()),
        (*DISCOVERY[2], ()),
        ("那下周二我带工程师来厂里试机,您看行吗?", "propose_next_step", ()),
        ("好的,那就下周二上午,我把试机方案提前发给您。", "propose_next_step", ()),
        (
            "好嘞王厂长,那我回去就准备方案,今天耽误您时间了,谢谢!",
            "propose_next_step",
            ("thank_and_leave",),
        ),
    ]
    for persona in PERSONAS:
        heard, state = _play(scorer, simulator, persona, lines)
        situations = [situation for _, situation in heard[2:]]
        assert situations == ["next_step_ok", "next_step_again", "next_step_again"], persona
        assert state.next_step_agreed


def test_a_goodbye_after_a_pitch_is_not_answered_as_a_pitch(scorer, simulator):
    lines = [
        (*DISCOVERY[0], ()),
        (*DISCOVERY[2], ()),
        (
            "我们这款机器喷头自清洁,停线能少一半,今天就先聊到这,谢谢您抽时间!",
            "present_benefit",
            ("thank_and_leave",),
        ),
    ]
    heard, state = _play(scorer, simulator, "owl", lines)
    assert heard[-1][1] == "farewell" and state.outcome == "ended"


def test_a_thank_you_before_a_question_is_not_a_goodbye(scorer, simulator):
    lines = [
        (*DISCOVERY[0], ()),
        ("谢谢您说得这么细,那停一次线大概损失多少?", "ask_implication", ("thank_and_leave",)),
    ]
    heard, state = _play(scorer, simulator, "owl", lines)
    assert heard[-1][1] != "farewell" and state.outcome is None


def test_an_impatient_tiger_does_not_grumble_after_saying_yes_nor_twice_alike(scorer, simulator):
    long_line = "王厂长," + "我们公司成立二十年,服务过很多食品厂,口碑一直很好," * 4
    lines = [
        (f"{long_line}想请教一下,厂里第{n}条线现在怎么样?", "ask_situation", ())
        for n in "一二三四五六"
    ]
    lines += [("那下周二我带工程师来试机,您看行吗?", "propose_next_step", ())]
    heard, _ = _play(scorer, simulator, "tiger", [(*DISCOVERY[2], ()), *lines])
    remarks = simulator._methodology.voices["tiger"].lines["impatient"]
    said = [r for reply, _ in heard for r in remarks if reply.endswith(r)]
    assert said and len(said) == len(set(said))
    assert not any(heard[-1][0].endswith(r) for r in remarks)


def test_who_someone_is_gets_who_he_is(scorer, simulator, methodology):
    scenarios = load_scenarios(methodology).scenarios
    adviser = next(p for p in scenarios["luxury_jewellery"].stakeholders if p.name == "韩志明")
    lines = [
        ("林女士您好,我是珠宝定制的小周。", "greet", ()),
        ("欣怡是您女儿对吧?那韩先生是?", "ask_situation", ()),
    ]
    heard, _ = _play(scorer, simulator, "peacock", lines, scenario="luxury_jewellery")
    assert heard[-1][1] == "person" and adviser.line[:6] in heard[-1][0]


def test_a_case_is_heard_as_a_story_and_a_report_as_proof(scorer, simulator, methodology):
    case = (
        "去年华丰食品换了我们的机器,停线从一周三次降到一个月一次,这个案例您可以去看。",
        "give_evidence",
    )
    report = ("停线这块,这是第三方检测报告,连续运行720小时喷头没有堵过。", "give_evidence")
    for persona in PERSONAS:
        lines = methodology.voices[persona].lines
        (told_case, situation), *_ = visit(scorer, simulator, persona, [*DISCOVERY, case])[0][-1:]
        assert situation == "case_for_need" and told_case in {
            line.format(need="停线") for line in lines["case_for_need"]
        }, persona
        (_, situation), *_ = visit(scorer, simulator, persona, [*DISCOVERY, report])[0][-1:]
        assert situation == "evidence_for_need", persona


def test_a_private_buyer_never_talks_of_a_boss_or_colleagues(scorer, simulator, methodology):
    words = methodology.workplace_words
    lines = [
        ("林女士您好,我是珠宝定制的小周,恭喜您女儿要结婚了!", "greet"),
        ("您今天真有气质,一看就很懂珠宝。", "open_praise"),
        ("这次最想做成什么样的?有什么特别在意的吗?", "ask_problem"),
        ("我们的设计师专门做婚礼定制,款式独一无二,全世界只有这一套。", "present_benefit"),
        ("去年给一位客户的女儿做过一套,这个案例您可以看看。", "give_evidence"),
        ("那下周三我把设计稿带过来给您和欣怡看,您看方便吗?", "propose_next_step"),
    ]
    for persona in PERSONAS:
        heard, _ = visit(scorer, simulator, persona, lines, scenario="luxury_jewellery")
        said = [reply for reply, situation in heard if situation not in {"fact", "topic"}]
        assert not [r for r in said if any(w in r for w in words)], persona


def test_a_concrete_answer_to_his_worry_eases_it_without_the_formula(scorer, simulator):
    lines = [
        *DISCOVERY,
        ("我们的自清洁喷头,不用再停线清洗,一年能少停线五十多个小时。", "present_benefit"),
        ("价格方面,单台十八万,含安装培训。", "present_product"),
        ("三年算下来墨水省6万元,停线损失少20万元,这是青岛啤酒的对账单。", "give_evidence"),
    ]
    heard, state = visit(scorer, simulator, "owl", lines)
    assert heard[-2][1] == "objection" and heard[-1][1] == "answered_objection"
    assert state.open_objection is None


def test_a_promise_is_no_answer_to_his_worry(scorer, simulator):
    lines = [
        *DISCOVERY,
        ("我们的自清洁喷头,不用再停线清洗,一年能少停线五十多个小时。", "present_benefit"),
        ("价格方面,单台十八万,含安装培训。", "present_product"),
        ("您放心,保证零故障,百分之百不会出问题。", "present_benefit"),
    ]
    heard, state = visit(scorer, simulator, "owl", lines)
    assert heard[-2][1] == "objection" and heard[-1][1] != "answered_objection"
    assert state.open_objection == "price"


def test_a_rep_who_wants_to_hear_about_him_hears_something(scorer, simulator, methodology):
    company = load_scenarios(methodology).scenarios["inkjet_factory"].topics["company"]
    lines = [DISCOVERY[0], ("王厂长,很想听听咱们厂这些年是怎么做起来的。", "open_interest")]
    for persona in PERSONAS:
        heard, state = visit(scorer, simulator, persona, lines)
        reply, situation = heard[-1]
        assert situation == "interest" and "company" in state.topics_told, persona
        assert any(phrasing[:6] in reply for phrasing in company.phrasings(persona)), persona


def test_a_goodbye_the_nlu_is_unsure_of_is_still_a_goodbye(scorer, simulator):
    lines = [
        (*DISCOVERY[0], ()),
        ("好的,今天就不耽误您时间了,再见!", "unknown", ("close_direct",)),
    ]
    heard, state = _play(scorer, simulator, "tiger", lines)
    assert heard[-1][1] == "farewell" and state.outcome == "ended"


def test_offered_two_times_he_picks_one(scorer, simulator):
    lines = [
        (*DISCOVERY[0], ()),
        (*DISCOVERY[2], ()),
        ("那我带工程师来试机,您看下周三下午还是周四上午?", "propose_next_step", ()),
    ]
    heard, _ = _play(scorer, simulator, "koala", lines)
    reply, situation = heard[-1]
    assert situation == "next_step_ok"
    assert reply.startswith(("下周三下午吧。", "周四上午吧。"))


def test_a_trial_offered_in_a_pitch_is_answered_as_a_next_step(scorer, simulator):
    lines = [
        (*DISCOVERY[0], ()),
        (*DISCOVERY[2], ()),
        ("我们的喷头自清洁,不用停线清洗。", "present_benefit", ()),
        ("那先在一号线装一台试用两周,下周一开始可以吗?", "present_product", ()),
    ]
    heard, state = _play(scorer, simulator, "owl", lines)
    assert heard[-1][1] == "next_step_ok" and state.open_objection is None


def test_he_asks_the_price_before_he_finds_it_too_high(scorer, simulator):
    lines = [
        *DISCOVERY,
        ("我们的自清洁喷头,不用再停线清洗,一年能少停线五十多个小时。", "present_benefit"),
        ("另外我们的墨水是快干的,码更清楚。", "present_product"),
        ("价格方面,单台十八万,含安装培训。", "present_product"),
    ]
    heard, state = visit(scorer, simulator, "koala", lines)
    assert [situation for _, situation in heard[-2:]] == ["price_question", "objection"]
    assert state.open_objection == "price"


def test_a_colleague_called_as_his_colleagues_call_him_is_known(scorer, simulator, methodology):
    engineer = next(
        p
        for p in load_scenarios(methodology).scenarios["telecom_lines"].stakeholders
        if p.name == "陈磊"
    )
    lines = [("刘经理您好,我是电信的小何。", "greet"), ("小陈那边一般怎么做测试?", "ask_situation")]
    heard, _ = visit(scorer, simulator, "owl", lines, scenario="telecom_lines")
    assert heard[-1][1] == "person" and engineer.line[:6] in heard[-1][0]


def test_a_private_buyer_holds_back_her_budget_in_her_own_words(scorer, simulator, methodology):
    held_back = load_scenarios(methodology).scenarios["luxury_jewellery"].topics["budget"].held_back
    lines = [("林女士您好,我是珠宝定制的小周。", "greet"), ("您这次预算大概多少?", "ask_situation")]
    heard, _ = visit(scorer, simulator, "koala", lines, scenario="luxury_jewellery")
    assert heard[-1][1] == "held_back" and heard[-1][0] in held_back
