"""Start a real Rasa server and action server on free loopback ports, and stop them after.

Used by the test suite and the benchmarks, so both measure the same setup `make run` starts.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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


def _environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    # A database of their own, so tests and benchmarks never touch the user's var/ database.
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'salescoach.db'}"
    return env


def _start(args: list[str], log: Path, workers: int = 1) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [str(BIN / "rasa"), *args],
            cwd=ROOT,
            env=_environment(log.parent) | {"SANIC_WORKERS": str(workers)},
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


@dataclass(frozen=True)
class Servers:
    url: str  # the Rasa server's base URL
    pids: dict[str, int]  # "rasa" and "actions": process ids, for memory readings
    database_url: str  # the database both servers write to


@contextmanager
def running_servers(
    model: Path, workdir: Path, extra_endpoints: str = "", workers: int = 1
) -> Iterator[Servers]:
    """Yield a Rasa server (API enabled) backed by a live action server, both on an SQLite
    database in `workdir` unless `extra_endpoints` names another tracker store.

    `extra_endpoints` replaces the project's tracker store in the generated endpoints.yml
    (e.g. Redis tracker and lock stores, which Rasa requires before it runs more than one
    Sanic worker).
    """
    rasa_port, actions_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(_endpoints(actions_port, extra_endpoints), allow_unicode=True)
    )
    processes: list[subprocess.Popen] = []
    try:
        actions_log = workdir / "actions.log"
        actions_args = ["run", "actions", "--actions", "actions", "--port", str(actions_port)]
        processes.append(_start(actions_args, actions_log))
        rasa_log = workdir / "rasa.log"
        rasa_args = ["run", "--enable-api", "--model", str(model), "--port", str(rasa_port)]
        rasa_args += ["--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")]
        processes.append(_start(rasa_args, rasa_log, workers))
        _wait_until_up(f"http://127.0.0.1:{actions_port}/health", processes[0], actions_log)
        url = f"http://127.0.0.1:{rasa_port}"
        _wait_until_up(f"{url}/status", processes[1], rasa_log)
        pids = {"actions": processes[0].pid, "rasa": processes[1].pid}
        yield Servers(url, pids, _environment(workdir)["DATABASE_URL"])
    finally:
        for process in processes:
            _signal_group(process, signal.SIGTERM)
        for process in processes:
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
