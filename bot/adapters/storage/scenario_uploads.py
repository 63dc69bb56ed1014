"""Scenario files uploaded by admins, kept with their YAML source and who uploaded them.

The files are validated before they get here (`bot.practice.scenarios.check_scenario_file`), and
again when they are offered (`usable`), since the methodology they refer to may have changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from bot.adapters.storage.database import Database, as_utc
from bot.adapters.storage.schema import scenarios, users
from bot.clock import utc_now
from bot.methodology import Methodology
from bot.practice.scenarios import Scenario, check_scenario_file

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadedScenario:
    id: str
    name: str
    uploaded_by: str | None
    uploaded_at: datetime
    source: str


class ScenarioUploads:
    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._now = clock
        self._checked: dict[tuple[str, str], Scenario | None] = {}

    def save(self, scenario_id: str, name: str, source: str, uploaded_by: int) -> bool:
        """Store an upload; a new upload of the same id replaces it. True if it was new."""
        values = {"name": name, "source": source, "uploaded_by": uploaded_by}
        with self._database.transaction() as connection:
            replaced = connection.execute(
                update(scenarios)
                .where(scenarios.c.id == scenario_id)
                .values(**values, created_at=self._now())
            ).rowcount
            if not replaced:
                connection.execute(
                    scenarios.insert().values(id=scenario_id, created_at=self._now(), **values)
                )
            return not replaced

    def all(self) -> list[UploadedScenario]:
        query = (
            select(
                scenarios.c.id,
                scenarios.c.name,
                users.c.display_name,
                scenarios.c.created_at,
                scenarios.c.source,
            )
            .outerjoin(users, users.c.id == scenarios.c.uploaded_by)
            .order_by(scenarios.c.created_at.desc())
        )
        with self._database.transaction() as connection:
            return [
                UploadedScenario(
                    id=row.id,
                    name=row.name,
                    uploaded_by=row.display_name,
                    uploaded_at=as_utc(row.created_at),
                    source=row.source or "",
                )
                for row in connection.execute(query)
            ]

    def usable(self, methodology: Methodology, builtin: dict[str, Scenario]) -> dict[str, Scenario]:
        """The built-in scenarios plus every upload that still validates; a built-in id wins.
        Each upload is checked once per version of its source."""
        scenarios = dict(builtin)
        for upload in self.all():
            key = (upload.id, upload.source)
            if key not in self._checked:
                scenario, errors = check_scenario_file(
                    methodology, f"{upload.id}.yml", upload.source.encode("utf-8")
                )
                if errors:
                    logger.error("uploaded scenario %s not offered: %s", upload.id, errors[0])
                self._checked[key] = scenario
            checked = self._checked[key]
            if checked is not None and upload.id not in builtin:
                scenarios[upload.id] = checked
        return scenarios
