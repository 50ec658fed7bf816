"""The three server figures, measured over HTTP against a running ``updraft serve``.

- creations: 16 client threads, one HTTP connection each, POST executions of the one-task
  workflow for a fixed time while the server's engine runs them; then every created execution
  is looked up (by the round's label) and counted by phase once they have ended or a grace
  period has passed.
- GET latency: the document of one finished 1,000-node execution, fetched again and again
  from one client.
- launch to first task: one launch at a time on a quiet server, from the moment the POST is
  sent to the ``started_at`` of the node's first attempt, as the execution document records it
  (same machine, same clock).

Every loop is bounded in count and in time, so a stuck server ends the benchmark with an
error instead of hanging it.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from _server_harness import API, CHAIN_1000, DOMAIN, ONE_TASK, PROJECT, VERSION

_ENDED = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}
_MAX_POSTS_PER_THREAD = 20_000
_LIST_PAGE = 1000


class BenchError(RuntimeError):
    """The server answered something the benchmark cannot measure (a failed launch, an
    execution that never ends)."""


def _body(x: int, label: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"project": PROJECT, "domain": DOMAIN, "workflow": ONE_TASK,
                            "version": VERSION, "inputs": {"x": x}}
    if label is not None:
        body["labels"] = {"bench": label}
    return body


def percentile(values: list[float], q: int) -> float:
    """The ``q``-th percentile (1..99) of ``values``, interpolated between ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# -- creations -----------------------------------------------------------------------------------


@dataclass
class CreationRound:
    """One round of concurrent creations and what became of the executions."""

    label: str
    clients: int
    duration_s: float
    created: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    post_latencies_ms: list[float] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    phases: Counter[str] = field(default_factory=Counter)
    found: int = 0
    drained_after_s: float | None = None

    @property
    def rate(self) -> float:
        return self.created / self.duration_s

    def summary(self) -> dict[str, Any]:
        latencies = self.post_latencies_ms
        return {
            "label": self.label, "clients": self.clients, "duration_s": round(self.duration_s, 3),
            "created": self.created, "per_s": round(self.rate, 1),
            "errors": dict(self.errors),
            "post_p50_ms": round(percentile(latencies, 50), 2) if latencies else None,
            "post_p99_ms": round(percentile(latencies, 99), 2) if latencies else None,
            "found": self.found, "phases": dict(self.phases),
            "all_ended_after_s": (None if self.drained_after_s is None
                                  else round(self.drained_after_s, 2)),
        }


def _creator(endpoint: str, label: str, start: threading.Barrier, stop_at: list[float],
             round_: CreationRound, lock: threading.Lock, finished: list[float]) -> None:
    ids: list[str] = []
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    with httpx.Client(base_url=endpoint + API, timeout=60) as client:
        start.wait()
        for i in range(_MAX_POSTS_PER_THREAD):
            if time.perf_counter() >= stop_at[0]:
                break
            began = time.perf_counter()
            try:
                response = client.post("/executions", json=_body(i, label))
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code == 201:
                ids.append(response.json()["execution"]["id"])
            else:
                errors[f"HTTP {response.status_code}"] += 1
    with lock:
        finished.append(time.perf_counter())
        round_.ids.extend(ids)
        round_.post_latencies_ms.extend(latencies)
        round_.errors.update(errors)


