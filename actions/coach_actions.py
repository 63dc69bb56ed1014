"""Coach-mode actions: explain a methodology concept or how to deal with a persona."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import methodology
from actions.roleplay_actions import choose_and_start
from actions.state import ACTIVITY, CHOOSING, told_when_unrecorded
from bot.practice.coach import (
    advise_on_objection,
    concept_choices,
    explain_concept,
    explain_persona,
)


class ActionExplainConcept(Action):
    """Answers 什么是X (or how to handle a persona) from the methodology data.

    When the question names neither a known concept nor a persona, the topics are offered
    as buttons instead of guessing.
    """

    def name(self) -> str:
        return "action_explain_concept"

    @told_when_unrecorded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(ACTIVITY) == CHOOSING:  # "猫头鹰" typed at the persona menu
            chosen = choose_and_start(dispatcher, tracker, or_else_pass=True)
            if chosen is not None:
                return chosen
        advice = advise_on_objection(methodology(), tracker.latest_message.get("text") or "")
        if advice is not None:  # "教练,客户说要跟老板商量怎么办?"
            dispatcher.utter_message(text=advice)
            return []
        concept_id = next(tracker.get_latest_entity_values("concept"), None)
        persona_id = next(tracker.get_latest_entity_values("persona"), None)
        answer = None
        if concept_id:
            answer = explain_concept(methodology(), concept_id)
        elif persona_id:
            answer = explain_persona(methodology(), persona_id)
        if answer:
            dispatcher.utter_message(text=answer)
            return []
        dispatcher.utter_message(
            text="你想了解哪个销售概念?点一个试试:",
            buttons=[
                {"title": title, "payload": f'/ask_concept{{"concept": "{concept}"}}'}
                for concept, title in concept_choices(methodology())
            ],
        )
        return []
