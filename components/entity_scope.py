"""Rasa NLU component that keeps command entities only on the commands that take them.

Persona, scenario and concept are found by lookup tables, which match a word wherever it
stands: 银行 in "开始对练,银行的场景" names a scenario, but in a role-play line
("贵行的现金管理平台口碑很好") it is just talk. The bot reads these entities only when
starting a role-play or explaining a concept, so anything else carrying them is noise that
would show up in parse results, logs and the entity evaluation.

config.yml:
    - name: components.entity_scope.EntityScope
      entities_of: {start_roleplay: [persona, scenario], ask_concept: [concept, persona]}
Entity types not named under any intent (quiz answers, money...) are left alone.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

from components.stateless import StatelessComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityScope(StatelessComponent):
    """Drops scoped entity types from messages whose intent does not take them."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities_of": {}}

    def process(self, messages: list[Message]) -> list[Message]:
        entities_of: dict[str, list[str]] = self._config["entities_of"]
        scoped = {entity for entities in entities_of.values() for entity in entities}
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            allowed = set(entities_of.get(intent or "", ()))
            found = message.get(ENTITIES) or []
            kept = [e for e in found if e["entity"] not in scoped or e["entity"] in allowed]
            if len(kept) != len(found):
                message.set(ENTITIES, kept, add_to_output=True)
        return messages
