"""The app's long-lived objects (database, storage, methodology, scenarios), one set per app,
reached from request handlers through `services()`."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g

from bot.adapters.storage import Database, Storage
from bot.adapters.storage.accounts import Accounts
from bot.adapters.storage.review import Review
from bot.adapters.storage.scenario_uploads import ScenarioUploads
from bot.adapters.storage.sign_in import SignIns
from bot.methodology import Methodology
from bot.practice.scenarios import Scenario


@dataclass(frozen=True)
class Services:
    database: Database
    storage: Storage
    accounts: Accounts
    review: Review
    uploads: ScenarioUploads
    sign_ins: SignIns
    methodology: Methodology
    scenarios: dict[str, Scenario]  # the built-in scenarios (bot/knowledge/scenarios)
    rasa_url: str
    web_chat_secret: str  # signs chat messages for Rasa's web channel; empty: chat off

    def offered_scenarios(self) -> dict[str, Scenario]:
        """Built-in scenarios and valid uploads: what the action server offers too. Read
        once per request: a session list names the scenario on every row."""
        if "offered_scenarios" not in g:
            g.offered_scenarios = self.uploads.usable(self.methodology, self.scenarios)
        return g.offered_scenarios

    def scenario_name(self, scenario_id: str) -> str:
        scenario = self.offered_scenarios().get(scenario_id)
        return scenario.name if scenario else scenario_id

    def persona_name(self, persona_id: str) -> str:
        persona = self.methodology.personas.get(persona_id)
        return f"{persona.animal}型" if persona else persona_id

    def dimension_names(self) -> dict[str, str]:
        return dict(self.methodology.scoring.dimension_names)


def services() -> Services:
    return current_app.extensions["salescoach"]
