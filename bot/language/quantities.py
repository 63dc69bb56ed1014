"""Find quiz answers, percentages, money amounts and plain numbers in a rep's sentence.

These are facts a regular expression finds exactly, so they are not learned: the NLU
component `components.quantity_extractor` reports them as entities, and the scorer will use
them as evidence cues (M5: quantified value). Text is expected already normalised
(`bot.language.text.normalize`), so digits and % are half-width.
"""

import re
from dataclasses import dataclass

_CHINESE_DIGITS = "零一二两三四五六七八九十百千"
_NUMBER = r"\d+(?:\.\d+)?"
_PERCENT = re.compile(rf"{_NUMBER}\s?%|百分之[{_CHINESE_DIGITS}点\d.]+")
_MONEY = re.compile(
    rf"{_NUMBER}\s?(?:万|千|百万|亿)?\s?(?:元|块钱|块|美元|港币|RMB|rmb)"
    rf"|[{_CHINESE_DIGITS}]+[万千亿]?(?:元|块钱|块)"
    rf"|{_NUMBER}\s?[万亿](?![\d个台条家年月天次倍号人])"
    # 省六万, 两千万 (not 千万别, 万一): Chinese numerals from a digit word up to 万 or 亿.
    rf"|[一二两三四五六七八九十][{_CHINESE_DIGITS}]*[万亿](?![个台条家年月天次倍号人一])"
)
_PLAIN_NUMBER = re.compile(rf"(?<![\d.]){_NUMBER}(?![\d.])")
# A standalone run of the letters A-D, as in 选B / 答案是AC / "c", but not a word inside an
# English phrase ("I want a demo").
_QUIZ_ANSWER = re.compile(r"(?<![A-Za-z])(?<![A-Za-z] )[A-Da-d]{1,4}(?![A-Za-z])(?! [A-Za-z])")


@dataclass(frozen=True)
class Quantity:
    entity: str
    value: str
    start: int
    end: int


def find_quantities(text: str) -> list[Quantity]:
    """All quantities in `text`, in order; a number inside a percent or amount is not repeated."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for entity, pattern in (("percent", _PERCENT), ("money", _MONEY), ("number", _PLAIN_NUMBER)):
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            found.append(Quantity(entity, match.group().replace(" ", ""), *match.span()))
    for match in _QUIZ_ANSWER.finditer(text):
        letters = "".join(sorted(set(match.group().upper())))
        found.append(Quantity("quiz_answer", letters, *match.span()))
    return sorted(found, key=lambda quantity: quantity.start)
