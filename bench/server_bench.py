"""Benchmark the control plane against DESIGN's server budget, on SQLite and on PostgreSQL.

For each backend a real ``updraft serve`` starts in a subprocess on a free loopback port over
a fresh home (and, for PostgreSQL, a fresh database that is dropped afterwards); the
benchmark registers ``bench/server/bench_workflows.py`` and measures, over HTTP:

- how many executions of the one-task workflow 16 concurrent clients create per second while
  the server's engine runs them (median of the rounds), and whether every one of them then
  exists and succeeded;
- p50 and p99 of ``GET /api/v1/executions/{id}`` for a finished execution of 1,000 nodes;
- the time from sending the launch to the first attempt of its task starting.

It prints a table against the budget and writes ``bench/SERVER_RESULTS.md`` and
``bench/server_results.json``.

Usage::

    .venv/bin/python bench/server_bench.py                      # both backends, ~3 minutes
    .venv/bin/python bench/server_bench.py --backend sqlite --rounds 1 --seconds 5 --no-write
    .venv/bin/python bench/server_bench.py --profile bench/.profiles   # py-spy during round 1
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _machine
from _server_harness import BENCH_DIR, register_workflows, running_server
from _server_measure import create_round, get_latency, launch_to_first_task, settle
from _server_profile import start_recording, summarize

#: DESIGN's budget: creations per second (more is better) by backend, GET p99 in ms.
CREATION_BUDGET = {"sqlite": 100.0, "postgres": 300.0}
GET_P99_BUDGET_MS = 50.0
BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"== {BACKEND_NAMES[backend]}", flush=True)
    result: dict[str, Any] = {"backend": backend}
    with running_server(backend) as server:
        register_workflows(server.endpoint)
        result["get"] = get_latency(server.endpoint, args.gets)
        print(f"   GET of {result['get']['nodes']} nodes: p50 {result['get']['p50_ms']} ms, "
              f"p99 {result['get']['p99_ms']} ms", flush=True)
        result["launch"] = launch_to_first_task(server.endpoint, args.launches)
        print(f"   launch to first task: {result['launch']['post_to_first_start_ms']} ms "
              "(median)", flush=True)
        rounds = []
        for index in range(args.rounds):
            profiler = None
            if args.profile is not None and index == 0:
                raw = Path(args.profile) / f"server-{backend}-creations.txt"
                profiler = start_recording(server.pid, args.seconds, raw)
            label = f"{backend}-{index + 1}-{int(time.time())}"
            began = time.perf_counter()
            round_ = create_round(server.endpoint, label, args.clients, args.seconds)
            print(f"   round {index + 1}: {round_.created} created in "
                  f"{round_.duration_s:.1f} s = {round_.rate:.1f}/s", flush=True)
            if profiler is not None:
                profiler.wait(60)
                if profiler.returncode == 0:
                    result["profile"] = summarize(raw)
                    result["profile"]["file"] = str(raw)
                    top = ", ".join(f"{n} {v}%" for n, v in result["profile"]["self"][:6])
                    print(f"   profile ({raw}): top self {top}", flush=True)
                else:
                    message = (profiler.stderr.read() if profiler.stderr else b"").decode()
                    print(f"   py-spy failed: {message[-500:]}", file=sys.stderr)
            settle(server.endpoint, round_, args.grace, began)
            print(f"   round {index + 1}: {round_.found} found, phases {dict(round_.phases)}, "
                  f"all ended after {round_.drained_after_s} s", flush=True)
            rounds.append(round_.summary())
        result["creation_rounds"] = rounds
        result["creations_per_s"] = statistics.median(r["per_s"] for r in rounds)
    return result


def _rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        name = BACKEND_NAMES[r["backend"]]
        budget = CREATION_BUDGET[r["backend"]]
        rows.append({"figure": f"creations/s, 16 clients, {name}", "value": r["creations_per_s"],
                     "budget": f"over {budget:.0f}", "met": r["creations_per_s"] > budget})
        rows.append({"figure": f"GET 1,000-node execution p50 ms, {name}",
                     "value": r["get"]["p50_ms"], "budget": "", "met": None})
        rows.append({"figure": f"GET 1,000-node execution p99 ms, {name}",
                     "value": r["get"]["p99_ms"], "budget": f"under {GET_P99_BUDGET_MS:.0f}",
                     "met": r["get"]["p99_ms"] < GET_P99_BUDGET_MS})
        rows.append({"figure": f"launch to first task start ms, {name}",
                     "value": r["launch"]["post_to_first_start_ms"], "budget": "", "met": None})
    return rows


def _met(value: bool | None) -> str:
    return "" if value is None else ("met" if value else "NOT MET")


def text_table(rows: list[dict[str, Any]]) -> str:
    """The rows as an aligned plain-text table."""
    cells = [("figure", "measured", "budget", "")] + [
        (row["figure"], f"{row['value']:g}", row["budget"], _met(row["met"])) for row in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    return "\n".join("  ".join(c[i].ljust(widths[i]) for i in range(4)).rstrip() for c in cells)


def _round_lines(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| backend | round | created | s | per s | POST p50 / p99 ms | errors | found "
             "| phases after the grace period | all ended after s |", "|---" * 10 + "|"]
    for r in results:
        for i, rd in enumerate(r["creation_rounds"], 1):
            lines.append(
                f"| {BACKEND_NAMES[r['backend']]} | {i} | {rd['created']} | {rd['duration_s']} "
                f"| {rd['per_s']} | {rd['post_p50_ms']} / {rd['post_p99_ms']} "
                f"| {rd['errors'] or 'none'} | {rd['found']} | {rd['phases']} "
                f"| {rd['all_ended_after_s']} |"
            )
    return lines


def _profile_lines(results: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for r in results:
        profile = r.get("profile")
        if not profile:
            continue
        lines += ["", f"### Profile of the server, {BACKEND_NAMES[r['backend']]}, creation "
                  f"round 1 ({profile['samples']} samples)", "",
                  "Threads: " + ", ".join(f"{n} {s}%" for n, s in profile["threads"]), "",
                  "| self | % | inclusive | % |", "|---|---|---|---|"]
        for (own, own_share), (inc, inc_share) in zip(profile["self"], profile["inclusive"],
                                                      strict=False):
            lines.append(f"| `{own}` | {own_share} | `{inc}` | {inc_share} |")
    return lines


def markdown(rows: list[dict[str, Any]], results: list[dict[str, Any]],
             meta: dict[str, Any]) -> str:
    """SERVER_RESULTS.md: the table, each round, the other figures, machine and rerun."""
    m = meta["machine"]
    lines = [
        "# Server benchmark results", "",
        f"Run {meta['date']} on {m['cpu']} ({m['nproc']} cores, {m['memory_gib']} GiB, "
        f"{m['platform']}), Python {meta['python']}. The load generator (16 threads) runs on "
        "the same machine as the server and its workers, over loopback.", "",
        "| figure | measured | budget | |", "|---|---|---|---|",
        *(f"| {r['figure']} | {r['value']:g} | {r['budget']} | {_met(r['met'])} |" for r in rows),
        "", "## Creation rounds", "",
        f"{meta['args']['clients']} clients, {meta['args']['seconds']} s per round, median of "
        f"{meta['args']['rounds']}; afterwards every created execution is looked up by the "
        f"round's label and counted by phase once all have ended (at most "
        f"{meta['args']['grace']} s).", "", *_round_lines(results), "",
        "## Other figures", "",
    ]
    for r in results:
        g, la = r["get"], r["launch"]
        lines += [
            f"- {BACKEND_NAMES[r['backend']]}: the 1,000-node chain ran in {g['chain_run_s']} s; "
            f"its document is {g['document_bytes']:,} bytes; {g['requests']} GETs: p50 "
            f"{g['p50_ms']} ms, p99 {g['p99_ms']} ms, mean {g['mean_ms']} ms, max "
            f"{g['max_ms']} ms. Launch ({la['samples']} one at a time): POST answered in "
            f"{la['post_answer_ms']} ms, first attempt started {la['post_to_first_start_ms']} ms "
            f"after the POST was sent ({la['created_to_first_start_ms']} ms after the recorded "
            f"`created_at`, max {la['post_to_first_start_max_ms']} ms), execution ended "
            f"{la['post_to_execution_end_ms']} ms after the POST (medians).",
        ]
    lines += _profile_lines(results)
    lines += [
        "", "## Rerun", "", "```bash",
        ".venv/bin/python bench/server_bench.py            # SQLite and PostgreSQL",
        ".venv/bin/python bench/server_bench.py --backend sqlite --profile bench/.profiles",
        "```", "",
        "PostgreSQL must accept `postgres` without a password on 127.0.0.1:5432; the benchmark "
        "creates a database `updraft_bench_<random>` and drops it at the end.", "",
    ]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=sorted(CREATION_BUDGET),
                        help="sqlite and/or postgres (both by default)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="per creation round")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--gets", type=int, default=500)
    parser.add_argument("--launches", type=int, default=20)
    parser.add_argument("--grace", type=float, default=240.0,
                        help="seconds to wait for a round's executions to end")
    parser.add_argument("--profile", metavar="DIR",
                        help="record the server with py-spy during the first round")
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    backends = args.backend or ["sqlite", "postgres"]
    results = [_bench_backend(backend, args) for backend in backends]
    rows = _rows(results)
    print()
    print(text_table(rows))
    if not args.no_write:
        meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": _machine.machine(), "python": sys.version.split()[0],
                "args": {k: v for k, v in vars(args).items() if k != "no_write"}}
        (BENCH_DIR / "SERVER_RESULTS.md").write_text(markdown(rows, results, meta))
        payload = {"meta": meta, "rows": rows, "results": results}
        (BENCH_DIR / "server_results.json").write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nwrote {BENCH_DIR / 'SERVER_RESULTS.md'} and {BENCH_DIR / 'server_results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
