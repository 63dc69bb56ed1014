"""What the pages do, through Flask's test client on a real SQLite database: security settings
(cookie, CSRF), the trainer's list, CSV, transcript, comments and overrides, the rep's report
and progress, and the admin's users and scenario uploads."""

from __future__ import annotations

import csv
import io
import re

import pytest

from bot.practice.scenarios import DEFAULT_DIRECTORY
from tests.support.web import PASSWORD, build_world, csrf_token, sign_in


@pytest.fixture
def world(tmp_path, scorer):
    return build_world(tmp_path, scorer)


def test_session_cookie_csrf_and_sign_in(world) -> None:
    client = world.app.test_client()
    token = csrf_token(client)
    wrong = client.post("/login", data={"csrf_token": token, "username": "rep", "password": "x"})
    assert wrong.status_code == 200 and "用户名或密码不正确" in wrong.get_data(as_text=True)
    # No token: refused, even with the right password.
    refused = client.post("/login", data={"username": "rep", "password": PASSWORD})
    assert refused.status_code == 400
    response = client.post(
        "/login?next=//evil.example/",
        data={"csrf_token": token, "username": "rep", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/practice"  # never off-site after sign-in
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    # The JSON chat endpoint wants the token in X-CSRFToken.
    assert client.post("/practice/send", json={"message": "你好"}).status_code == 400
    unreachable = client.post(
        "/practice/send",
        json={"message": "你好"},
        headers={"X-CSRFToken": csrf_token(client, "/practice")},
    )
    assert unreachable.status_code == 502 and "连接不上" in unreachable.get_json()["error"]
    # Anonymous API calls hear "sign in", token or not.
    anonymous = world.app.test_client().post("/practice/send", json={"message": "你好"})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"] == "请先登录。"
    deep = world.app.test_client().get("/trainer/sessions?persona=owl")
    assert deep.headers["Location"] == "/login?next=/trainer/sessions?persona%3Dowl"


def test_trainer_reviews_comments_and_overrides(world) -> None:
    trainer = sign_in(world.app, "trainer")
    listing = trainer.get("/trainer/sessions").get_data(as_text=True)
    assert "Rep" in listing and "Other Rep" not in listing  # only his team
    page = trainer.get(f"/trainer/sessions/{world.own_session}").get_data(as_text=True)
    assert "难点问题" in page and "SPIN提问 +6" in page
    assert "<svg" in page  # radar
    turn_id = re.findall(r'name="turn_id" value="(\d+)"', page)[5]
    token = csrf_token(trainer, "/trainer/sessions")
    saved = trainer.post(
        f"/trainer/sessions/{world.own_session}/comments",
        data={"csrf_token": token, "turn_id": turn_id, "text": "这里可以再追问影响。"},
    )
    assert saved.headers["Location"].endswith("#turn-5")
    trainer.post(
        f"/trainer/sessions/{world.own_session}/overrides",
        data={"csrf_token": token, "dimension": "spin", "score": "55", "reason": "问题太浅"},
    )
    page = trainer.get(f"/trainer/sessions/{world.own_session}").get_data(as_text=True)
    assert "这里可以再追问影响。" in page and "理由:问题太浅" in page and "Trainer" in page
    # The rep reads the comment and both scores on his report.
    report = sign_in(world.app, "rep").get(f"/sessions/{world.own_session}/report")
    text = report.get_data(as_text=True)
    assert "这里可以再追问影响。" in text and "培训师修订后" in text and "<svg" in text
    bad = trainer.post(
        f"/trainer/sessions/{world.own_session}/overrides",
        data={"csrf_token": token, "dimension": "spin", "score": "150", "reason": "x"},
        follow_redirects=True,
    )
    assert "0 到 100" in bad.get_data(as_text=True)


def test_csv_export_follows_the_filter_and_opens_in_excel(world) -> None:
    admin = sign_in(world.app, "admin")
    response = admin.get("/trainer/sessions.csv?persona=owl")
    body = response.data
    assert body.startswith("\ufeff".encode()) and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["开始时间(北京时间)", "学员", "团队"] and "SPIN提问" in rows[0]
    assert len(rows) == 2 and rows[1][1] == "Other Rep" and rows[1][4].startswith("猫头鹰")
    listing = admin.get("/trainer/sessions?persona=owl&score_min=abc").get_data(as_text=True)
    assert "Other Rep" in listing and "部分筛选条件无效" in listing
    assert "导出 CSV" in listing and "persona=owl" in listing


def test_rep_history_progress_dashboard_and_print(world) -> None:
    rep = sign_in(world.app, "rep")
    history = rep.get("/history").get_data(as_text=True)
    assert world.own_session in history and "再完成一场对练" in history
    trainer = sign_in(world.app, "trainer")
    board = trainer.get("/trainer/dashboard").get_data(as_text=True)
    assert "1</strong> 场完成的对练" in board and "最需要加强" in board
    printable = trainer.get(f"/trainer/sessions/{world.own_session}/print").get_data(as_text=True)
    assert "print.css" in printable and "逐句记录" in printable and "<textarea" not in printable
    # every strength and improvement quotes the rep's own line it is about
    assert 'class="quote">第' in printable


def test_admin_manages_users_teams_and_scenario_uploads(world) -> None:
    admin = sign_in(world.app, "admin")
    token = csrf_token(admin, "/admin/users")
    admin.post("/admin/teams", data={"csrf_token": token, "name": "华北"})
    teams = admin.get("/admin/teams").get_data(as_text=True)
    assert "华北" in teams
    team_id = re.search(
        r'<option value="(\d+)">华北</option>', admin.get("/admin/users").get_data(as_text=True)
    ).group(1)
    created = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "zhao",
            "display_name": "赵新人",
            "password": "zhao-pass-1",
            "role": "rep",
            "team": team_id,
        },
        follow_redirects=True,
    )
    assert "已创建用户“zhao”" in created.get_data(as_text=True)
    duplicate = admin.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "username": "zhao",
            "password": "zhao-pass-2",
            "role": "rep",
            "team": "",
        },
    )
    assert "已被使用" in duplicate.get_data(as_text=True)
    zhao = sign_in(world.app, "zhao", "zhao-pass-1")
    assert zhao.get("/trainer/sessions").status_code == 403
    user_id = world.app.extensions["salescoach"].accounts.authenticate("zhao", "zhao-pass-1").id
    admin.post(
        f"/admin/users/{user_id}", data={"csrf_token": token, "role": "trainer", "team": team_id}
    )
    assert zhao.get("/trainer/sessions").status_code == 200  # applies at once
    myself = world.users["admin"]
    kept = admin.post(
        f"/admin/users/{myself}",
        data={"csrf_token": token, "role": "rep", "team": ""},
        follow_redirects=True,
    )
    assert "不能取消自己的管理员角色" in kept.get_data(as_text=True)
    source = (DEFAULT_DIRECTORY / "inkjet_factory.yml").read_bytes()
    broken = admin.post(
        "/admin/scenarios",
        data={"csrf_token": token, "file": (io.BytesIO(b"id: my_case\nname: x\n"), "my_case.yml")},
    )
    page = broken.get_data(as_text=True)
    assert (
        "my_case.yml 没有通过校验" in page
        and "<code>my_case.yml: seeds: field required</code>" in page
    )
    clash = admin.post(
        "/admin/scenarios",
        data={"csrf_token": token, "file": (io.BytesIO(source), "inkjet_factory.yml")},
    )
    assert "与内置场景" in clash.get_data(as_text=True)
    renamed = source.replace(b"id: inkjet_factory", b"id: my_case", 1)
    stored = admin.post(
        "/admin/scenarios",
        data={"csrf_token": token, "file": (io.BytesIO(renamed), "my_case.yml")},
        follow_redirects=True,
    )
    text = stored.get_data(as_text=True)
    assert "已上传,校验通过" in text and "<code>my_case</code>" in text


