"""A web app on a real SQLite database with two teams, their trainers and reps, an admin and
one finished session per team, and signed-in test clients (CSRF protection left on)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from bot.scoring import Scorer
from harness.rasa_processes import free_port
from harness.web_sample_data import CONSULTATIVE, PITCHING, scored_visit, store_visit
from webapp import create_app
from webapp.services import services

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PASSWORD = "test-password-1"
# name: (role, team)
PEOPLE = {
    "rep": ("rep", "east"),
    "other_rep": ("rep", "south"),
    "trainer": ("trainer", "east"),
    "other_trainer": ("trainer", "south"),
    "admin": ("admin", None),
}


@dataclass
class WebWorld:
    app: Flask
    users: dict[str, int]
    teams: dict[str, int]
    own_session: str  # the east rep's, seen by the east trainer
    other_session: str  # the south rep's


def build_world(directory: Path, scorer: Scorer) -> WebWorld:
    # Nothing listens on the Rasa port: chat messages that get past validation answer 502.
    app = create_app(
        f"sqlite:///{directory / 'web.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        web_chat_secret="test-chat-secret",
        secret_key="test-secret",
    )
    with app.app_context():
        accounts, storage = services().accounts, services().storage
        teams = {"east": accounts.create_team("华东"), "south": accounts.create_team("华南")}
        users = {
            name: accounts.create_user(
                name, name.replace("_", " ").title(), PASSWORD, role, teams.get(team)
            )
            for name, (role, team) in PEOPLE.items()
        }
        store_visit(
            storage, users["rep"], "east-session", scored_visit(scorer, "tiger", CONSULTATIVE)
        )
        store_visit(
            storage, users["other_rep"], "south-session", scored_visit(scorer, "owl", PITCHING)
        )
    return WebWorld(app, users, teams, "east-session", "south-session")


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path)
    return CSRF_META.search(page.get_data(as_text=True)).group(1)


def sign_in(app: Flask, username: str | None, password: str = PASSWORD) -> FlaskClient:
    """A client signed in as `username` (anonymous for None)."""
    client = app.test_client()
    if username is not None:
        response = client.post(
            "/login",
            data={"csrf_token": csrf_token(client), "username": username, "password": password},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    return client
