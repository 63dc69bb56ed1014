"""Shared fixtures: one trained model and one real Rasa + action server per test session.

The model is the one `make train` builds (named by the fingerprint of data and config), so a
test run after `make train` reuses it and a fresh checkout trains exactly once.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.methodology import Methodology, load_methodology
from bot.nlu_model import NluModel
from bot.scoring import Scorer, start_scorer
from scripts.rasa_processes import ROOT, current_model, running_servers


@pytest.fixture(scope="session", autouse=True)
def test_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Actions run in-process by the tests write to a throw-away SQLite file, never to the
    user's var/salescoach.db."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'salescoach.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        yield url


@pytest.fixture(scope="session")
def methodology() -> Methodology:
    return load_methodology()


@pytest.fixture(scope="session")
def scorer(methodology: Methodology) -> Scorer:
    """A scorer without a classifier: tests give each turn its move, as Rasa does live."""
    return start_scorer(methodology)


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Train once per session if no model matches the current data and config."""
    subprocess.run(["make", "--no-print-directory", "train"], cwd=ROOT, check=True)
    model = current_model()
    assert model.is_file(), f"make train did not produce {model}"
    return model


@pytest.fixture(scope="session")
def nlu_model(trained_model: Path) -> Iterator[NluModel]:
    """The trained model loaded in-process, as `python -m bot score` loads it."""
    model = NluModel.load(trained_model)
    yield model
    model.close()


@dataclass(frozen=True)
class RasaServer:
    """A running Rasa server with its action server, reached over real HTTP."""

    url: str

    def parse(self, text: str) -> dict:
        response = requests.post(f"{self.url}/model/parse", json={"text": text}, timeout=60)
        response.raise_for_status()
        return response.json()

    def say(self, sender: str, text: str) -> list[dict]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def rasa_server(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RasaServer]:
    with running_servers(trained_model, tmp_path_factory.mktemp("servers")) as servers:
        yield RasaServer(servers.url)
