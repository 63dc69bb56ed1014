"""Rasa NLU component that folds traditional characters and full-width forms before jieba.

The folding itself lives in `bot.language.text` so the scorer can share it without Rasa.
Placing this component first in the pipeline makes training examples and live messages go
through the same conversion, so traditional input meets a model trained mostly on
simplified text.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.text import normalize
from components.stateless import StatelessComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ChineseNormalizer(StatelessComponent):
    """Rewrites each message's text in place with `bot.language.text.normalize`."""

    @classmethod
    def required_packages(cls) -> list[str]:
        return ["opencc"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                message.set(TEXT, normalize(text))
        return messages
