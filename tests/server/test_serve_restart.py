"""Kill -9 `updraft serve` in the middle of a 20-node execution and start it again: the
execution completes, every node's outputs are recorded once, and nodes that had finished
do not run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests._support import RESOURCES, count_marks
from tests.client._server import free_port
from updraft.store import open_store

API = "/api/v1"


def _serve(home: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "updraft.cli", "serve", "--home", str(home), "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{API}/domains").status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert process.poll() is None, "updraft serve exited"
        assert time.monotonic() < deadline, "updraft serve did not start"
        time.sleep(0.1)


def _env(port: int, marks: Path) -> dict[str, str]:
    return dict(os.environ, UPDRAFT_ENDPOINT=f"http://127.0.0.1:{port}",
                UPDRAFT_PROJECT="default", UPDRAFT_DOMAIN="development",
                UPDRAFT_TEST_DIR=str(marks))


def _register_and_launch(port: int, env: dict[str, str], module: str, workflow: str,
                         inputs: dict[str, object] | None = None) -> str:
    """Register tests/resources/<module>.py as v1 and launch one of its workflows."""
    registered = subprocess.run(
        [sys.executable, "-m", "updraft.cli", "register", str(RESOURCES / f"{module}.py"),
         "--version", "v1"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert registered.returncode == 0, registered.stderr
    created = httpx.post(f"http://127.0.0.1:{port}{API}/executions", json={
        "project": "default", "domain": "development",
        "workflow": f"{module}.{workflow}", "version": "v1", "inputs": inputs or {}})
    assert created.status_code == 201, created.text
    execution_id: str = created.json()["execution"]["id"]
    return execution_id


def _wait_done(port: int, execution_id: str, timeout_s: float = 90) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}{API}/executions/{execution_id}"
    deadline = time.monotonic() + timeout_s
    while (document := httpx.get(url).json())["execution"]["phase"] in ("QUEUED", "RUNNING"):
        assert time.monotonic() < deadline, document
        time.sleep(0.1)
    result: dict[str, Any] = document
    return result


def test_a_killed_server_finishes_the_execution_after_a_restart(
    tmp_path: Path, marks: Path
) -> None:
    home, port = tmp_path / "home", free_port()
    env = _env(port, marks)
    server = _serve(home, port, env)
    try:
        execution_id = _register_and_launch(port, env, "wf_failing", "chain_of_20")
        deadline = time.monotonic() + 60
        while count_marks(marks, "quick-8") == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    store, _ = open_store(str(home))
    finished_before = [n.node_id for n in store.get_nodes(execution_id) if n.phase.done_ok]
    store.close()
    assert 5 <= len(finished_before) < 20

    server = _serve(home, port, env)
    try:
        url = f"http://127.0.0.1:{port}{API}/executions/{execution_id}"
        deadline = time.monotonic() + 60
        while (document := httpx.get(url).json())["execution"]["phase"] in ("QUEUED", "RUNNING"):
            assert time.monotonic() < deadline, document
            time.sleep(0.1)
        events = list(httpx.get(f"{url}/events", timeout=30).iter_lines())
    finally:
        server.terminate()
        server.wait(30)

    assert document["execution"]["phase"] == "SUCCEEDED"
    assert document["execution"]["outputs"]["o0"]["value"] == 20
    succeeded = [line for line in events if '"phase":"SUCCEEDED"' in line and '"node_id"' in line]
    assert len(succeeded) == 20  # each node's outputs recorded once
    for node_id in finished_before:  # node nK runs quick_step(x=K)
        assert count_marks(marks, f"quick-{node_id[1:]}") == 1, node_id


def test_a_fixed_rate_plan_fires_on_the_server_until_deactivated(
    tmp_path: Path, marks: Path
) -> None:
    import textwrap

    project = tmp_path / "ticking_project"
    project.mkdir()
    (project / "wf_every_two_seconds.py").write_text(textwrap.dedent('''
        from datetime import datetime, timedelta

        from updraft import FixedRate, LaunchPlan, task, workflow

        @task
        def stamp(when: datetime) -> str:
            return when.isoformat()

        @workflow
        def ticking(when: datetime) -> str:
            return stamp(when=when)

        plan = LaunchPlan.get_or_create(
            ticking, "every_two_seconds",
            schedule=FixedRate(timedelta(seconds=2), kickoff_time_input_arg="when"),
        )
    '''))
    home, port = tmp_path / "home", free_port()
    env = dict(os.environ, UPDRAFT_ENDPOINT=f"http://127.0.0.1:{port}",
               UPDRAFT_PROJECT="default", UPDRAFT_DOMAIN="development")
    server = _serve(home, port, env)

    def updraft(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "updraft.cli", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def scheduled() -> list[dict[str, object]]:
        listed = httpx.get(f"http://127.0.0.1:{port}{API}/executions",
                           params={"project": "default", "limit": 100}).json()
        return [e for e in listed["executions"] if e["launched_by"] == "schedule"]

    try:
        updraft("register", str(project / "wf_every_two_seconds.py"))
        updraft("launchplan", "activate", "every_two_seconds")
        time.sleep(5.5)
        updraft("launchplan", "deactivate", "every_two_seconds")
        fired = scheduled()
        time.sleep(3)
        assert len(scheduled()) == len(fired)  # nothing fires while inactive
    finally:
        server.terminate()
        server.wait(30)
    assert 2 <= len(fired) <= 3
    times = sorted(str(e["scheduled_at"]) for e in fired)
    assert len(set(times)) == len(times)  # each scheduled time once


def test_a_killed_server_finishes_a_map_without_rerunning_finished_elements(
    tmp_path: Path, marks: Path
) -> None:
    home, port = tmp_path / "home", free_port()
    env = _env(port, marks)
    xs = list(range(40))
    server = _serve(home, port, env)
    try:
        execution_id = _register_and_launch(port, env, "wf_composed", "slow_map", {"xs": xs})
        deadline = time.monotonic() + 60
        while sum(count_marks(marks, f"slow_element-{x}") for x in xs) < 12:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    store, _ = open_store(str(home))
    finished_before = {
        index for batch in store.get_map_batches(execution_id, "n0")
        for index, outcome in zip(batch.indices, batch.outcomes, strict=True)
        if outcome is not None and outcome.value == "SUCCEEDED"
    }
    store.close()
    assert 4 <= len(finished_before) < 40

    server = _serve(home, port, env)
    try:
        document = _wait_done(port, execution_id)
    finally:
        server.terminate()
        server.wait(30)

    assert document["execution"]["phase"] == "SUCCEEDED", document["execution"]
    assert [i["value"] for i in document["execution"]["outputs"]["o0"]["items"]] == [
        x * 10 for x in xs]
    for index in finished_before:
        assert count_marks(marks, f"slow_element-{index}") == 1, index
