"""Shared fixtures: one trained model and one real Rasa + action server per test session.

The model is the one `make train` builds (named by the fingerprint of data and config), so a
test run after `make train` reuses it and a fresh checkout trains exactly once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_SECONDS = 300


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    return env


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Train once per session if no model matches the current data and config."""
    subprocess.run(["make", "--no-print-directory", "train"], cwd=ROOT, check=True)
    fingerprint = subprocess.run(
        [sys.executable, "scripts/fingerprint.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    model = ROOT / "models" / f"salescoach-{fingerprint}.tar.gz"
    assert model.is_file(), f"make train did not produce {model}"
    return model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} not up after {STARTUP_TIMEOUT_SECONDS}s:\n{log.read_text()[-3000:]}")


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
def rasa_server(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaServer]:
    workdir = tmp_path_factory.mktemp("servers")
    rasa_port, actions_port = _free_port(), _free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n')
    processes: list[subprocess.Popen] = []
    try:
        actions_log = workdir / "actions.log"
        actions = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
            cwd=ROOT,
            env=_environment(),
            stdout=actions_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(actions)
        rasa_log = workdir / "rasa.log"
        rasa = subprocess.Popen(
            [
                str(BIN / "rasa"),
                "run",
                "--enable-api",
                "--model",
                str(trained_model),
                "--port",
                str(rasa_port),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
            ],
            cwd=ROOT,
            env=_environment(),
            stdout=rasa_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(rasa)
        _wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions, actions_log)
        url = f"http://127.0.0.1:{rasa_port}"
        _wait_until_up(f"{url}/status", rasa, rasa_log)
        yield RasaServer(url)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
