"""The composition example as the README runs it: every construct, with the results it shows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

EXAMPLE = str(Path(__file__).parents[2] / "examples" / "composition" / "workflow.py")


def run(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "updraft.cli", "run", "--json", EXAMPLE, *args],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def test_outer_nests_a_subworkflow_and_starts_a_launch_plan(cli_env: dict[str, str]) -> None:
    document = run(cli_env, "outer", "--a", "3")
    assert document["execution"]["outputs"]["o0"]["value"] == 944784
    kinds = {n["name"]: n["kind"] for n in document["nodes"]}
    assert kinds["inner"] == "subworkflow" and kinds["triple"] == "launchplan"
    assert kinds["final"] == "task"
    children = [n["name"] for n in document["nodes"] if n.get("parent") == "n0"]
    assert children == ["square", "scale"]


def test_the_map_the_dynamic_and_the_conditional(cli_env: dict[str, str]) -> None:
    mapped = run(cli_env, "tolerant", "--xs", "[1, 2, 3, 4]")
    items = mapped["execution"]["outputs"]["o0"]["items"]
    assert [i["value"]["value"] for i in items] == [1, 2, None, 4]
    fanned = run(cli_env, "fan_in", "--n", "5")
    assert fanned["execution"]["outputs"]["o0"]["value"] == 30
    picked = run(cli_env, "pick", "--x", "0.3")
    assert picked["execution"]["outputs"]["o0"]["value"] == -1