def create_round(endpoint: str, label: str, clients: int, seconds: float) -> CreationRound:
    """``clients`` threads POST executions for ``seconds``; the rate counts 201 answers over
    the time from the common start until the last thread's last answer."""
    round_ = CreationRound(label, clients, seconds)
    start = threading.Barrier(clients + 1)
    stop_at = [float("inf")]
    lock = threading.Lock()
    finished: list[float] = []
    threads = [
        threading.Thread(target=_creator, args=(endpoint, label, start, stop_at, round_, lock,
                                                finished), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for thread in threads:
        thread.join(seconds + 120)
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"creation round {label}: a client did not finish within 120 s "
                         "of the end of the round; is the server stuck?")
    round_.created = len(round_.ids)
    round_.duration_s = max(finished) - began
    return round_


def _listed(client: httpx.Client, label: str) -> dict[str, str]:
    """Execution id -> phase of every execution carrying the round's label."""
    phases: dict[str, str] = {}
    for page in range(1000):
        response = client.get("/executions", params={
            "project": PROJECT, "domain": DOMAIN, "label": f"bench={label}",
            "limit": _LIST_PAGE, "offset": page * _LIST_PAGE})
        response.raise_for_status()
        executions = response.json()["executions"]
        phases.update((e["id"], e["phase"]) for e in executions)
        if len(executions) < _LIST_PAGE:
            break
    return phases


def settle(endpoint: str, round_: CreationRound, grace_s: float, started: float) -> None:
    """Wait (at most ``grace_s``) until every execution of the round has ended, then record
    how many exist and their phases. ``started`` is the perf_counter the round began at."""
    wanted = set(round_.ids)
    deadline = time.perf_counter() + grace_s
    with httpx.Client(base_url=endpoint + API, timeout=60) as client:
        while True:
            phases = {k: v for k, v in _listed(client, round_.label).items() if k in wanted}
            ended = all(phase in _ENDED for phase in phases.values())
            if (ended and len(phases) == len(wanted)) or time.perf_counter() > deadline:
                break
            time.sleep(0.5)
    round_.found = len(phases)
    round_.phases = Counter(phases.values())
    if ended and len(phases) == len(wanted):
        round_.drained_after_s = time.perf_counter() - started


# -- one execution ------------------------------------------------------------------------------


def _wait_ended(client: httpx.Client, execution_id: str, timeout_s: float,
                poll_s: float = 0.05) -> dict[str, Any]:
    deadline = time.perf_counter() + timeout_s
    while True:
        document: dict[str, Any] = client.get(f"/executions/{execution_id}").json()
        if document["execution"]["phase"] in _ENDED:
            return document
        if time.perf_counter() > deadline:
            raise BenchError(f"execution {execution_id} did not end within {timeout_s:.0f} s "
                             f"(phase {document['execution']['phase']})")
        time.sleep(poll_s)


def get_latency(endpoint: str, requests: int, warmup: int = 20) -> dict[str, Any]:
    """Run the 1,000-node chain once, then time ``requests`` GETs of its document."""
    with httpx.Client(base_url=endpoint + API, timeout=60) as client:
        began = time.perf_counter()
        created = client.post("/executions", json={
            "project": PROJECT, "domain": DOMAIN, "workflow": CHAIN_1000, "version": VERSION,
            "inputs": {"x": 0}})
        if created.status_code != 201:
            raise BenchError(f"launching {CHAIN_1000} answered {created.status_code}: "
                             f"{created.text[:500]}")
        execution_id = created.json()["execution"]["id"]
        document = _wait_ended(client, execution_id, timeout_s=600, poll_s=0.5)
        run_s = time.perf_counter() - began
        nodes = len(document["nodes"])
        phase = document["execution"]["phase"]
        if phase != "SUCCEEDED" or nodes != 1000:
            raise BenchError(f"{CHAIN_1000} ended {phase} with {nodes} nodes; expected "
                             "SUCCEEDED with 1000")
        size = 0
        for _ in range(warmup):
            size = len(client.get(f"/executions/{execution_id}").content)
        times: list[float] = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(f"/executions/{execution_id}")
            response.read()
            times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise BenchError(f"GET of {execution_id} answered {response.status_code}")
    return {"execution_id": execution_id, "nodes": nodes, "document_bytes": size,
            "chain_run_s": round(run_s, 2), "requests": requests,
            "p50_ms": round(percentile(times, 50), 2), "p99_ms": round(percentile(times, 99), 2),
            "mean_ms": round(statistics.fmean(times), 2), "max_ms": round(max(times), 2)}


def _instant(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def launch_to_first_task(endpoint: str, samples: int) -> dict[str, Any]:
    """Launch the one-task workflow ``samples`` times, one at a time, and time each launch
    until its node's first attempt started (and, as seen by the server, from the execution's
    ``created_at``)."""
    from_post: list[float] = []
    from_created: list[float] = []
    post_ms: list[float] = []
    run_ms: list[float] = []
    with httpx.Client(base_url=endpoint + API, timeout=60) as client:
        for i in range(samples):
            sent = time.time()
            t0 = time.perf_counter()
            created = client.post("/executions", json=_body(i))
            post_ms.append((time.perf_counter() - t0) * 1000)
            if created.status_code != 201:
                raise BenchError(f"launching {ONE_TASK} answered {created.status_code}: "
                                 f"{created.text[:500]}")
            execution_id = created.json()["execution"]["id"]
            document = _wait_ended(client, execution_id, timeout_s=60, poll_s=0.01)
            if document["execution"]["phase"] != "SUCCEEDED":
                raise BenchError(f"execution {execution_id} of {ONE_TASK} ended "
                                 f"{document['execution']['phase']}: {document}")
            node = document["nodes"][0]
            first = _instant(node["history"][0]["started_at"])
            from_post.append((first - sent) * 1000)
            from_created.append((first - _instant(document["execution"]["created_at"])) * 1000)
            ended = document["execution"]["ended_at"]
            run_ms.append((_instant(ended) - sent) * 1000)
            time.sleep(0.2)
    return {"samples": samples,
            "post_to_first_start_ms": round(statistics.median(from_post), 1),
            "created_to_first_start_ms": round(statistics.median(from_created), 1),
            "post_to_first_start_max_ms": round(max(from_post), 1),
            "post_answer_ms": round(statistics.median(post_ms), 1),
            "post_to_execution_end_ms": round(statistics.median(run_ms), 1),
            "post_to_first_start_all_ms": [round(v, 1) for v in from_post]}
