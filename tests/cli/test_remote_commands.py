"""The remote commands as a user types them, in subprocesses, against a real server:
register, launch, run --remote, get, logs, terminate, relaunch, recover, launch plans and
projects, and the errors a user sees (exit 2, one line, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._support import RESOURCES
from tests.client._server import free_port, running_server

BASIC = str(RESOURCES / "wf_basic.py")

# A small project of its own (its folder is the project root that gets packaged): a task
# that prints, one that sleeps, one that fails on negative input.
REMOTE_WF = '''
import time

from updraft import task, workflow


@task
def shout(text: str) -> str:
    print(f"shouting {text} now")
    return text.upper()


@task
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@task
def check(x: int) -> int:
    if x < 0:
        raise ValueError(f"x must not be negative, got {x}")
    return x


@workflow
def loud(text: str = "hi") -> str:
    return shout(text=text)


@workflow
def sleepy(seconds: float = 60.0) -> float:
    return nap(seconds=seconds)


@workflow
def checked(x: int, tags: list[str] = ["a"]) -> int:
    return check(x=check(x=x))
'''


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="module")
def remote_wf(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("remote_project")
    path = folder / "wf_remote.py"
    path.write_text(textwrap.dedent(REMOTE_WF))
    return str(path)


@pytest.fixture
def env(cli_env: dict[str, str], endpoint: str, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment: the test server as endpoint, no user configuration."""
    return {**cli_env, "UPDRAFT_ENDPOINT": endpoint, "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
            "HOME": str(tmp_path)}


def updraft(env: dict[str, str], *args: str, cwd: Path | None = None,
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "updraft.cli", *args], env=env, capture_output=True,
        text=True, timeout=120, cwd=cwd,
    )


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _wait_for_phase(env: dict[str, str], execution_id: str, phases: set[str]) -> str:
    deadline = time.monotonic() + 60
    while True:
        shown = json.loads(ok(updraft(env, "get", "execution", execution_id, "--json")))
        phase: str = shown["execution"]["phase"]
        if phase in phases:
            return phase
        assert time.monotonic() < deadline, f"{execution_id} stayed {phase}"
        time.sleep(0.3)


def test_register_then_launch_and_wait_prints_outputs(env: dict[str, str]) -> None:
    first = ok(updraft(env, "register", BASIC, "--version", "v1"))
    assert "new        workflow     wf_basic.chain" in first
    assert "registered version v1 in default/development" in first
    again = ok(updraft(env, "register", BASIC, "--version", "v1"))
    assert "(0 new," in again and "unchanged  launch_plan  wf_basic.chain" in again

    done = updraft(env, "launch", "chain", "--x", "3", "--wait")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "o0: 8"
    assert "SUCCEEDED" in done.stderr

    launched = updraft(env, "launch", "wf_basic.chain", "--version", "v1", "--label",
                       "team=ml", "--x", "1")
    execution_id = ok(launched).strip()
    assert _wait_for_phase(env, execution_id, {"SUCCEEDED"}) == "SUCCEEDED"
    listed = ok(updraft(env, "get", "executions", "--label", "team=ml", "--json"))
    assert [e["id"] for e in json.loads(listed)] == [execution_id]
    table = ok(updraft(env, "get", "executions"))
    assert execution_id in table and "wf_basic.chain" in table


