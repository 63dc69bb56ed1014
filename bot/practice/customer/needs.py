"""Which of the scenario's needs or people a rep line is about, read from its words.

A need is named by the scenario's `keywords` for it (停线, 喷头) or by the characters its
label shares with the line; a person by name, title, or surname with a form of address. Used
so a benefit is answered about the need it addresses (M5) and a question about a need or a
person gets that need or person, not the next one on the list (M4, M9).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.language.text import normalize
from bot.practice.scenarios import HiddenNeed, Stakeholder

# "除了停线,还有别的……?" asks about everything but 停线.
_EXCEPT = re.compile(r"除了[^,.?!;。]*?(?:以外|之外|[,.?!;。]|$)")
KEYWORD_WEIGHT = 2
MIN_SCORE = 2  # one keyword, or two character pairs of the need's label
# Surname + one of these, as his title allows: 郑总 for a 总经理, 陈工 for an engineer.
ADDRESS_FORMS = ("总", "经理", "主任", "总监", "科长", "处长", "部长", "主管", "老师", "顾问")
# A person outside a company (a private buyer's adviser, friend): 韩先生, 苏太太.
PRIVATE_FORMS = ("先生", "太太", "女士", "小姐")


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def need_named(text: str, needs: Iterable[HiddenNeed]) -> HiddenNeed | None:
    """The need the line talks about most, or None when it names none (a need it sets
    aside with 除了…… is not the one it asks about)."""
    folded = _EXCEPT.sub("", normalize(text).lower())
    pairs = _pairs(folded)
    best: tuple[int, HiddenNeed] | None = None
    for need in needs:
        score = KEYWORD_WEIGHT * sum(normalize(w).lower() in folded for w in need.keywords)
        named = _pairs(normalize(need.label).lower()) | _pairs(normalize(need.spoken).lower())
        score += len(named & pairs)
        if score >= MIN_SCORE and (best is None or score > best[0]):
            best = (score, need)
    return best[1] if best else None


def stakeholder_named(text: str, people: Iterable[Stakeholder]) -> Stakeholder | None:
    """The person in the decision the line names, or None."""
    folded = normalize(text)
    for person in people:
        forms = [form for form in ADDRESS_FORMS if form in person.title]
        forms += ["总"] if "董事长" in person.title else []
        forms += ["工"] if "工程师" in person.title else []
        forms += list(PRIVATE_FORMS)
        names = {person.name, person.title, *(person.name[0] + form for form in forms)}
        if any(name in folded for name in names):
            return person
        # 小陈, 老陈 as colleagues call him; not the rep's own "我是华德的小陈".
        familiar = re.search(rf"[小老]{person.name[0]}(?![列旧述皮])", folded)
        if familiar and not re.search(rf"(?:我是|我叫)\S{{0,8}}[小老]{person.name[0]}", folded):
            return person
    return None
