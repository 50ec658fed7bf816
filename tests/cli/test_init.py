"""``updraft init``: a new project that runs at once, as a user creates and runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUFF = str(Path(sys.executable).with_name("ruff"))
#: The rules updraft's own code follows; a generated project meets them too.
RUFF_RULES = "E,W,F,I,B,UP,SIM,RUF"


def updraft(
    env: dict[str, str], cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "updraft.cli", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made by ``updraft init demo`` (shared: the tests only read and run it)."""
    parent = tmp_path_factory.mktemp("init")
    done = subprocess.run(
        [sys.executable, "-m", "updraft.cli", "init", "demo"],
        cwd=parent, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return parent / "demo"


def test_init_writes_the_project_files(project: Path) -> None:
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())

    assert files == [
        "README.md", "requirements.txt", "updraft.yaml",
        "workflows/__init__.py", "workflows/example.py",
    ]
    config = (project / "updraft.yaml").read_text().splitlines()
    assert "endpoint: http://127.0.0.1:8080" in config
    assert "project: demo" in config
    assert "domain: development" in config
    assert (project / "requirements.txt").read_text().startswith("updraft")


def test_readme_says_how_to_run_register_and_launch(project: Path) -> None:
    readme = (project / "README.md").read_text()

    assert "updraft run workflows/example.py summarize_numbers" in readme
    assert "updraft register workflows/example.py" in readme
    assert "updraft launch summarize_numbers" in readme


def test_the_example_runs_at_once_and_caches(project: Path, cli_env: dict[str, str]) -> None:
    first = updraft(cli_env, project, "run", "workflows/example.py", "summarize_numbers")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "o0: 'demo: 7 values, mean 6.68, largest 9.48'"
    assert "SUCCEEDED (3 nodes)" in first.stderr

    second = updraft(
        cli_env, project, "run", "workflows/example.py", "summarize_numbers",
        "--n", "50", "--threshold", "9",
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("o0: 'demo: ")

    again = updraft(cli_env, project, "run", "workflows/example.py", "summarize_numbers")
    assert again.stdout == first.stdout
    assert "2 from cache" in again.stderr


def test_the_example_packages_with_its_launch_plan(project: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "updraft.cli", "package", "workflows/example.py",
         "-o", str(tmp_path / "demo.updraft")],
        cwd=project, capture_output=True, text=True, timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "workflow  workflows.example.summarize_numbers" in done.stdout
    assert "launchplan workflows.example.summarize_numbers" in done.stdout


def test_generated_files_pass_ruff(project: Path) -> None:
    done = subprocess.run(
        [RUFF, "check", "--isolated", "--no-cache", "--select", RUFF_RULES,
         "--line-length", "100", "."],
        cwd=project, capture_output=True, text=True, timeout=60,
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_init_into_a_given_empty_folder(tmp_path: Path, cli_env: dict[str, str]) -> None:
    target = tmp_path / "here"
    target.mkdir()

    done = updraft(cli_env, tmp_path, "init", "my-proj", "--directory", str(target))

    assert done.returncode == 0, done.stderr
    assert "project: my-proj" in (target / "updraft.yaml").read_text()
    assert (target / "workflows" / "example.py").is_file()


def test_init_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")

    done = updraft(cli_env, tmp_path, "init", "demo")

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "not empty" in lines[0] and "demo" in lines[0]
    assert [p.name for p in (tmp_path / "demo").iterdir()] == ["notes.txt"]


def test_init_refuses_a_name_that_is_not_a_project_id(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    done = updraft(cli_env, tmp_path, "init", "my project")

    assert done.returncode == 2
    assert "'my project' is not valid" in done.stderr
    assert not (tmp_path / "my project").exists()
