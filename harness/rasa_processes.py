"""Start a real Rasa server and action server on free loopback ports, and stop them after.

Used by the test suite and the benchmarks, so both measure the same setup `make run` starts.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from scripts.fingerprint import fingerprint

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_SECONDS = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Secrets:
    """What `make run` makes for each start: the token of Rasa's HTTP API, the token Rasa
    sends the action server, the key the web app signs chat messages with."""

    api_token: str
    action_server_token: str
    web_chat_secret: str

    @classmethod
    def fresh(cls) -> Secrets:
        return cls(*(secrets.token_hex(24) for _ in range(3)))


def _environment(database_url: str, keys: Secrets) -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    env["DATABASE_URL"] = database_url
    env["ACTION_SERVER_TOKEN"] = keys.action_server_token
    env["WEB_CHAT_SECRET"] = keys.web_chat_secret
    env["ACTION_SERVER_HOST"] = "127.0.0.1"
    return env


def _start(
    command: list[str], log: Path, database_url: str, keys: Secrets, workers: int = 1
) -> subprocess.Popen:
    with log.open("a") as out:  # a restarted server goes on in the same log
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=_environment(database_url, keys) | {"SANIC_WORKERS": str(workers)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Sanic workers stop with it
        )


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:  # not listening yet, or still loading the model
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} not up after {STARTUP_TIMEOUT_SECONDS}s:\n{log.read_text()[-3000:]}")


@dataclass
class Servers:
    """A Rasa server and its action server; either can be killed and started again, as a
    crash and a restart would, on the same ports and database."""

    url: str  # the Rasa server's base URL
    actions_url: str  # the action server's base URL
    secrets: Secrets  # its API token, the action server's token, the web chat's key
    pids: dict[str, int]  # "rasa" and "actions": process ids, for memory readings
    database_url: str  # the database both servers write to
    logs: dict[str, Path]  # "rasa" and "actions": what each server printed
    _launchers: dict[str, Callable[[], subprocess.Popen]]
    _waiters: dict[str, Callable[[subprocess.Popen], None]]
    _processes: dict[str, subprocess.Popen]

    def api(self, path: str) -> str:
        """The URL of a Rasa HTTP API path, with the token."""
        separator = "&" if "?" in path else "?"
        return f"{self.url}{path}{separator}token={self.secrets.api_token}"

    def kill(self, name: str) -> None:
        """SIGKILL one server ("rasa" or "actions"), as a crash would."""
        process = self._processes[name]
        _signal_group(process, signal.SIGKILL)
        process.wait()

    def start(self, name: str) -> None:
        """Start a killed server again and wait until it serves."""
        process = self._launchers[name]()
        self._processes[name] = process
        self.pids[name] = process.pid
        self._waiters[name](process)


@contextmanager
def running_servers(
    model: Path,
    workdir: Path,
    extra_endpoints: str = "",
    workers: int = 1,
    database_url: str | None = None,
) -> Iterator[Servers]:
    """Yield a Rasa server (API behind a token, `Servers.api`) backed by a live action
    server (behind its token), both on
    `database_url` (default: an SQLite file in `workdir`, so tests and benchmarks never touch
    the user's var/ database), unless `extra_endpoints` names another tracker store.

    `extra_endpoints` replaces the project's tracker store in the generated endpoints.yml
    (e.g. Redis tracker and lock stores, which Rasa requires before it runs more than one
    Sanic worker).
    """
    database_url = database_url or f"sqlite:///{workdir / 'salescoach.db'}"
    rasa_port, actions_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(_endpoints(actions_port, extra_endpoints), allow_unicode=True)
    )
    url = f"http://127.0.0.1:{rasa_port}"

    logs = {"actions": workdir / "actions.log", "rasa": workdir / "rasa.log"}
    keys = Secrets.fresh()
    # Loopback only and every door locked, as `make run` does.
    rasa = [str(BIN / "rasa"), "run", "-i", "127.0.0.1", "--port", str(rasa_port)]
    rasa += ["--enable-api", f"--auth-token={keys.api_token}", "--model", str(model)]
    rasa += ["--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")]
    actions = [str(BIN / "python"), "-m", "actions.server", "--port", str(actions_port)]
    launchers: dict[str, Callable[[], subprocess.Popen]] = {
        "actions": lambda: _start(actions, logs["actions"], database_url, keys),
        "rasa": lambda: _start(rasa, logs["rasa"], database_url, keys, workers),
    }
    health = {
        "actions": f"http://127.0.0.1:{actions_port}/health",  # open: it says only "ok"
        "rasa": f"{url}/status?token={keys.api_token}",
    }
    waiters: dict[str, Callable[[subprocess.Popen], None]] = {
        name: (lambda process, name=name: _wait_until_up(health[name], process, logs[name]))
        for name in launchers
    }
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, launch in launchers.items():  # both start at once
            processes[name] = launch()
        for name, wait in waiters.items():
            wait(processes[name])
        pids = {name: process.pid for name, process in processes.items()}
        actions_url = f"http://127.0.0.1:{actions_port}"
        yield Servers(
            url, actions_url, keys, pids, database_url, logs, launchers, waiters, processes
        )
    finally:
        for process in processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _endpoints(actions_port: int, extra_endpoints: str) -> dict:
    """The project's endpoints.yml with the action server on `actions_port` and, if given,
    other stores: the servers under test run with the settings `make run` uses."""
    settings = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    settings["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    if extra_endpoints:
        settings.pop("tracker_store", None)
        settings.update(yaml.safe_load(extra_endpoints))
    return settings


def _signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def current_model() -> Path:
    """The model `make train` builds for the current data and config."""
    return ROOT / "models" / f"salescoach-{fingerprint()}.tar.gz"
