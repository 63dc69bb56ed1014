"""Better sentences filled from the scenario of the visit (issue 15 item 3).

A canned sentence ("刘女士您好……", "预算在三十万左右") names the wrong person and states facts the
scenario does not hold. The templates in better_sentences.yml name only what the scenario and
the visit give: how the rep addresses the contact, the company, the needs the customer
revealed in his own lines (as he names them, `said_as`, else their label), and the kind of
objection he raised. The first template of a key whose placeholders can all be filled is
shown; the last has none, for a visit whose scenario is unknown.

The scoring layer knows nothing of the practice layer's scenario files: a `Scene` is what it
needs of one, built by bot/practice/scenarios.py (`scene_of`) and given to the scorer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class SceneNeed:
    """A need of the scenario: how the customer names it, what it is, the words that show it."""

    spoken: str  # said_as, else the label
    label: str
    keywords: tuple[str, ...] = ()

    def shown_in(self, text: str) -> bool:
        words = self.keywords or (self.spoken,)
        return any(word and word in text for word in words)


@dataclass(frozen=True)
class Scene:
    """What a better sentence may use of a scenario."""

    contact: str  # address_as: 王厂长, 林女士
    company: str | None  # None for a private buyer
    needs: tuple[SceneNeed, ...] = ()

    def revealed(self, customer_lines: Iterable[str]) -> list[SceneNeed]:
        """The needs the customer's own lines show, in the order he first showed them."""
        lines = list(customer_lines)
        found: list[tuple[int, int, SceneNeed]] = []
        for order, need in enumerate(self.needs):
            first = next((index for index, line in enumerate(lines) if need.shown_in(line)), None)
            if first is not None:
                found.append((first, order, need))
        return [need for _, _, need in sorted(found, key=lambda item: item[:2])]


def fill(
    templates: list[str],
    scene: Scene | None,
    revealed: list[SceneNeed],
    objection_kinds: list[str],
    objection_ack: dict[str, str],
) -> str:
    """The first template whose every placeholder has a value (the last has none)."""
    values: dict[str, str] = {}
    if scene is not None:
        values["contact"] = scene.contact
        if scene.company:
            values["company"] = scene.company
        if revealed:
            values["need"] = revealed[0].spoken
        if len(revealed) > 1:
            values["need2"] = revealed[1].spoken
        kind = next((kind for kind in objection_kinds if kind in objection_ack), None)
        if kind is not None:
            values["objection_ack"] = objection_ack[kind]
    for template in templates:
        wanted = _PLACEHOLDER.findall(template)
        if all(name in values for name in wanted):
            return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)
    return templates[-1]
