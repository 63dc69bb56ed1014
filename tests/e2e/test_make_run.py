"""`make run` as the README gives it (scripts/run.sh, its defaults, no secrets set): every
process on loopback only, and the secrets it makes for itself let a rep practise on REST
and in the web chat. The harness starts the servers its own way; this is the real script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from harness.rasa_processes import ROOT, free_port
from harness.run_script import ACTIONS_PORT, descendants, listening, make_run

pytestmark = pytest.mark.slow
START = "/start_roleplay" + json.dumps({"scenario": "telecom_lines", "persona": "koala"})


@pytest.fixture(scope="module")
def started(trained_model, tmp_path_factory) -> Iterator[tuple[int, int, int, str]]:
    probe = requests.Session()
    try:
        probe.get(f"http://127.0.0.1:{ACTIONS_PORT}/health", timeout=1)
        pytest.skip(f"port {ACTIONS_PORT} is taken: another bot is running here")
    except requests.ConnectionError:
        pass
    workdir = tmp_path_factory.mktemp("make-run")
    rasa_port, web_port = free_port(), free_port()
    with make_run(trained_model, workdir, rasa_port, web_port) as pid:
        yield pid, rasa_port, web_port, f"sqlite:///{workdir / 'probe.db'}"


def test_every_process_listens_on_loopback_only(started) -> None:
    pid, rasa_port, web_port, _ = started
    addresses = [a for found in listening(descendants(pid)).values() for a in found]
    ports = {int(address.rsplit(":", 1)[1]) for address in addresses}
    assert {rasa_port, web_port, ACTIONS_PORT} <= ports
    assert all(address.startswith(("127.", "::1")) for address in addresses), addresses


def test_a_rep_practises_over_rest_and_rasa_api_is_off(started) -> None:
    _, rasa_port, _, _ = started
    rasa = f"http://127.0.0.1:{rasa_port}"
    answer = requests.post(
        f"{rasa}/webhooks/rest/webhook", json={"sender": "rep-a", "message": START}, timeout=60
    )
    assert answer.status_code == 200
    assert any("对练开始" in reply.get("text", "") for reply in answer.json())
    assert requests.get(f"{rasa}/conversations/rep-a/tracker", timeout=30).status_code == 404


def test_a_signed_in_rep_practises_in_the_web_chat(started) -> None:
    _, _, web_port, database_url = started
    env = os.environ | {"DATABASE_URL": database_url, "SALESCOACH_ADMIN_PASSWORD": "pw-for-run-1"}
    subprocess.run(
        [sys.executable, "-m", "webapp", "create-admin", "runner"],
        cwd=ROOT, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    web, session = f"http://127.0.0.1:{web_port}", requests.Session()
    token = _csrf(session, f"{web}/login")
    session.post(
        f"{web}/login",
        data={"csrf_token": token, "username": "runner", "password": "pw-for-run-1"},
        timeout=30,
    )
    answer = session.post(
        f"{web}/practice/send",
        json={"start": {"scenario": "telecom_lines", "persona": "koala"}},
        headers={"X-CSRFToken": _csrf(session, f"{web}/practice")},
        timeout=60,
    )
    assert answer.status_code == 200
    assert any("对练开始" in reply["text"] for reply in answer.json()["replies"])


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30).text
    return page.split('name="csrf-token" content="')[1].split('"')[0]
