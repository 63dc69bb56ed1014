"""Benchmark the running bot over real HTTP: NLU parse and a full coach turn.

Starts the Rasa server and the action server with the current model, warms them up, then
sends the held-out sentences one at a time to /model/parse and to the REST webhook.
Prints median, p95 and throughput; nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

from harness.rasa_processes import ROOT, current_model, running_servers


def sentences() -> list[str]:
    data = yaml.safe_load((ROOT / "tests/nlu/heldout.yml").read_text(encoding="utf-8"))
    return [
        line.strip()[2:]
        for item in data["nlu"]
        for line in item["examples"].splitlines()
        if line.strip()
    ]


def measure(label: str, send, texts: list[str]) -> None:
    timings = []
    started = time.perf_counter()
    for text in texts:
        begin = time.perf_counter()
        send(text)
        timings.append((time.perf_counter() - begin) * 1000)
    elapsed = time.perf_counter() - started
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"{label:18s} n={len(timings):4d}  median {statistics.median(timings):6.1f} ms"
        f"  p95 {p95:6.1f} ms  throughput {len(timings) / elapsed:6.1f}/s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=300, help="requests per measurement")
    options = parser.parse_args()
    model = current_model()
    if not model.is_file():
        print(f"no model at {model}: run `make train` first", file=sys.stderr)
        return 2
    texts = (sentences() * (options.n // len(sentences()) + 1))[: options.n]
    with tempfile.TemporaryDirectory() as workdir, running_servers(model, Path(workdir)) as servers:
        url, parse_url = servers.url, servers.api("/model/parse")
        session = requests.Session()

        def parse(text: str) -> None:
            session.post(parse_url, json={"text": text}, timeout=60).raise_for_status()

        def turn(text: str) -> None:
            body = {"sender": "bench", "message": text}
            session.post(f"{url}/webhooks/rest/webhook", json=body, timeout=60).raise_for_status()

        for text in texts[:20]:
            parse(text)
            turn(text)
        measure("/model/parse", parse, texts)
        measure("REST webhook turn", turn, texts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
