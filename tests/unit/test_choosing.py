"""Choosing a scenario or persona by typing at the menu, as reps do in every channel."""

from __future__ import annotations

import pytest

from bot.practice.choosing import choose_persona, choose_scenario
from bot.practice.scenarios import load_scenarios


@pytest.fixture(scope="module")
def scenarios(methodology):
    return load_scenarios(methodology).scenarios


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("银行那个", "corporate_banking"),
        ("就喷码的吧", "inkjet_factory"),
        ("珠宝", "luxury_jewellery"),
        ("集团企业现金管理", "corporate_banking"),  # the button label, typed
        ("ERP", "software_integration"),
        ("專線", "telecom_lines"),  # traditional characters
        ("2", None),  # a number picks in menu order: checked below
        ("随便", None),
        ("", None),
    ],
)
def test_a_scenario_is_chosen_by_name_alias_or_label(scenarios, typed, expected) -> None:
    if typed == "2":
        expected = list(scenarios)[1]
    assert choose_scenario(typed, scenarios) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("猫头鹰", "owl"),
        ("老虎型的吧", "tiger"),
        ("孔雀型(表现型)", "peacock"),
        ("無尾熊", "koala"),
        ("第3个", "owl"),
        ("三", "owl"),
        ("9", None),
        ("都行", None),
    ],
)
def test_a_persona_is_chosen_by_animal_type_or_number(methodology, typed, expected) -> None:
    assert choose_persona(typed, methodology.personas) == expected


def test_a_reply_that_fits_two_scenarios_is_not_guessed(scenarios) -> None:
    assert choose_scenario("银行还是珠宝", scenarios) is None
