"""What the logs say when the bot starts and a rep asks for the help menu: the line the start-up
banner (scripts/run.sh) tells him to wait for is really printed, and showing the menu, on the
REST channel and in the web chat, logs no ERROR in the Rasa server, the action server or the
web app. The servers run as `make run` starts them, on ports of their own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from harness.rasa_processes import ROOT, Servers, free_port, running_servers

pytestmark = pytest.mark.slow
BANNER = re.search(r'When the log says "([^"]+)"', (ROOT / "scripts" / "run.sh").read_text())
PASSWORD = "pw-for-logs-1"
HELP_PAYLOAD = '/ask_concept{"concept": "spin"}'


@dataclass(frozen=True)
class Started:
    servers: Servers
    web: str
    web_log: Path


@pytest.fixture(scope="module")
def started(trained_model, tmp_path_factory) -> Iterator[Started]:
    workdir = tmp_path_factory.mktemp("logs")
    with running_servers(trained_model, workdir) as servers:
        env = os.environ | {
            "DATABASE_URL": servers.database_url,
            "RASA_URL": servers.url,
            "WEB_CHAT_SECRET": servers.secrets.web_chat_secret,
            "WEB_PORT": str(free_port()),
            "SALESCOACH_ADMIN_PASSWORD": PASSWORD,
        }
        subprocess.run(
            [sys.executable, "-m", "webapp", "create-admin", "runner"],
            cwd=ROOT, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        web_log = workdir / "web.log"
        with web_log.open("w") as out:
            web = subprocess.Popen(
                [sys.executable, "-m", "webapp"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        url = f"http://127.0.0.1:{env['WEB_PORT']}"
        try:
            _wait_for(lambda: requests.get(f"{url}/login", timeout=2).ok)
            yield Started(servers, url, web_log)
        finally:
            web.terminate()
            web.wait(timeout=30)


def _wait_for(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError("not ready in time")


def _errors(log: Path) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]


def test_the_line_the_banner_names_is_printed(started) -> None:
    assert BANNER, "scripts/run.sh names no log line to wait for"
    line = BANNER.group(1)
    rasa_log = started.servers.logs["rasa"]
    _wait_for(lambda: line in rasa_log.read_text(errors="replace"), seconds=30)


def test_the_help_menu_logs_no_error(started) -> None:
    rasa = started.servers.url
    replies = requests.post(
        f"{rasa}/webhooks/rest/webhook", json={"sender": "rep-help", "message": "帮助"}, timeout=60
    ).json()
    assert HELP_PAYLOAD in [b["payload"] for reply in replies for b in reply.get("buttons", [])]
    session = requests.Session()
    page = session.get(f"{started.web}/login", timeout=30).text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    session.post(
        f"{started.web}/login",
        data={"csrf_token": token, "username": "runner", "password": PASSWORD},
        timeout=30,
    )
    page = session.get(f"{started.web}/practice", timeout=30).text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    for text in ("你好", "帮助"):
        answer = session.post(
            f"{started.web}/practice/send",
            json={"message": text},
            headers={"X-CSRFToken": token},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
    assert any("我能帮你做这些事" in reply.get("text", "") for reply in answer.json()["replies"])
    time.sleep(1)  # let the servers write their logs
    logs = {**started.servers.logs, "web": started.web_log}
    errors = {name: _errors(log) for name, log in logs.items()}
    assert not any(errors.values()), errors
