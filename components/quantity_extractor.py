"""Rasa NLU component reporting quiz answers, percentages, money and numbers as entities.

Rasa's RegexEntityExtractor only extracts entity types that are also annotated in the
training data; these are exact patterns that need no annotated examples, so this component
applies `bot.language.quantities` directly and nothing is learned.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.language.quantities import find_quantities
from components.stateless import StatelessComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class QuantityExtractor(StatelessComponent):
    """Appends one entity per quantity found, tagged with this extractor's name."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            found = [
                {
                    "entity": quantity.entity,
                    "value": quantity.value,
                    "start": quantity.start,
                    "end": quantity.end,
                    "extractor": type(self).__name__,
                }
                for quantity in find_quantities(text)
            ]
            if found:
                message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages
