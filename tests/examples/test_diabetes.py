"""The diabetes example as the README runs it: the article's accuracy, then all from cache."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "diabetes" / "workflow.py")


def updraft(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "updraft.cli", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )


def test_accuracy_and_a_second_run_from_the_cache(cli_env: dict[str, str]) -> None:
    first = updraft(cli_env, "run", "--json", EXAMPLE, "diabetes_xgboost_model")
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)
    assert document["execution"]["outputs"]["o0"]["value"] == 0.7598425196850394
    assert [n["name"] for n in document["nodes"]] == [
        "split_traintest_dataset", "fit", "predict", "score"
    ]
    assert [n["cache"] for n in document["nodes"]] == ["put"] * 4
    second = updraft(cli_env, "run", EXAMPLE, "diabetes_xgboost_model")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "o0: 0.7598425196850394"
    assert "4 from cache" in second.stderr


def test_inputs_on_the_command_line(cli_env: dict[str, str]) -> None:
    done = updraft(
        cli_env, "run", "--json", EXAMPLE, "diabetes_xgboost_model",
        "--seed", "8", "--test_split_ratio", "0.25",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["execution"]["inputs"]["seed"]["value"] == 8
    accuracy = document["execution"]["outputs"]["o0"]["value"]
    assert 0.6 < accuracy < 0.9 and accuracy != 0.7598425196850394
    shown = updraft(cli_env, "run", EXAMPLE, "diabetes_xgboost_model", "--help")
    assert "--seed int  [default: 7]" in shown.stdout
    assert "--test_split_ratio float  [default: 0.33]" in shown.stdout
    assert "--dataset File" in shown.stdout
