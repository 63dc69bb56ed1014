"""Better sentences come from the scenario (issue 15 item 3): the right contact, the needs
this customer revealed in his own words, the kind of objection he raised, and no fact the
scenario does not hold."""

from __future__ import annotations

import re

import pytest

from bot.practice.scenarios import load_scenarios, scenes_of
from bot.scoring import Transcript, score_transcript, start_scorer
from bot.scoring.better import Scene, SceneNeed, fill


@pytest.fixture(scope="module")
def scenarios(methodology):
    return load_scenarios(methodology).scenarios


@pytest.fixture(scope="module")
def scene_scorer(methodology, scenarios):
    return start_scorer(methodology, scenes=scenes_of(scenarios))


def pitching(scenario: str, *customer: str) -> Transcript:
    """A rep who pitches, closes hard and argues: many improvements, each with a sentence."""
    lines = [
        ("rep", "我们的产品是业内最好的,绝对没问题。", "present_product"),
        ("customer", customer[0] if customer else "哦。", None),
        ("rep", "您错了,我们的价格很合理,今天不签下个月就涨价。", "close_urgency"),
        ("customer", customer[1] if len(customer) > 1 else "我再想想。", None),
        ("rep", "那您有空我们再约。", "propose_next_step"),
    ]
    return Transcript(
        scenario=scenario,
        persona="tiger",
        turns=[
            {"speaker": speaker, "text": text, **({"move": move} if move else {})}
            for speaker, text, move in lines
        ],
    )


def test_every_scenario_gets_its_own_contact_and_no_one_else(
    scene_scorer, methodology, scenarios
) -> None:
    others = {s.contact.address_as for s in scenarios.values()}
    for scenario_id, scenario in scenarios.items():
        report = score_transcript(scene_scorer, methodology, pitching(scenario_id))
        sentences = [i["better_sentence"] for i in report["improvements"] if "better_sentence" in i]
        assert sentences, scenario_id
        for sentence in sentences:
            assert scenario.contact.address_as in sentence, sentence
            for name in others - {scenario.contact.address_as}:
                assert name not in sentence
            # The canned sentences' wrong forms of address (刘女士 for 林女士, 张总 for 张主任).
            assert not re.search(
                r"[王李张刘陈]总|刘女士", sentence.replace(scenario.contact.address_as, "")
            )


def test_the_templates_hold_no_figures_or_names_of_their_own(methodology) -> None:
    for key, templates in methodology.better_sentences.items():
        for template in templates:
            template = re.sub(r"\{\w+\}", "", template)  # the placeholders
            assert not re.search(r"\d|[一二三四五六七八九十百千]+万|%", template), (key, template)
            assert not re.search(r"[王李张刘陈林][总厂经主女先]", template), (key, template)


def test_the_needs_he_revealed_are_named_as_he_names_them(
    scene_scorer, methodology, scenarios
) -> None:
    report = score_transcript(
        scene_scorer,
        methodology,
        pitching(
            "inkjet_factory", "我们现在喷头老堵,一堵就停线。", "码还老是打得模糊,超市要退货。"
        ),
    )
    needs = {need.id: need for need in scenarios["inkjet_factory"].hidden_needs}
    sentences = " ".join(i.get("better_sentence", "") for i in report["improvements"])
    assert needs["downtime"].said_as in sentences  # 停线, his word, not the label
    assert needs["environment"].label not in sentences  # never revealed in this visit


def test_a_need_not_revealed_is_never_named(scene_scorer, methodology, scenarios) -> None:
    report = score_transcript(scene_scorer, methodology, pitching("inkjet_factory"))
    sentences = " ".join(i.get("better_sentence", "") for i in report["improvements"])
    for need in scenarios["inkjet_factory"].hidden_needs:
        assert need.label not in sentences
        assert not need.said_as or need.said_as not in sentences


def test_an_objection_is_acknowledged_for_its_kind(methodology) -> None:
    scene = Scene("林女士", "个人客户", (SceneNeed("撞款", "独一无二,不撞款", ("撞款",)),))
    templates = methodology.better_sentences["acknowledge_pivot"]
    price = fill(templates, scene, list(scene.needs), ["price"], methodology.objection_ack)
    assert price.startswith("是的,林女士,单看价格确实不低")
    assert "撞款" in price
    none = fill(templates, None, [], ["price"], methodology.objection_ack)
    assert none == templates[-1]


def test_revealed_needs_come_in_the_order_he_told_them() -> None:
    scene = Scene(
        "王厂长",
        "华丰食品有限公司",
        (
            SceneNeed("停线", "喷头堵塞导致停线", ("停线",)),
            SceneNeed("喷码不清", "喷码不清", ("模糊",)),
        ),
    )
    revealed = scene.revealed(["码有时候打得模糊。", "还有就是停线。"])
    assert [need.spoken for need in revealed] == ["喷码不清", "停线"]


def test_a_private_buyer_is_not_given_a_company(scene_scorer, methodology, scenarios) -> None:
    lines = [
        ("rep", "我们的钻石是业内最好的。", "present_product"),
        ("customer", "哦。", None),
        ("rep", "今天定下来吧,下个月就涨价了。", "close_urgency"),
    ]
    transcript = Transcript(
        scenario="luxury_jewellery",
        persona="koala",
        turns=[
            {"speaker": speaker, "text": text, **({"move": move} if move else {})}
            for speaker, text, move in lines
        ],
    )
    report = score_transcript(scene_scorer, methodology, transcript)
    sentences = " ".join(i.get("better_sentence", "") for i in report["improvements"])
    assert "林女士" in sentences
    assert scenarios["luxury_jewellery"].company.name not in sentences
    assert "个人客户" not in sentences
