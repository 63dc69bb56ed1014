"""The web app's storage on SQLite and, when TEST_POSTGRES_URL is set, PostgreSQL: accounts
with Argon2 passwords and the web chat identity, review queries limited to the viewer's
scope, comments and score overrides kept beside the automatic score, dashboards, progress,
export rows and uploaded scenarios."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from bot.adapters.storage import Storage
from bot.adapters.storage.accounts import DEMO_USERS, WEB_CHANNEL, AccountError, Accounts
from bot.adapters.storage.review import Access, Review, ReviewError, SessionFilter, Viewer
from bot.adapters.storage.scenario_uploads import ScenarioUploads
from bot.methodology import DIMENSIONS
from bot.practice.scenarios import DEFAULT_DIRECTORY, check_scenario_file
from harness.web_sample_data import CONSULTATIVE, PITCHING, scored_visit, store_visit
from tests.unit.test_storage import database  # noqa: F401  (a schema per test on PostgreSQL)

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Beijing


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(database, scorer):  # noqa: F811
    """Two teams: 华东 (trainer t1, reps r1 r2) and 华南 (trainer t2, rep r3); an admin.
    r1 has a good and a poor session a week apart plus an unfinished one, r3 a poor one."""
    clock = Clock()
    accounts = Accounts(database, hasher=FAST, clock=clock)
    east, south = accounts.create_team("华东"), accounts.create_team("华南")
    ids = {
        name: accounts.create_user(name, name.upper(), "password1", role, team)
        for name, role, team in [
            ("t1", "trainer", east),
            ("t2", "trainer", south),
            ("r1", "rep", east),
            ("r2", "rep", east),
            ("r3", "rep", south),
            ("admin", "admin", None),
        ]
    }
    storage = Storage(database, clock=clock)
    good = scored_visit(scorer, "tiger", CONSULTATIVE)
    poor = scored_visit(scorer, "owl", PITCHING)
    store_visit(storage, ids["r1"], "r1-poor", poor)
    clock.now += timedelta(days=7)
    store_visit(storage, ids["r1"], "r1-good", good)
    clock.now += timedelta(hours=1)
    store_visit(storage, ids["r3"], "r3-poor", poor)
    clock.now += timedelta(hours=1)
    store_visit(storage, ids["r1"], "r1-open", good, finished=False)
    review = Review(database, clock=clock)
    teams = {"east": east, "south": south}
    return accounts, review, ids, teams, {"good": good, "poor": poor}, clock


def _viewer(accounts: Accounts, user_id: int) -> Viewer:
    user = accounts.user(user_id)
    return Viewer(user.id, user.role, user.team_id)


def test_passwords_are_argon2_hashes_and_sign_in_checks_them(database) -> None:  # noqa: F811
    accounts = Accounts(database, hasher=FAST)
    team = accounts.create_team("华东")
    user_id = accounts.create_user(" wang ", "王销售", "s3cret-pass", "rep", team)
    with database.transaction() as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM users").scalar()
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
    user = accounts.authenticate("wang", "s3cret-pass")
    assert (user.id, user.display_name, user.role, user.team_name) == (
        user_id,
        "王销售",
        "rep",
        "华东",
    )
    assert accounts.authenticate("wang", "wrong-pass") is None
    assert accounts.authenticate("nobody", "s3cret-pass") is None
    with pytest.raises(AccountError, match="已被使用"):
        accounts.create_user("wang", "", "another-pass", "rep", team)
    with pytest.raises(AccountError, match="至少"):
        accounts.create_user("li", "", "short", "rep", team)
    with pytest.raises(AccountError, match="团队"):
        accounts.create_user("li", "", "long-enough", "rep", 999)
    with pytest.raises(AccountError, match="角色"):
        accounts.create_user("li", "", "long-enough", "boss", team)


def test_a_web_user_owns_his_chat_identity_so_the_bot_finds_him(database) -> None:  # noqa: F811
    accounts = Accounts(database, hasher=FAST)
    user_id = accounts.create_user("wang", "王销售", "s3cret-pass", "rep", None)
    storage = Storage(database)
    assert storage.rep_for(WEB_CHANNEL, str(user_id)) == user_id
    assert len(accounts.users()) == 1  # no stranger created in the default team
    # A user first seen over REST gets a password later: he owns his web identity then too.
    stranger = storage.rep_for("rest", "someone")
    accounts.set_password(stranger, "now-a-web-user")
    assert storage.rep_for(WEB_CHANNEL, str(stranger)) == stranger
    # A REST sender named like the old web ids is somebody else, not that web user.
    assert storage.rep_for("rest", f"web-{user_id}") != user_id


def test_role_and_team_changes(database) -> None:  # noqa: F811
    accounts = Accounts(database, hasher=FAST)
    east, south = accounts.create_team("华东"), accounts.create_team("华南")
    with pytest.raises(AccountError, match="已经存在"):
        accounts.create_team("华东")
    user_id = accounts.create_user("wang", "", "s3cret-pass", "rep", east)
    accounts.update_user(user_id, "trainer", south)
    user = accounts.user(user_id)
    assert (user.role, user.team_name, user.display_name) == ("trainer", "华南", "wang")
    with pytest.raises(AccountError):
        accounts.update_user(user_id + 100, "rep", None)
    assert {(team.name, team.members) for team in accounts.teams()} == {("华东", 0), ("华南", 1)}


def test_demo_users_are_seeded_only_while_nobody_can_sign_in(database) -> None:  # noqa: F811
    Storage(database).rep_for("rest", "chatted-before")  # a user without a password
    accounts = Accounts(database, hasher=FAST)
    passwords = accounts.seed_demo_users()
    demo = DEMO_USERS[3]
    assert accounts.authenticate(demo.username, passwords[demo.username]).team_name == demo.team
    assert accounts.seed_demo_users() == {}
    assert len(accounts.users()) == len(DEMO_USERS) + 1


def test_each_viewer_sees_his_scope_newest_first(world) -> None:
    accounts, review, ids, teams, _visits, _clock = world

    def listed(name: str, where: SessionFilter | None = None) -> list[str]:
        page = review.sessions(_viewer(accounts, ids[name]), where or SessionFilter())
        return [row.id for row in page.rows]

    assert listed("r1") == ["r1-open", "r1-good", "r1-poor"]
    assert listed("r2") == []
    assert listed("t1") == ["r1-open", "r1-good", "r1-poor"]
    assert listed("t2") == ["r3-poor"]
    assert listed("admin") == ["r1-open", "r3-poor", "r1-good", "r1-poor"]
    # A filter cannot widen the scope: a trainer asking for the other team gets nothing.
    assert listed("t2", SessionFilter(team_id=teams["east"])) == []
    assert listed("r1", SessionFilter(rep_id=ids["r3"])) == []
    access = {
        (name, session): review.access(_viewer(accounts, ids[name]), session)
        for name in ("r1", "r2", "t1", "t2", "admin")
        for session in ("r1-good", "r3-poor")
    }
    assert access[("r1", "r1-good")] is Access.ALLOWED
    assert access[("r1", "r3-poor")] is Access.FORBIDDEN
    assert access[("r2", "r1-good")] is Access.FORBIDDEN  # a teammate is not a trainer
    assert access[("t1", "r1-good")] is Access.ALLOWED
    assert access[("t1", "r3-poor")] is Access.FORBIDDEN
    assert access[("t2", "r3-poor")] is Access.ALLOWED
    assert access[("admin", "r1-good")] is access[("admin", "r3-poor")] is Access.ALLOWED
    assert review.access(_viewer(accounts, ids["admin"]), "nope") is Access.MISSING


def test_filters_and_pages(world) -> None:
    accounts, review, ids, teams, visits, _clock = world
    admin = _viewer(accounts, ids["admin"])

    def listed(**where) -> list[str]:
        return [row.id for row in review.sessions(admin, SessionFilter(**where)).rows]

    good, poor = visits["good"].report["overall"], visits["poor"].report["overall"]
    assert good > poor
    assert listed(persona="owl") == ["r3-poor", "r1-poor"]
    assert listed(scenario_id="bank_cash") == []
    assert listed(score_min=good) == ["r1-good"]
    assert listed(score_max=poor) == ["r3-poor", "r1-poor"]
    assert listed(team_id=teams["south"]) == ["r3-poor"]
    assert listed(rep_id=ids["r1"], started_before=START + timedelta(days=1)) == ["r1-poor"]
    assert listed(started_from=START + timedelta(days=7)) == ["r1-open", "r3-poor", "r1-good"]
    first, second = (review.sessions(admin, SessionFilter(), page, per_page=3) for page in (1, 2))
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (4, 2, 3, 1)
    row = first.rows[1]
    assert (row.id, row.rep_name, row.team_name, row.outcome) == ("r3-poor", "R3", "华南", "lost")
    assert row.rep_turns == len(PITCHING) and row.started_at.tzinfo is not None
    assert first.rows[0].overall is None and first.rows[0].outcome is None  # still going


def test_transcript_comments_and_overrides_keep_the_automatic_score(world) -> None:
    accounts, review, ids, _teams, visits, clock = world
    detail = review.detail("r1-good")
    assert [turn.speaker for turn in detail.turns[:3]] == ["customer", "rep", "customer"]
    third = detail.turns[5]
    assert (third.move, third.step, third.changes["spin"]) == ("ask_problem", "discovery", 6)
    assert third.feedback.startswith("做得好")
    automatic = visits["good"].report["dimensions"]["spin"]["score"]
    assert detail.score("spin") == automatic
    review.add_comment("r1-good", ids["t1"], "  问得好,再追问一句影响。 ", third.id)
    review.add_comment("r1-good", ids["t1"], "整体节奏不错", None)
    with pytest.raises(ReviewError):
        review.add_comment("r3-poor", ids["t2"], "错的场次", third.id)
    with pytest.raises(ReviewError):
        review.add_comment("r1-good", ids["t1"], "   ", None)
    review.add_override("r1-good", ids["t1"], "spin", 70, "顺序对,但暗示问题太浅")
    clock.now += timedelta(minutes=5)
    review.add_override("r1-good", ids["admin"], "spin", 75, "复核后上调")
    for bad in [("spin", 101, "x"), ("spin", 50, " "), ("charm", 50, "x")]:
        with pytest.raises(ReviewError):
            review.add_override("r1-good", ids["t1"], *bad)
    with pytest.raises(ReviewError, match="没有结束"):
        review.add_override("r1-open", ids["t1"], "spin", 50, "还在进行")
    detail = review.detail("r1-good")
    assert [c.text for c in detail.turns[5].comments] == ["问得好,再追问一句影响。"]
    assert [(c.author, c.text) for c in detail.comments] == [("T1", "整体节奏不错")]
    history = detail.overrides["spin"]
    assert [(o.automatic, o.score, o.author) for o in history] == [
        (automatic, 70, "T1"),
        (automatic, 75, "ADMIN"),
    ]
    assert detail.report["dimensions"]["spin"]["score"] == automatic  # never replaced
    assert detail.score("spin") == 75
    admin = _viewer(accounts, ids["admin"])
    (row,) = [row for row in review.export(admin, SessionFilter()) if row.session.id == "r1-good"]
    assert row.dimensions["spin"] == 75 and row.session.overridden
    listed = review.sessions(admin, SessionFilter(rep_id=ids["r1"])).rows
    assert [(r.id, r.comments, r.overridden) for r in listed][1] == ("r1-good", 2, True)
    assert review.progress(ids["r1"])[-1].dimensions["spin"] == 75


def test_dashboard_progress_and_chat_feedback(world, database) -> None:  # noqa: F811
    _accounts, review, ids, teams, visits, _clock = world
    good, poor = visits["good"].report, visits["poor"].report
    board = review.dashboard(teams["east"])
    assert (board.sessions, board.reps) == (2, 1)
    assert board.overall == round((good["overall"] + poor["overall"]) / 2, 1)
    assert [week.sessions for week in board.weeks] == [1, 1]
    assert board.weeks[0].starts.isoformat() == "2026-11-02"
    observed = {key: value for key, value in board.averages.items() if value is not None}
    assert board.weakest[0] == min(observed, key=observed.get) and len(board.weakest) == 3
    assert review.dashboard(None).sessions == 3
    points = review.progress(ids["r1"])
    assert [point.session_id for point in points] == ["r1-poor", "r1-good"]
    assert set(points[0].dimensions) == set(DIMENSIONS)
    # The chat reads the assessment the action server wrote for the newest turn.
    before = review.newest_rep_turn_id(ids["r1"])
    assert review.feedback_after(ids["r1"], before) is None
    found = review.feedback_after(ids["r1"], 0)
    assert found.session_id == "r1-open" and found.move == "propose_next_step"
    latest = review.latest_session(ids["r1"], f"sample-{ids['r1']}")
    assert latest.id == "r1-open" and latest.ended_at is None


def test_uploaded_scenarios_are_validated_like_the_folder_and_kept(database, methodology) -> None:  # noqa: F811
    source = (DEFAULT_DIRECTORY / "inkjet_factory.yml").read_bytes()
    renamed = source.replace(b"id: inkjet_factory", b"id: inkjet_copy", 1)
    scenario, errors = check_scenario_file(methodology, "inkjet_copy.yml", renamed)
    assert errors == [] and scenario.id == "inkjet_copy"
    _, errors = check_scenario_file(methodology, "wrong_name.yml", renamed)
    assert errors == ["wrong_name.yml: id: must match the file name (inkjet_copy.yml)"]
    _, errors = check_scenario_file(methodology, "broken.yml", b"id: broken\nname: [oops\n")
    assert errors[0].startswith("broken.yml: not valid YAML") and any("line" in e for e in errors)
    _, errors = check_scenario_file(methodology, "thin.yml", b"id: thin\nname: x\n")
    assert "thin.yml: seeds: field required" in errors and len(errors) > 5
    _, errors = check_scenario_file(methodology, "notes.txt", b"")
    assert errors[0].startswith("notes.txt:")
    admin = Accounts(database, hasher=FAST).create_user(
        "admin", "管理员", "password1", "admin", None
    )
    uploads = ScenarioUploads(database)
    assert uploads.save("inkjet_copy", scenario.name, renamed.decode(), admin) is True
    assert uploads.save("inkjet_copy", "新名字", renamed.decode(), admin) is False
    (stored,) = uploads.all()
    assert (stored.id, stored.name, stored.uploaded_by) == ("inkjet_copy", "新名字", "管理员")
    assert "\nid: inkjet_copy\n" in stored.source
