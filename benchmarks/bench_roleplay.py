"""Benchmark concurrent role-plays over the REST webhook against the real servers.

For each N (default 1, 10, 50), N reps start a role-play at the same time (rotating through
the scenarios and personas) and each says the same eight-sentence consultative visit, every
sentence sent as soon as the previous reply arrived. Prints per-turn latency p50/p95,
throughput, the ratio of p50 turn latency to a bare /model/parse call measured in the same
run, the CPU each server spent per message (from /proc, the figure to compare across runs on
a machine whose speed drifts), the resident memory of both servers, and as a floor the p95 of
N clients sending only /model/parse at once.

Before those levels it times the first role-play after start-up against the same role-play
once the servers are warm, and plays --visits role-plays of --visit rep questions each (100 by
default), one rep at a time: p50 and CPU per message of each server for every tenth of the
visit, beside the bare /model/parse p50 of the same run, so a turn that costs more as the
visit grows shows. Nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from harness.rasa_processes import Servers, current_model, running_servers

SCENARIOS = (
    "inkjet_factory",
    "telecom_lines",
    "corporate_banking",
    "software_integration",
    "luxury_jewellery",
)
PERSONAS = ("tiger", "peacock", "owl", "koala")
REP_TURNS = (
    "您好,我是小李,感谢您抽时间见我。",
    "听说贵公司今年业务增长很快,真不容易。",
    "现在这块业务大概是怎么安排的?",
    "用下来有没有让您觉得头疼的地方?",
    "这个问题如果一直拖着,对成本和交期会有什么影响?",
    "如果能把这个问题解决掉,对您来说意味着什么?",
    "我确认一下,您最关心的是稳定和成本,对吗?",
    "那我们下周二带方案过来给您详细演示,您看可以吗?",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))]


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process and its children (Sanic workers) from /proc (Linux);
    None where that is not available."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kib) / 1024 + sum(rss_mib(int(child)) or 0 for child in children)


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time of a process and its children (Linux /proc); else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) or 0 for child in children)


def redis_endpoints(host: str, port: int) -> str:
    """Tracker and lock store in Redis: what Rasa needs to run more than one Sanic worker."""
    store = f"  type: redis\n  url: {host}\n  port: {port}\n  db: 2\n"
    return f"tracker_store:\n{store}lock_store:\n{store}"


def rep_session(url: str, sender: str, number: int, timings: list[float]) -> None:
    """One rep: start a role-play, then say REP_TURNS, timing each rep turn."""
    session = requests.Session()
    webhook = f"{url}/webhooks/rest/webhook"
    entities = {"scenario": SCENARIOS[number % 5], "persona": PERSONAS[number % 4]}
    start = "/start_roleplay" + json.dumps(entities)
    session.post(webhook, json={"sender": sender, "message": start}, timeout=120).raise_for_status()
    for text in REP_TURNS:
        begin = time.perf_counter()
        response = session.post(webhook, json={"sender": sender, "message": text}, timeout=120)
        response.raise_for_status()
        timings.append((time.perf_counter() - begin) * 1000)
        if not response.json():
            raise RuntimeError(f"{sender}: no reply to {text!r}")


# Praise and SPIN questions that keep a role-play going (no close, no pitch).
LONG_SESSION_TURNS = REP_TURNS[1:6]
DECILES = 10


def _post(session: requests.Session, webhook: str, sender: str, text: str) -> list[dict]:
    response = session.post(webhook, json={"sender": sender, "message": text}, timeout=120)
    response.raise_for_status()
    return response.json()


def _cpu(servers: Servers) -> dict[str, float | None]:
    return {name: cpu_seconds(pid) for name, pid in servers.pids.items()}


def _cpu_ms_per_message(before: dict, after: dict, messages: int) -> dict[str, float | None]:
    return {
        name: None
        if before[name] is None or after[name] is None
        else (after[name] - before[name]) / messages * 1000
        for name in before
    }


def first_roleplay(servers: Servers, sender: str) -> list[float]:
    """Start a role-play and say REP_TURNS: the time of each message, the start first."""
    session = requests.Session()
    webhook = f"{servers.url}/webhooks/rest/webhook"
    start = "/start_roleplay" + json.dumps({"scenario": SCENARIOS[0], "persona": PERSONAS[0]})
    timings = []
    for text in (start, *REP_TURNS):
        begin = time.perf_counter()
        if not _post(session, webhook, sender, text):
            raise RuntimeError(f"{sender}: no reply to {text!r}")
        timings.append((time.perf_counter() - begin) * 1000)
    return timings


def print_cold_start(cold: list[float], warm: list[float]) -> None:
    """The first role-play after start-up beside a later one with the same lines."""
    print("first role-play after start-up against a warm one (start + 8 rep turns, ms):")
    for label, timings in (("first", cold), ("warm", warm)):
        print(
            f"  {label:5s}  start {timings[0]:7.1f}  first turn {timings[1]:7.1f}"
            f"  max {max(timings):7.1f}  total {sum(timings):7.1f}"
        )
    print(
        f"  first / warm: total {sum(cold) / sum(warm):.2f}x,"
        f" slowest message {max(cold) / max(warm):.2f}x (target: within 1.5x)"
    )


# Actions Rasa runs itself; every other action is a call to the action server.
RASA_OWN_ACTIONS = ("action_listen", "action_session_start")


def _action_calls_per_message(events: list[dict]) -> float:
    """Calls to the action server per user message, from a tracker's events."""
    messages = sum(1 for event in events if event["event"] == "user")
    calls = sum(
        1
        for event in events
        if event["event"] == "action"
        and event["name"] not in RASA_OWN_ACTIONS
        and not event["name"].startswith("utter_")
    )
    return calls / max(messages, 1)


def long_visits(servers: Servers, run_id: str, turns: int, visits: int, parse: float) -> None:
    """`visits` role-plays of `turns` rep questions each, one after another; prints p50 and
    the CPU each server spent per message for each tenth of the visit, beside the bare parse."""
    webhook = f"{servers.url}/webhooks/rest/webhook"
    stretch = max(1, turns // DECILES)
    timings: list[list[float]] = [[] for _ in range(DECILES)]
    cpu: list[list[dict]] = [[] for _ in range(DECILES)]
    all_turns: list[float] = []
    slot_bytes, events, payload, calls = 0, 0, 0, 0.0
    for visit in range(visits):
        sender = f"bench-{run_id}-visit-{visit}"
        session = requests.Session()
        start = "/start_roleplay" + json.dumps(
            {"scenario": "corporate_banking", "persona": "koala"}
        )
        _post(session, webhook, sender, start)
        for decile in range(DECILES):
            before = _cpu(servers)
            for number in range(decile * stretch, (decile + 1) * stretch):
                text = LONG_SESSION_TURNS[number % len(LONG_SESSION_TURNS)]
                begin = time.perf_counter()
                _post(session, webhook, sender, text)
                elapsed = (time.perf_counter() - begin) * 1000
                timings[decile].append(elapsed)
                all_turns.append(elapsed)
            cpu[decile].append(_cpu_ms_per_message(before, _cpu(servers), stretch))
        tracker = session.get(servers.api(f"/conversations/{sender}/tracker"), timeout=60).json()
        roleplay = tracker["slots"].get("roleplay")
        if not roleplay:
            raise RuntimeError(f"{sender}: the role-play ended before turn {turns}")
        slot_bytes = len(json.dumps(roleplay, ensure_ascii=False).encode())
        events = len(tracker["events"])
        payload = len(json.dumps(tracker, ensure_ascii=False).encode())
        calls = _action_calls_per_message(tracker["events"])
    print(
        f"{visits} role-play(s) of {turns} rep turns each, one rep at a time; at the last turn"
        f" the role-play slot holds {slot_bytes} bytes; the conversation stored: {events} events"
        f" ({payload / 1024:.0f} KiB as JSON)"
    )
    print(f"  action server calls per message: {calls:.2f}")
    print("  turns     p50 ms  p50/parse  CPU ms/msg rasa  actions")
    for decile in range(DECILES):
        rasa = statistics.mean(c["rasa"] or 0 for c in cpu[decile])
        actions = statistics.mean(c["actions"] or 0 for c in cpu[decile])
        p50 = statistics.median(timings[decile])
        print(
            f"  {decile * stretch + 1:3d}-{(decile + 1) * stretch:3d}  {p50:8.1f}"
            f"  {p50 / parse:8.1f}x  {rasa:15.1f}  {actions:7.1f}"
        )
    overall = statistics.median(all_turns)
    first, last = statistics.median(timings[0]), statistics.median(timings[-1])
    print(f"  bare /model/parse p50 {parse:.1f} ms (same run)")
    print(
        f"  p50 rep turn {overall:.1f} ms = {overall / parse:.1f}x the bare parse (target <= 2x);"
        f" last tenth / first tenth {last / first:.2f}x (target <= 1.2x)"
    )


def parse_p50(servers: Servers, rounds: int = 3) -> float:
    session = requests.Session()
    timings = []
    for text in REP_TURNS * rounds:
        begin = time.perf_counter()
        session.post(
            servers.api("/model/parse"), json={"text": text}, timeout=60
        ).raise_for_status()
        timings.append((time.perf_counter() - begin) * 1000)
    return statistics.median(timings)


def _concurrently(concurrency: int, work) -> float:
    """Run work(number) for each of `concurrency` clients at once; the wall time in seconds."""
    errors: list[BaseException] = []

    def client(number: int) -> None:
        try:
            work(number)
        except Exception as error:  # reported below, not swallowed
            errors.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {concurrency} clients failed: {errors[0]}")
    return time.perf_counter() - started


def run_level(servers: Servers, concurrency: int, run_id: str) -> dict:
    timings: list[float] = []
    cpu_before = {name: cpu_seconds(pid) for name, pid in servers.pids.items()}
    elapsed = _concurrently(
        concurrency,
        lambda n: rep_session(servers.url, f"bench-{run_id}-{concurrency}-{n}", n, timings),
    )
    messages = concurrency * (len(REP_TURNS) + 1)  # the start of each role-play, then its turns
    cpu_ms = {}
    for name, pid in servers.pids.items():
        before, after = cpu_before[name], cpu_seconds(pid)
        cpu_ms[name] = (
            None if before is None or after is None else (after - before) / messages * 1000
        )
    # The floor: the same number of clients sending only /model/parse (no dialogue, no action).
    parse_timings: list[float] = []

    def parse_client(_: int) -> None:
        session = requests.Session()
        for text in REP_TURNS:
            begin = time.perf_counter()
            session.post(servers.api("/model/parse"), json={"text": text}, timeout=120)
            parse_timings.append((time.perf_counter() - begin) * 1000)

    _concurrently(concurrency, parse_client)
    return {
        "n": concurrency,
        "turns": len(timings),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "throughput": len(timings) / elapsed,
        "parse_p95": percentile(parse_timings, 0.95),
        "rss": {name: rss_mib(pid) for name, pid in servers.pids.items()},
        "cpu_ms": cpu_ms,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="1,10,50", help="concurrent role-plays per level")
    parser.add_argument("--model", type=Path, help="model file (default: the current one)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Sanic workers for the Rasa server; more than 1 keeps conversations in Redis",
    )
    parser.add_argument("--redis", default="127.0.0.1:6379", help="host:port for --workers > 1")
    parser.add_argument(
        "--visit", type=int, default=100, metavar="K", help="rep turns of each long role-play"
    )
    parser.add_argument(
        "--visits", type=int, default=3, help="long role-plays, one after another (0: none)"
    )
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="Rasa's in-memory tracker store instead of the project's database (comparison)",
    )
    options = parser.parse_args()
    model = options.model or current_model()
    if not model.is_file():
        print(f"no model at {model}: run `make train` first", file=sys.stderr)
        return 2
    levels = [int(level) for level in options.levels.split(",")]
    run_id = str(int(time.time()))
    in_memory = "tracker_store:\n  type: rasa.core.tracker_store.InMemoryTrackerStore\n"
    extra = in_memory if options.in_memory else ""
    if options.workers > 1:
        host, port = options.redis.split(":")
        extra = redis_endpoints(host, int(port))
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_servers(model, Path(workdir), extra, options.workers) as servers,
    ):
        # Before anything else: the first role-play after start-up, then the same one warm.
        cold = first_roleplay(servers, f"bench-{run_id}-first")
        for number in range(2 * options.workers):  # each worker loads its lazily opened parts
            rep_session(servers.url, f"bench-{run_id}-warmup-{number}", number, [])
        warm = first_roleplay(servers, f"bench-{run_id}-warm")
        print_cold_start(cold, warm)
        if options.visits:
            parse = parse_p50(servers, rounds=10)
            long_visits(servers, run_id, options.visit, options.visits, parse)
        setup = "tracker store: SQLite (the default, DATABASE_URL)"
        if options.in_memory:
            setup = "tracker store: in memory"
        if options.workers > 1:
            setup = "tracker and lock store: Redis"
        print(
            f"role-plays over the REST webhook, {len(REP_TURNS)} rep turns each;"
            f" {options.workers} Rasa worker(s), {setup}"
        )
        print(
            "   N  turns  p50 ms  p95 ms  turns/s  p50/parse  CPU ms/msg rasa  actions"
            "  rasa MiB  actions MiB  parse-only p95 at N"
        )
        for level in levels:
            result = run_level(servers, level, run_id)
            parse = parse_p50(servers)
            rss, cpu = result["rss"], result["cpu_ms"]
            print(
                f"{result['n']:4d} {result['turns']:6d} {result['p50']:7.1f} {result['p95']:7.1f}"
                f" {result['throughput']:8.1f} {result['p50'] / parse:9.1f}x"
                f" {cpu['rasa'] or 0:15.1f} {cpu['actions'] or 0:8.1f}"
                f" {rss['rasa'] or 0:9.0f} {rss['actions'] or 0:12.0f}"
                f" {result['parse_p95']:11.1f} ms   (bare /model/parse p50 {parse:.1f} ms)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
