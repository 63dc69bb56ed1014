"""Start the bot the way `make run` does (scripts/run.sh with its defaults) and see what it
listens on: for `make probe` and for the test that `make run` works as the README says."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from harness.rasa_processes import ROOT

ACTIONS_PORT = 5055  # fixed in endpoints.yml
OUR_SECRETS = ("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "WEB_CHAT_SECRET")


def listening(pids: set[int]) -> dict[int, list[str]]:
    """The TCP addresses each process listens on, read from /proc (no ss or lsof needed)."""
    sockets: dict[str, str] = {}
    for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # LISTEN
                continue
            address, port = fields[1].split(":")
            sockets[fields[9]] = f"{_address(address, family)}:{int(port, 16)}"
    found: dict[int, list[str]] = {}
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        inodes = [m.group(1) for link in links if (m := re.fullmatch(r"socket:\[(\d+)\]", link))]
        found[pid] = sorted({sockets[inode] for inode in inodes if inode in sockets})
    return found


def _address(hex_address: str, family: int) -> str:
    """/proc/net/tcp{,6} writes addresses as 32-bit words in host (little-endian) order."""
    words = [hex_address[i : i + 8] for i in range(0, len(hex_address), 8)]
    raw = b"".join(bytes.fromhex(word)[::-1] for word in words)
    return socket.inet_ntop(socket.AF_INET if family == 4 else socket.AF_INET6, raw)


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, stack = set(), [pid]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children.get(current, []))
    return found


def command_of(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [word.decode(errors="replace") for word in raw if word]
    return " ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words[:4]))


@contextmanager
def make_run(model: Path, workdir: Path, rasa_port: int, web_port: int) -> Iterator[int]:
    """scripts/run.sh on a fresh SQLite database in `workdir`, up when Rasa, the action
    server and the web app all answer; yields run.sh's process id."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in OUR_SECRETS  # as on a fresh machine: run.sh makes its own
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{workdir / 'probe.db'}",
        "RASA_PORT": str(rasa_port),
        "WEB_PORT": str(web_port),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    log = (workdir / "run.log").open("w")
    process = subprocess.Popen(
        ["bash", "scripts/run.sh", str(model)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError((workdir / "run.log").read_text()[-3000:])
            try:
                up = requests.get(f"http://127.0.0.1:{rasa_port}/", timeout=2).ok
                up = up and requests.get(f"http://127.0.0.1:{web_port}/login", timeout=2).ok
                up = up and requests.get(f"http://127.0.0.1:{ACTIONS_PORT}/health", timeout=2).ok
                if up:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            raise RuntimeError("make run did not come up in 300 s")
        yield process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
