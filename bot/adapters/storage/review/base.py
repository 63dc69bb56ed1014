"""The state the review's parts share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from bot.adapters.storage.database import Database
from bot.clock import utc_now
from bot.methodology import load_methodology


class ReviewBase:
    """The database and clock every part of the review reads with, and the weights of the
    overall score (scoring.yml's, unless given), to recompute it when a trainer corrects a
    dimension."""

    def __init__(
        self,
        database: Database,
        clock: Callable[[], datetime] = utc_now,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        self._database = database
        self._now = clock
        self._given_weights = weights

    @property
    def _weights(self) -> Mapping[str, float]:
        if self._given_weights is None:
            self._given_weights = dict(load_methodology().scoring.weights)
        return self._given_weights