def test_run_remote_registers_launches_and_follows(env: dict[str, str]) -> None:
    done = updraft(env, "run", "--remote", BASIC, "chain", "--x", "3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "o0: 8"
    assert "registered version" in done.stderr
    shown = updraft(env, "run", "--remote", "--json", BASIC, "chain", "--x", "10")
    document = json.loads(ok(shown))
    assert document["execution"]["outputs"]["o0"] == {"type": "scalar", "value": 15}
    assert document["execution"]["launched_by"] == "cli"
    # the server holds the same document
    fetched = json.loads(ok(updraft(env, "get", "execution", document["execution"]["id"],
                                    "--json")))
    assert fetched == document


def test_a_failed_execution_exits_1_and_recovers(env: dict[str, str], remote_wf: str) -> None:
    failed = updraft(env, "run", "--remote", remote_wf, "checked", "--x", "-1")
    assert failed.returncode == 1, failed.stderr
    assert "FAILED" in failed.stderr and "x must not be negative, got -1" in failed.stderr
    execution_id = json.loads(ok(updraft(env, "get", "executions", "--phase", "failed",
                                         "--json", "--limit", "1")))[0]["id"]
    logs = ok(updraft(env, "logs", execution_id, "n0"))
    assert "x must not be negative" in logs and "Traceback" in logs

    recovered = ok(updraft(env, "recover", execution_id)).strip()
    assert recovered and recovered != execution_id
    relaunched = updraft(env, "relaunch", execution_id, "--wait")
    assert relaunched.returncode == 1  # the same inputs fail the same way
    assert "FAILED" in relaunched.stderr


def test_logs_show_what_a_task_printed(env: dict[str, str], remote_wf: str) -> None:
    done = updraft(env, "run", "--remote", "--json", remote_wf, "loud", "--text", "hey")
    document = json.loads(ok(done))
    assert document["execution"]["outputs"]["o0"]["value"] == "HEY"
    logs = ok(updraft(env, "logs", document["execution"]["id"]))
    assert "shouting hey now" in logs
    assert "node n0 (shout) attempt 1: SUCCEEDED" in logs


def test_terminate_a_running_execution(env: dict[str, str], remote_wf: str) -> None:
    ok(updraft(env, "register", remote_wf))
    execution_id = ok(updraft(env, "launch", "sleepy")).strip()
    _wait_for_phase(env, execution_id, {"RUNNING"})
    terminated = updraft(env, "terminate", execution_id)
    assert ok(terminated).strip() == f"execution {execution_id} ABORTED"
    assert _wait_for_phase(env, execution_id, {"ABORTED"}) == "ABORTED"
    again = updraft(env, "terminate", execution_id)
    assert again.returncode == 2 and "ended already" in again.stderr


def test_bad_inputs_exit_2_naming_the_input(env: dict[str, str], remote_wf: str) -> None:
    ok(updraft(env, "register", BASIC))
    bad = updraft(env, "launch", "chain", "--x", "three")
    assert bad.returncode == 2
    assert "input 'x' expects int, got 'three'" in bad.stderr
    assert "Traceback" not in bad.stderr
    unknown = updraft(env, "launch", "chain", "--y", "1")
    assert unknown.returncode == 2 and "has no input 'y'" in unknown.stderr
    listed = updraft(env, "run", "--remote", remote_wf, "checked", "--tags", "a,b")
    assert listed.returncode == 2
    assert "input 'tags' expects list[str]" in listed.stderr
    missing = updraft(env, "launch", "no_such_plan")
    assert missing.returncode == 2 and "no launch plan 'no_such_plan'" in missing.stderr
    shown = ok(updraft(env, "launch", "chain", "--help"))
    assert "--x int  [default: 0]" in shown


def test_launch_plans_and_projects(env: dict[str, str]) -> None:
    ok(updraft(env, "register", BASIC, "--version", "v1"))
    active = ok(updraft(env, "launchplan", "activate", "chain", "--version", "v1"))
    assert active.strip() == "launch plan default/development/wf_basic.chain@v1 active"
    inactive = ok(updraft(env, "launchplan", "deactivate", "chain"))
    assert inactive.strip().endswith("inactive")

    assert ok(updraft(env, "project", "create", "team-a", "--description", "ml")).strip() == (
        "project team-a")
    assert "team-a  ml" in ok(updraft(env, "project", "list"))
    ok(updraft(env, "register", BASIC, "--project", "team-a"))
    done = updraft(env, "launch", "chain", "--project", "team-a", "--x", "2", "--wait")
    assert ok(done).strip() == "o0: 7"
    no_project = updraft(env, "register", BASIC, "--project", "nobody")
    assert no_project.returncode == 2 and "nobody" in no_project.stderr


def test_an_unreachable_server_exits_2_with_one_line(env: dict[str, str]) -> None:
    address = f"http://127.0.0.1:{free_port()}"
    for args in (("launch", "chain"), ("get", "executions"), ("logs", "x1"),
                 ("register", BASIC)):
        done = updraft({**env, "UPDRAFT_ENDPOINT": address}, *args)
        assert done.returncode == 2, args
        assert done.stderr.strip() == (
            f"error: cannot reach the updraft server at {address} (connection refused); "
            "start it with `updraft serve` or set `endpoint` in updraft.yaml or "
            "UPDRAFT_ENDPOINT"
        ), args


def test_the_endpoint_comes_from_updraft_yaml(env: dict[str, str], endpoint: str,
                                              tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "updraft.yaml").write_text(f"endpoint: {endpoint}\nproject: team-b\n")
    no_env = {k: v for k, v in env.items() if k != "UPDRAFT_ENDPOINT"}
    ok(updraft(no_env, "project", "create", "team-b", cwd=project / "sub"))
    assert "(0 new" not in ok(updraft(no_env, "register", BASIC, cwd=project / "sub"))
    listed = ok(updraft(no_env, "get", "executions", "--json", cwd=project / "sub"))
    assert json.loads(listed) == []
    # the environment overrides the file
    overridden = updraft({**no_env, "UPDRAFT_PROJECT": "nobody"}, "launch", "chain",
                         cwd=project / "sub")
    assert overridden.returncode == 2 and "nobody" in overridden.stderr


def test_workers_run_the_registered_code_not_the_working_copy(
    env: dict[str, str], tmp_path: Path
) -> None:
    project = tmp_path / "copy_project"
    project.mkdir()
    module = project / "wf_vanishing.py"
    module.write_text(textwrap.dedent('''
        from updraft import task, workflow

        @task
        def answer() -> int:
            return 41

        @workflow
        def vanishing() -> int:
            return answer()
    '''))
    ok(updraft(env, "register", str(module), "--version", "v1"))
    module.write_text(module.read_text().replace("return 41", "return 0"))
    import shutil

    shutil.rmtree(project)  # the working copy is gone; only the registered package is left
    done = updraft(env, "launch", "vanishing", "--wait")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "o0: 41"


def test_backfill_launches_missed_times_once(env: dict[str, str], tmp_path: Path) -> None:
    module = tmp_path / "wf_ticking.py"
    module.write_text(textwrap.dedent('''
        from datetime import timedelta

        from updraft import FixedRate, LaunchPlan, task, workflow

        @task
        def one() -> int:
            return 1

        @workflow
        def ticking() -> int:
            return one()

        every_second = LaunchPlan.get_or_create(
            ticking, "every_second", schedule=FixedRate(timedelta(seconds=1))
        )
    '''))
    ok(updraft(env, "register", str(module), "--version", "v1"))
    ok(updraft(env, "launchplan", "activate", "every_second"))
    time.sleep(2.5)
    from datetime import UTC, datetime

    end = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    args = ("launchplan", "backfill", "every_second", "--from", "2000-01-01", "--to", end)
    first = updraft(env, *args)
    assert first.returncode == 0, first.stderr
    assert 1 <= len(first.stdout.splitlines()) <= 4  # one per second since activation
    assert "launched" in first.stderr
    again = ok(updraft(env, *args))
    assert again.strip() == ""
