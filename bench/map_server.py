"""Map elements per second through a running server, on SQLite and on PostgreSQL.

DESIGN's budget for a map over 10,000 elements (over 30,000 elements/s) is stated for the
process executor; `run.py` measures it locally. This script measures the same map launched
through ``updraft serve`` (started by `_server_harness`, fresh home, and for PostgreSQL a
fresh database dropped afterwards): the server's engine runs it on its own warm workers and
records every batch in its database. Per launch of ``bench_workflows.mapped`` over 10,000
numbers, after one untimed launch of 100 that starts the workers:

- ``execution_s``: the execution's ``started_at`` to ``ended_at``, as the server recorded;
- ``map_node_s``: the map node's own ``started_at`` to ``ended_at``;
- ``launch_to_done_s``: from sending the POST until a GET (polled every 10 ms) shows the
  execution ended; it adds converting the 10,000 inputs, the launch and the polling.

Each figure is reported as seconds and elements per second (median of the launches). The
results go to ``bench/map_server_results.json``; ``run.py`` copies them into RESULTS.md.

Usage::

    .venv/bin/python bench/map_server.py                            # both backends, 5 launches
    .venv/bin/python bench/map_server.py --backend sqlite --launches 3 --no-write
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

import _machine
import httpx
from _server_harness import (
    API,
    BENCH_DIR,
    DOMAIN,
    MAPPED,
    PROJECT,
    VERSION,
    register_workflows,
    running_server,
)

RESULTS_FILE = BENCH_DIR / "map_server_results.json"
ELEMENTS = 10_000
WARM_UP_ELEMENTS = 100
BUDGET_PER_S = 30_000
_ENDED = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}
_POLL_S = 0.01
_TIMEOUT_S = 600.0


class MapServerError(RuntimeError):
    """A launch failed or did not do the work the figure counts."""


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _launch(client: httpx.Client, elements: int) -> tuple[dict[str, Any], float]:
    """Launch the map over ``elements`` numbers and wait until it ended.

    Returns:
        The execution's document, and seconds from sending the POST to seeing it ended.

    Raises:
        MapServerError: the launch was refused, the execution did not succeed in time, or
            its map node does not count ``elements`` succeeded elements.
    """
    body = {"project": PROJECT, "domain": DOMAIN, "workflow": MAPPED, "version": VERSION,
            "inputs": {"xs": list(range(elements))}}
    began = time.perf_counter()
    created = client.post("/executions", json=body)
    if created.status_code != 201:
        raise MapServerError(f"launching {MAPPED} answered {created.status_code}: "
                             f"{created.text[:500]}")
    execution_id = created.json()["execution"]["id"]
    deadline = began + _TIMEOUT_S
    while True:
        document: dict[str, Any] = client.get(f"/executions/{execution_id}").json()
        if document["execution"]["phase"] in _ENDED:
            break
        if time.perf_counter() > deadline:
            raise MapServerError(f"execution {execution_id} of {MAPPED} did not end within "
                                 f"{_TIMEOUT_S:.0f} s (phase {document['execution']['phase']})")
        time.sleep(_POLL_S)
    waited = time.perf_counter() - began
    phase = document["execution"]["phase"]
    counts = document["nodes"][0].get("elements") or {}
    if phase != "SUCCEEDED" or counts.get("succeeded") != elements:
        raise MapServerError(f"execution {execution_id} of {MAPPED} ended {phase} with element "
                             f"counts {counts}; expected SUCCEEDED with {elements} succeeded")
    return document, waited


def _span(record: dict[str, Any]) -> float:
    return _instant(record["ended_at"]) - _instant(record["started_at"])


def _figure(seconds: list[float]) -> dict[str, Any]:
    median = statistics.median(seconds)
    return {"median_s": round(median, 4), "per_s": round(ELEMENTS / median),
            "all_s": [round(s, 4) for s in seconds]}


def measure_backend(backend: str, launches: int) -> dict[str, Any]:
    """Start a server on ``backend``, warm its workers up, then time ``launches`` maps."""
    print(f"== {backend}", flush=True)
    with running_server(backend) as server:
        register_workflows(server.endpoint)
        with httpx.Client(base_url=server.endpoint + API, timeout=120) as client:
            _, first = _launch(client, WARM_UP_ELEMENTS)
            execution: list[float] = []
            node: list[float] = []
            waited: list[float] = []
            for index in range(launches):
                document, seconds = _launch(client, ELEMENTS)
                execution.append(_span(document["execution"]))
                node.append(_span(document["nodes"][0]))
                waited.append(seconds)
                print(f"   launch {index + 1}: execution {execution[-1]:.3f} s, map node "
                      f"{node[-1]:.3f} s, launch to done {seconds:.3f} s", flush=True)
    return {"backend": backend, "elements": ELEMENTS, "launches": launches,
            "warm_up_s": round(first, 3), "execution": _figure(execution),
            "map_node": _figure(node), "launch_to_done": _figure(waited)}


def text_table(results: list[dict[str, Any]]) -> str:
    """One line per backend and figure: median seconds and elements per second."""
    lines = [f"{'backend':<9} {'figure':<16} {'median s':>9} {'elements/s':>11}  budget"]
    for result in results:
        for key in ("execution", "map_node", "launch_to_done"):
            figure = result[key]
            met = "met" if figure["per_s"] > BUDGET_PER_S else "NOT MET"
            lines.append(f"{result['backend']:<9} {key:<16} {figure['median_s']:>9.3f} "
                         f"{figure['per_s']:>11,}  over {BUDGET_PER_S:,}: {met}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=("sqlite", "postgres"),
                        help="sqlite and/or postgres (both by default)")
    parser.add_argument("--launches", type=int, default=5, help="timed launches per backend")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    results = [measure_backend(b, args.launches) for b in args.backend or ["sqlite", "postgres"]]
    print()
    print(text_table(results))
    if not args.no_write:
        payload = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                   "command": " ".join(["bench/map_server.py", *argv]),
                   "machine": _machine.machine(), "results": results}
        RESULTS_FILE.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {RESULTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
