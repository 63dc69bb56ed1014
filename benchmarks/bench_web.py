"""Web app latency on a realistic database: 10,000 role-play sessions over 26 weeks by 100 reps
in 5 teams (real scored reports and turns; one session of 41 turns), then server time for the
trainer's transcript page of the 41-turn session and for the session list (first page, and a
filtered page), measured through Flask's test client (the whole request inside the app: routing,
queries, templates, charts; no network).

Run: python -m benchmarks.bench_web [--sessions 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.adapters.storage.accounts import WEB_CHANNEL, web_conversation_id
from bot.adapters.storage.schema import (
    roleplay_sessions,
    session_reports,
    teams,
    turn_assessments,
    turns,
    users,
)
from bot.methodology import load_methodology
from bot.scoring import start_scorer
from harness.web_sample_data import CONSULTATIVE, PITCHING, Visit, scored_visit
from webapp import create_app
from webapp.services import services

TEAMS, REPS_PER_TEAM, WEEKS = 5, 20, 26
PASSWORD = "bench-password-1"
LONG_SESSION = "long-session"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _visits() -> list[Visit]:
    scorer = start_scorer(load_methodology())
    personas = ("tiger", "peacock", "owl", "koala")
    return [scored_visit(scorer, p, lines) for p in personas for lines in (CONSULTATIVE, PITCHING)]


def fill(app, sessions: int, seed: int = 7) -> dict[str, int]:
    """Bulk rows, as the action server would have written them over half a year."""
    rng = random.Random(seed)
    visits = _visits()
    long_visit = scored_visit(start_scorer(load_methodology()), "tiger", CONSULTATIVE * 2)
    scenario_ids = list(services().scenarios)
    now = datetime.now(UTC)
    team_rows = [{"id": i + 1, "name": f"团队{i + 1}", "created_at": now} for i in range(TEAMS)]
    rep_rows = [
        {
            "id": 100 + i,
            "username": f"rep{i}",
            "display_name": f"销售{i}",
            "role": "rep",
            "team_id": i % TEAMS + 1,
            "created_at": now,
        }
        for i in range(TEAMS * REPS_PER_TEAM)
    ]
    session_rows, turn_rows, assessment_rows, report_rows = [], [], [], []
    turn_id = 0
    for index in range(sessions):
        session_id = LONG_SESSION if index == sessions // 2 else f"s{index:05d}"
        visit = long_visit if session_id == LONG_SESSION else rng.choice(visits)
        rep = rep_rows[0] if session_id == LONG_SESSION else rng.choice(rep_rows)
        started = now - timedelta(minutes=rng.randrange(WEEKS * 7 * 24 * 60))
        session_rows.append(
            {
                "id": session_id,
                "user_id": rep["id"],
                "conversation_id": web_conversation_id(rep["id"]),
                "channel": WEB_CHANNEL,
                "scenario_id": rng.choice(scenario_ids),
                "persona": visit.persona,
                "seed": index,
                "started_at": started,
                "ended_at": started + timedelta(minutes=15),
                "outcome": visit.outcome,
                "overall": visit.report["overall"],
            }
        )
        rep_index = 0
        for position, turn in enumerate(visit.turns):
            turn_id += 1
            turn_rows.append(
                {
                    "id": turn_id,
                    "session_id": session_id,
                    "position": position,
                    "speaker": turn["speaker"],
                    "text": turn["text"],
                    "move": turn.get("move"),
                    "confidence": turn.get("confidence"),
                    "created_at": started,
                }
            )
            if turn["speaker"] == "rep":
                assessment_rows.append({"turn_id": turn_id, **visit.assessments[rep_index]})
                rep_index += 1
        report = visit.report
        report_rows.append(
            {
                "session_id": session_id,
                "overall": report["overall"],
                "dimensions": {
                    key: (value["score"] if value["observed"] else None)
                    for key, value in report["dimensions"].items()
                },
                "report": report,
                "created_at": started + timedelta(minutes=15),
            }
        )
    with services().database.transaction() as connection:
        connection.execute(teams.insert(), team_rows)
        connection.execute(users.insert(), rep_rows)
        connection.execute(roleplay_sessions.insert(), session_rows)
        connection.execute(turns.insert(), turn_rows)
        connection.execute(turn_assessments.insert(), assessment_rows)
        connection.execute(session_reports.insert(), report_rows)
    accounts = services().accounts
    accounts.create_user("bench_trainer", "培训师", PASSWORD, "trainer", 1)
    accounts.create_user("bench_admin", "管理员", PASSWORD, "admin", None)
    return {
        "sessions": len(session_rows),
        "turns": len(turn_rows),
        "long_turns": len(long_visit.turns),
    }


def measure(client, path: str, requests: int) -> tuple[float, float, int]:
    """p50 and p95 in ms of `requests` GETs after 5 warm-up requests, and the page size."""
    for _ in range(5):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    quantiles = statistics.quantiles(times, n=20)
    return statistics.median(times), quantiles[18], len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(f"sqlite:///{Path(directory) / 'bench.db'}", secret_key="bench")
        with app.app_context():
            started = time.perf_counter()
            counts = fill(app, args.sessions)
            filled = time.perf_counter() - started
        size = (Path(directory) / "bench.db").stat().st_size / 2**20
        print(
            f"database: {counts['sessions']:,} sessions, {counts['turns']:,} turns "
            f"(long session: {counts['long_turns']} turns), {size:.0f} MiB, filled in {filled:.1f}s"
        )
        week_ago = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
        pages = [
            ("trainer", "transcript, 41-turn session", f"/trainer/sessions/{LONG_SESSION}"),
            ("trainer", "session list, first page (team)", "/trainer/sessions"),
            (
                "trainer",
                "session list, filtered (team)",
                f"/trainer/sessions?persona=owl&score_max=60&date_from={week_ago}",
            ),
            ("admin", "session list, first page (all)", "/trainer/sessions"),
            ("admin", "session list, page 200 (all)", "/trainer/sessions?page=200"),
            (
                "admin",
                "session list, filtered (all)",
                f"/trainer/sessions?persona=owl&score_max=60&date_from={week_ago}",
            ),
        ]
        print(f"{args.requests} requests each after 5 warm-up requests (server time, ms):")
        print(f"{'page':40} {'who':8} {'p50':>8} {'p95':>8} {'KiB':>7}")
        for who, name, path in pages:
            client = app.test_client()
            token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
            client.post(
                "/login",
                data={
                    "csrf_token": token,
                    "username": f"bench_{who}",
                    "password": PASSWORD,
                },
            )
            p50, p95, size = measure(client, path, args.requests)
            print(f"{name:40} {who:8} {p50:8.1f} {p95:8.1f} {size / 1024:7.0f}")
        app.extensions["salescoach"].database.close()


if __name__ == "__main__":
    main()
