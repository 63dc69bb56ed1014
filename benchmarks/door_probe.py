"""`make probe`: start the bot exactly as `make run` does (scripts/run.sh, its defaults, a fresh
database) and try its doors from this separate process, as someone else on the network or
the machine would. Prints one row per door: what was tried, what came back, ok or OPEN.

Checked: which addresses each of our processes listens on; Rasa's HTTP API without a token
(reading a tracker, appending events, parsing); a direct call to the action server with a
forged tracker; the web channel without the web app's signature; a REST sender naming a web
user's conversation; the passwords the README once published; 25 wrong passwords in a row
for a real account, then the right one; and, as the control, that a signed-in user's web
chat still reaches the customer.

Needs the trained model (`make train`) and free ports 5055 (the action server's, fixed in
endpoints.yml), RASA_PORT and WEB_PORT (picked free here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from harness.rasa_processes import ROOT, current_model, free_port
from harness.run_script import ACTIONS_PORT, command_of, descendants, listening, make_run

WRONG_PASSWORDS = 25
OLD_PUBLISHED = {name: f"{name}-demo-2026" for name in ("admin", "trainer", "rep1", "rep2")}
START = "/start_roleplay" + json.dumps({"scenario": "inkjet_factory", "persona": "owl"})
rows: list[tuple[str, str, bool]] = []


def record(door: str, seen: str, shut: bool) -> None:
    rows.append((door, seen, shut))
    print(f"  {'ok  ' if shut else 'OPEN'}  {door}: {seen}", flush=True)


def probe_api(rasa: str) -> None:
    for method, path in [
        ("GET", "/conversations/web:1/tracker"),
        ("POST", "/conversations/web:1/tracker/events"),
        ("POST", "/model/parse"),
        ("GET", "/status"),
    ]:
        body = {"event": "slot", "name": "roleplay", "value": {"turns": []}, "text": "你好"}
        answer = requests.request(method, f"{rasa}{path}", json=body, timeout=30)
        record(
            f"Rasa API {method} {path}, no token",
            str(answer.status_code),
            answer.status_code in (401, 403, 404),
        )


def probe_action_server() -> None:
    forged = {
        "next_action": "action_start_roleplay",
        "sender_id": "web:1",
        "version": "3.6.2",
        "domain": {},
        "tracker": {"sender_id": "web:1", "slots": {}, "events": [], "latest_message": {}},
    }
    for label, headers in [("no token", {}), ("guessed token", {"Authorization": "Bearer x"})]:
        answer = requests.post(
            f"http://127.0.0.1:{ACTIONS_PORT}/webhook", json=forged, headers=headers, timeout=30
        )
        record(
            f"action server forged tracker, {label}",
            str(answer.status_code),
            answer.status_code == 401,
        )


def probe_web_channel(rasa: str) -> None:
    unsigned = requests.post(
        f"{rasa}/webhooks/web/webhook", json={"user": 1, "message": START}, timeout=30
    )
    record(
        "web channel as user 1, unsigned", str(unsigned.status_code), unsigned.status_code == 401
    )
    as_rest = requests.post(
        f"{rasa}/webhooks/rest/webhook", json={"sender": "web:1", "message": START}, timeout=30
    )
    record(
        "REST sender 'web:1' (a web user's conversation)",
        str(as_rest.status_code),
        as_rest.status_code == 400,
    )


def _sign_in(web: str, session: requests.Session, username: str, password: str) -> int:
    page = session.get(f"{web}/login", timeout=30).text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    answer = session.post(
        f"{web}/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code


def create_admin(workdir: Path, username: str, password: str) -> None:
    """An account made the way the README says (`make admin`), in the probed bot's database."""
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{workdir / 'probe.db'}",
        "SALESCOACH_ADMIN_PASSWORD": password,
    }
    subprocess.run(
        [sys.executable, "-m", "webapp", "create-admin", username],
        cwd=ROOT, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def probe_passwords(web: str, workdir: Path) -> None:
    for username, password in OLD_PUBLISHED.items():
        status = _sign_in(web, requests.Session(), username, password)
        record(f"published password {username}/{password}", str(status), status != 302)
    create_admin(workdir, "probe-admin", "the-right-password-1")
    statuses = [
        _sign_in(web, requests.Session(), "probe-admin", f"wrong-{n}")
        for n in range(WRONG_PASSWORDS)
    ]
    locked_from = next((n + 1 for n, s in enumerate(statuses) if s == 429), None)
    record(
        f"{WRONG_PASSWORDS} wrong passwords in a row",
        f"{statuses.count(200)} x 200 (wrong), {statuses.count(429)} x 429 (locked)"
        f" from attempt {locked_from}",
        locked_from is not None and locked_from <= 6,
    )
    right = _sign_in(web, requests.Session(), "probe-admin", "the-right-password-1")
    record(
        "then the right password",
        f"{right} (still locked)" if right == 429 else str(right),
        right == 429,
    )


def probe_the_way_in(web: str, workdir: Path) -> None:
    """The control: a signed-in user's chat still reaches the customer through every lock."""
    create_admin(workdir, "probe-user", "another-right-password")
    session = requests.Session()
    _sign_in(web, session, "probe-user", "another-right-password")
    page = session.get(f"{web}/practice", timeout=30).text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    answer = session.post(
        f"{web}/practice/send",
        json={"start": {"scenario": "inkjet_factory", "persona": "owl"}},
        headers={"X-CSRFToken": token},
        timeout=60,
    )
    replies = answer.json().get("replies") or []
    started = answer.ok and any("对练开始" in reply["text"] for reply in replies)
    record("signed-in web chat starts a role-play (control)", str(answer.status_code), started)


def main() -> int:
    model = current_model()
    if not model.is_file():
        print(f"no model at {model}: run `make train` first", file=sys.stderr)
        return 2
    rasa_port, web_port = free_port(), free_port()
    with (
        tempfile.TemporaryDirectory() as directory,
        make_run(model, Path(directory), rasa_port, web_port) as pid,
    ):
        print("listening (all of make run's processes):")
        for process, addresses in sorted(listening(descendants(pid)).items()):
            if addresses:
                public = [a for a in addresses if not a.startswith(("127.", "::1"))]
                record(f"{command_of(process)} (pid {process})", ", ".join(addresses), not public)
        rasa, web = f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}"
        print("doors:")
        probe_api(rasa)
        probe_action_server()
        probe_web_channel(rasa)
        probe_the_way_in(web, Path(directory))  # first: the guessing below locks this address
        probe_passwords(web, Path(directory))
    shut = sum(ok for _, _, ok in rows)
    print(f"\n{shut} of {len(rows)} doors shut")
    return 0 if shut == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
