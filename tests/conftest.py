"""Shared fixtures: one trained model and one real Rasa + action server per test session.

The model is the one `make train` builds (named by the fingerprint of data and config), so a
test run after `make train` reuses it and a fresh checkout trains exactly once.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.adapters.nlu_model import NluModel
from bot.methodology import Methodology, load_methodology
from bot.scoring import Scorer, start_scorer
from harness.rasa_processes import ROOT, Servers, current_model, running_servers
from tests.support.rasa_server import RasaServer

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


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


@pytest.fixture(scope="session")
def servers(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa and the action server as `make run` starts them, on an SQLite file of their own."""
    with running_servers(trained_model, tmp_path_factory.mktemp("servers")) as servers:
        yield servers


@pytest.fixture(scope="session")
def rasa_server(servers: Servers) -> RasaServer:
    return RasaServer.of(servers)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A PostgreSQL database of its own on TEST_POSTGRES_URL's server, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1/test)")
    name = f"salescoach_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Each backend a deployment may use: the embedded SQLite file and PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'salescoach.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def servers_on_each_backend(
    trained_model: Path, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    """Rasa and action server on `database_url`, for the role-play tests that must hold on
    every backend (and that kill and restart the servers)."""
    workdir = tmp_path_factory.mktemp("backend")
    with running_servers(trained_model, workdir, database_url=database_url) as servers:
        yield servers


@pytest.fixture(scope="session")
def roleplay_server(servers_on_each_backend: Servers) -> RasaServer:
    return RasaServer.of(servers_on_each_backend)
