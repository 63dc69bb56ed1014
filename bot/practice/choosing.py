"""Choosing a scenario or a persona by typing instead of tapping a button: by number in the
menu ("2", "第二个"), by name or button label, or loosely ("银行那个", "猫头鹰", "喷码的吧").

A reply that fits more than one item is not guessed at: the caller shows the menu again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.language.text import normalize
from bot.methodology.schema import Persona
from bot.practice.scenarios import Scenario

_NUMERALS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = re.compile(
    r"^(?:选|要|就)?第?\s*([1-9]|[一二两三四五六七八九])\s*(?:个|号|项)?(?:吧|吗|啊)?$"
)


def _folded(text: str) -> str:
    return re.sub(r"[\s,.!?;:。,!?;:~、\"'“”‘’()()]", "", normalize(text).lower())


def _menu_number(text: str) -> int | None:
    match = _NUMBER.match(_folded(text))
    if match is None:
        return None
    digit = match.group(1)
    return int(digit) if digit.isdigit() else _NUMERALS[digit]


def is_menu_number(text: str) -> bool:
    """ "2", "第三个": a choice from the menu on screen, whichever it is."""
    return _menu_number(text) is not None


def _pick(text: str, names: Mapping[str, Sequence[str]]) -> str | None:
    """The one id whose names appear in the text (or the text in one of its names)."""
    folded = _folded(text)
    if not folded:
        return None
    number = _menu_number(text)
    ids = list(names)
    if number is not None:
        return ids[number - 1] if number <= len(ids) else None
    found = {
        item
        for item, words in names.items()
        for word in map(_folded, words)
        if word and (word in folded or (len(folded) >= 2 and folded in word))
    }
    return found.pop() if len(found) == 1 else None


def choose_scenario(text: str, scenarios: Mapping[str, Scenario]) -> str | None:
    """The scenario a typed reply names, in the order the menu lists them."""
    return _pick(
        text,
        {
            scenario_id: [
                scenario_id,
                scenario.name,
                scenario.company.name,
                scenario.product,
                *scenario.aliases,
            ]
            for scenario_id, scenario in scenarios.items()
        },
    )


def choose_persona(text: str, personas: Mapping[str, Persona]) -> str | None:
    """The persona a typed reply names (老虎, 猫头鹰型, D型, 分析型...), in menu order."""
    return _pick(
        text,
        {
            persona_id: [persona_id, persona.animal, persona.name, *persona.aliases]
            for persona_id, persona in personas.items()
        },
    )
