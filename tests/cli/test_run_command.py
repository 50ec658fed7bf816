"""``updraft run`` and ``updraft get`` as a user types them, in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests._support import RESOURCES

BASIC = str(RESOURCES / "wf_basic.py")
FAILING = str(RESOURCES / "wf_failing.py")


def updraft(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "updraft.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_prints_outputs_and_takes_inputs_after_the_name(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", BASIC, "chain", "--x", "10")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "o0: 15"
    assert "SUCCEEDED" in done.stderr


def test_run_a_single_task(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", BASIC, "greet", "--name", "you", "--punctuation=?")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "o0: 'hello you?'"


def test_json_document(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", "--json", "--executor", "inline", BASIC, "shapes")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    execution = document["execution"]
    assert execution["phase"] == "SUCCEEDED"
    assert execution["workflow"] == "wf_basic.shapes"
    assert execution["outputs"]["o0"] == {"type": "scalar", "value": 3}
    assert execution["launched_by"] == "cli"
    node = document["nodes"][0]
    assert {"node_id", "name", "phase", "attempts", "cache", "started_at", "ended_at",
            "duration_s"} <= set(node)
    assert node["cache"] == "disabled" and node["attempts"] == 1
    shown = updraft(cli_env, "get", "execution", execution["id"], "--json")
    assert json.loads(shown.stdout) == document


def test_help_lists_inputs_with_types_and_defaults(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", BASIC, "greet", "--help")
    assert done.returncode == 0
    assert "--name str  [required]" in done.stdout
    assert "--punctuation str  [default: '!']" in done.stdout


def test_bad_input_value_names_the_input_and_type(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", BASIC, "chain", "--x", "ten")
    assert done.returncode == 2
    assert "input 'x' expects int, got 'ten'" in done.stderr


def test_unknown_input_is_a_usage_error(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", BASIC, "chain", "--y", "1")
    assert done.returncode == 2
    assert "has no input 'y'" in done.stderr and "x" in done.stderr


def test_unknown_workflow_lists_what_the_file_has(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", BASIC, "nope")
    assert done.returncode == 2
    assert "no workflow or task named 'nope'" in done.stderr and "chain" in done.stderr


def test_failed_execution_exits_1_with_the_traceback(cli_env: dict[str, str], tmp_path) -> None:
    cli_env["UPDRAFT_TEST_DIR"] = str(tmp_path)
    done = updraft(cli_env, "run", FAILING, "failing", "--x", "3")
    assert done.returncode == 1
    assert "FAILED" in done.stderr and "ValueError: bad value 3" in done.stderr
    assert "Traceback" in done.stderr and "wf_failing.py" in done.stderr


def test_get_executions_lists_local_runs(cli_env: dict[str, str]) -> None:
    first = updraft(cli_env, "run", "--json", BASIC, "chain")
    execution_id = json.loads(first.stdout)["execution"]["id"]
    listed = updraft(cli_env, "get", "executions", "--local")
    assert listed.returncode == 0
    assert execution_id in listed.stdout and "SUCCEEDED" in listed.stdout


def test_ctrl_c_leaves_a_resumable_execution(cli_env: dict[str, str], tmp_path) -> None:
    import signal
    import time

    cli_env["UPDRAFT_TEST_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "updraft.cli", "run", FAILING, "slow_chain"],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "step-1").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted; continue with: updraft run --resume " in stderr
    execution_id = stderr.rsplit("--resume ", 1)[1].split()[0]
    resumed = updraft(cli_env, "run", "--resume", execution_id)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip() == "o0: 6"
    assert (tmp_path / "step-0").read_text() == "x"  # finished before Ctrl-C: not run again


def test_resume_refuses_new_inputs(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", "--resume", "someid", BASIC, "chain", "--x", "3")
    assert done.returncode == 2
    assert "drop the inputs" in done.stderr


def test_resume_of_an_unknown_execution_says_so(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", "--resume", "nosuchexecution")
    assert done.returncode == 2
    assert "nosuchexecution" in done.stderr and "Traceback" not in done.stderr


def test_a_missing_input_names_the_option_to_pass(cli_env: dict[str, str]) -> None:
    done = updraft(cli_env, "run", BASIC, "greet")
    assert done.returncode == 2
    assert "needs input(s) 'name': pass --name STR" in done.stderr


def test_json_output_stays_a_document_when_tasks_print(cli_env: dict[str, str]) -> None:
    code = (
        "from updraft import task\n"
        "@task\ndef noisy() -> int:\n    print('hello')\n    return 1\n"
    )
    path = Path(cli_env["UPDRAFT_HOME"]).parent / "noisy_wf.py"
    path.write_text(code)
    done = updraft(cli_env, "run", "--json", "--executor", "inline", str(path), "noisy")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["execution"]["outputs"]["o0"]["value"] == 1
    assert "hello" in done.stderr
