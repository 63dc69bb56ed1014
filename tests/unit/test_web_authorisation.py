"""Every endpoint for every kind of visitor, against a real SQLite database: anonymous visitors
are sent to the sign-in page (JSON endpoints: 401), roles and teams are enforced (403), and
what is allowed works (200, or the redirect that follows a successful form)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from tests.support.web import PEOPLE, WebWorld, build_world, csrf_token, sign_in

ANONYMOUS = "anonymous"
VISITORS = [ANONYMOUS, *PEOPLE]
SESSION_TEAM = {"own": "east", "other": "south"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # "{session}" and "{user}" are filled in
    allowed: str  # "signed_in", "reviewer" (trainer, admin) or "admin"
    success: int  # the answer when allowed
    per_session: bool = False
    json: bool = False
    form: dict | None = None

    def id(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/practice", "signed_in", 200),
    # An empty message: allowed visitors get the validation answer, never reaching Rasa.
    Endpoint("POST", "/practice/send", "signed_in", 400, json=True, form={"message": ""}),
    Endpoint("GET", "/history", "signed_in", 200),
    Endpoint("GET", "/sessions/{session}/report", "signed_in", 200, per_session=True),
    Endpoint("GET", "/trainer/sessions", "reviewer", 200),
    Endpoint("GET", "/trainer/sessions.csv", "reviewer", 200),
    Endpoint("GET", "/trainer/dashboard", "reviewer", 200),
    Endpoint("GET", "/trainer/sessions/{session}", "reviewer", 200, per_session=True),
    Endpoint("GET", "/trainer/sessions/{session}/print", "reviewer", 200, per_session=True),
    Endpoint(
        "POST",
        "/trainer/sessions/{session}/comments",
        "reviewer",
        302,
        per_session=True,
        form={"text": "开场很自然。"},
    ),
    Endpoint(
        "POST",
        "/trainer/sessions/{session}/overrides",
        "reviewer",
        302,
        per_session=True,
        form={"dimension": "spin", "score": "70", "reason": "暗示问题还可以更深入。"},
    ),
    Endpoint("GET", "/admin/users", "admin", 200),
    Endpoint(
        "POST",
        "/admin/users",
        "admin",
        302,
        form={"username": "new-rep", "password": "new-password-1", "role": "rep", "team": ""},
    ),
    Endpoint("POST", "/admin/users/{user}", "admin", 302, form={"role": "rep", "team": ""}),
    Endpoint("GET", "/admin/teams", "admin", 200),
    Endpoint("POST", "/admin/teams", "admin", 302, form={"name": "华北"}),
    Endpoint("GET", "/admin/scenarios", "admin", 200),
    # An invalid file: the admin gets the page back with the errors listed.
    Endpoint("POST", "/admin/scenarios", "admin", 200, form={"file": b"id: [broken"}),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory, scorer) -> WebWorld:
    return build_world(tmp_path_factory.mktemp("web"), scorer)


@pytest.fixture(scope="module")
def clients(world) -> Iterator[dict[str, FlaskClient]]:
    yield {
        visitor: sign_in(world.app, None if visitor == ANONYMOUS else visitor)
        for visitor in VISITORS
    }


def _visible(visitor: str, target: str) -> bool:
    role, team = PEOPLE[visitor]
    return role == "admin" or team == SESSION_TEAM[target]


def expected(endpoint: Endpoint, visitor: str, target: str | None) -> int:
    if visitor == ANONYMOUS:
        return 401 if endpoint.json else 302
    role = PEOPLE[visitor][0]
    permitted = {
        "signed_in": True,
        "reviewer": role in ("trainer", "admin"),
        "admin": role == "admin",
    }[endpoint.allowed]
    if not permitted or (target is not None and not _visible(visitor, target)):
        return 403
    return endpoint.success


CASES = [
    pytest.param(endpoint, visitor, target, id=f"{endpoint.id()}-{visitor}-{target or ''}")
    for endpoint in ENDPOINTS
    for visitor in VISITORS
    for target in (["own", "other"] if endpoint.per_session else [None])
]


@pytest.mark.parametrize(("endpoint", "visitor", "target"), CASES)
def test_endpoint(world, clients, endpoint: Endpoint, visitor: str, target: str | None) -> None:
    client = clients[visitor]
    path = endpoint.path.format(
        session=world.own_session if target == "own" else world.other_session,
        user=world.users["other_rep"],
    )
    token = csrf_token(client, "/login")
    if endpoint.method == "GET":
        response = client.get(path)
    elif endpoint.json:
        response = client.post(path, json=endpoint.form, headers={"X-CSRFToken": token})
    else:
        data = {
            key: (io.BytesIO(value), "broken.yml") if isinstance(value, bytes) else value
            for key, value in endpoint.form.items()
        }
        if "username" in data:  # a new name each time, so the admin's attempt can succeed
            data["username"] = f"new-{visitor}"
        response = client.post(path, data={**data, "csrf_token": token})
    want = expected(endpoint, visitor, target)
    assert response.status_code == want, response.get_data(as_text=True)[:500]
    location = response.headers.get("Location", "")
    if visitor == ANONYMOUS and want == 302:
        assert location.startswith("/login?next=")
    elif want == 302:
        assert not location.startswith("/login"), "an allowed form must not bounce to sign-in"
    if want == 401:
        assert response.get_json() == {"error": "请先登录。"}


@pytest.mark.parametrize("visitor", VISITORS)
def test_missing_sessions_and_sign_in_out(world, visitor: str) -> None:
    """Unknown sessions are 404 for whoever may look at sessions; sign-out ends the session."""
    client = sign_in(world.app, None if visitor == ANONYMOUS else visitor)
    report, transcript = client.get("/sessions/nope/report"), client.get("/trainer/sessions/nope")
    if visitor == ANONYMOUS:
        assert report.status_code == transcript.status_code == 302
        assert client.get("/login").status_code == 200
        return
    assert report.status_code == 404
    assert transcript.status_code == (404 if PEOPLE[visitor][0] != "rep" else 403)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/practice")})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/practice").status_code == 302