def test_sign_in_never_redirects_off_site(world) -> None:
    for target in ("//evil.example/", "/\\evil.example/", "https://evil.example/", "/\\/x"):
        client = world.app.test_client()
        response = client.post(
            f"/login?next={target}",
            data={"csrf_token": csrf_token(client), "username": "rep", "password": PASSWORD},
        )
        assert response.headers["Location"] == "/practice", target


@pytest.mark.parametrize("page", ["99999999999999999999", "-5", "0", "abc", "1e9"])
def test_any_page_number_in_a_list_shows_a_page_not_an_error(world, page: str) -> None:
    trainer = sign_in(world.app, "trainer")
    listing = trainer.get(f"/trainer/sessions?page={page}")
    assert listing.status_code == 200 and "Rep" in listing.get_data(as_text=True)
    own = sign_in(world.app, "rep").get(f"/history?page={page}")
    assert own.status_code == 200


def test_a_chat_message_is_cleaned_and_limited_as_on_every_channel(world) -> None:
    client = sign_in(world.app, "rep")
    headers = {"X-CSRFToken": csrf_token(client, "/practice")}
    too_long = client.post("/practice/send", json={"message": "好" * 501}, headers=headers)
    assert too_long.status_code == 400 and "501 个字" in too_long.get_json()["error"]
    blank = client.post("/practice/send", json={"message": "\ud800 \x00"}, headers=headers)
    assert blank.status_code == 400 and blank.get_json()["error"] == "请输入要说的话。"
