"""``build_package`` and ``updraft package``: deterministic archives, versions, refusals."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import updraft.sdk
from updraft.runner import (
    PackageBuild,
    PackageBuildError,
    build_package,
    read_package,
    write_package,
)
from updraft.store import BlobStore, extract_package, store_package

REPO = Path(__file__).resolve().parents[2]

FLOW = '''\
"""A small project to package."""

from pkgflow_lib.helpers import offset

from updraft import task, workflow


@task
def double(x: int) -> int:
    return 2 * x + offset()


@task
def describe(x: int) -> str:
    return f"x={x}"


@workflow
def pipeline(x: int = 3) -> int:
    return double(x=double(x=x))
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(autouse=True)
def fresh_imports() -> Iterator[None]:
    """Each test imports its own copies of the fixture projects and forgets them after."""
    modules, path = set(sys.modules), list(sys.path)
    yield
    for name in set(sys.modules) - modules:
        del sys.modules[name]
    sys.path[:] = path


def forget_project() -> None:
    for name in [n for n in sys.modules if n.startswith("pkgflow")]:
        del sys.modules[name]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root / "pkgflow.py", FLOW)
    write(root / "pkgflow_lib" / "__init__.py", "")
    write(root / "pkgflow_lib" / "helpers.py", "def offset() -> int:\n    return 0\n")
    write(root / "data" / "table.csv", "a,b\n1,2\n")
    write(root / "__pycache__" / "pkgflow.cpython-311.pyc", "junk")
    write(root / ".venv" / "lib" / "site.py", "junk")
    write(root / ".git" / "HEAD", "ref: refs/heads/main")
    write(root / ".env", "TOKEN=secret")
    write(root / "old-build.updraft", "an earlier package")
    return root


def build(root: Path, version: str | None = None) -> PackageBuild:
    forget_project()
    return build_package([str(root / "pkgflow.py")], version=version)


def test_package_holds_the_project_code_and_every_entity(project: Path) -> None:
    built = build(project)
    assert built.files == [
        "data/table.csv",
        "pkgflow.py",
        "pkgflow_lib/__init__.py",
        "pkgflow_lib/helpers.py",
    ]
    with zipfile.ZipFile(io.BytesIO(built.archive)) as archive:
        assert archive.namelist() == built.files
        assert archive.read("pkgflow.py").decode() == FLOW
    assert built.digest == hashlib.sha256(built.archive).hexdigest()
    assert [w.name for w in built.workflows] == ["pkgflow.pipeline"]
    assert [t.name for t in built.tasks] == ["pkgflow.describe", "pkgflow.double"]
    assert [t.entry_point for t in built.tasks] == ["pkgflow:describe", "pkgflow:double"]
    assert built.roots == [str(project)]
    assert len(built.version) == 16 and built.skipped == []


def test_same_code_gives_same_bytes_digest_and_version_from_a_fresh_copy(
    project: Path, tmp_path: Path
) -> None:
    first = build(project)
    copy = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(project, copy, copy_function=shutil.copyfile)
    for path in copy.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    os.chmod(copy / "pkgflow.py", 0o755)
    second = build(copy)
    assert second.roots == [str(copy)]
    assert second.archive == first.archive
    assert (second.digest, second.version) == (first.digest, first.version)


def test_editing_code_or_data_changes_digest_and_version(project: Path) -> None:
    first = build(project)
    (project / "data" / "table.csv").write_text("a,b\n1,3\n")
    data_edit = build(project)
    assert data_edit.workflows == first.workflows
    assert data_edit.digest != first.digest and data_edit.version != first.version
    (project / "pkgflow_lib" / "helpers.py").write_text("def offset() -> int:\n    return 1\n")
    code_edit = build(project)
    assert code_edit.digest not in (first.digest, data_edit.digest)
    assert code_edit.version not in (first.version, data_edit.version)


def test_a_given_version_is_used_and_checked(project: Path) -> None:
    assert build(project, version="v1").version == "v1"
    with pytest.raises(PackageBuildError, match="version 'v 1' is not valid"):
        build(project, version="v 1")


def test_files_over_the_size_limit_are_left_out(project: Path) -> None:
    big = project / "data" / "huge.bin"
    with big.open("wb") as f:
        f.truncate(51 * 2**20)
    built = build(project)
    assert built.skipped == [str(big)]
    assert "data/huge.bin" not in built.files


def test_a_module_imported_from_another_copy_is_refused(project: Path, tmp_path: Path) -> None:
    build(project)
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    with pytest.raises(PackageBuildError, match="already imported from"):
        build_package([str(copy / "pkgflow.py")])


def test_package_file_round_trip_and_damage(project: Path, tmp_path: Path) -> None:
    built = build(project)
    path = write_package(built, str(tmp_path / "out" / "p.updraft"))
    archive, registration = read_package(path)
    assert archive == built.archive
    assert registration.version == built.version and registration.code is None
    assert list(registration.tasks) == built.tasks
    assert list(registration.workflows) == built.workflows
    damaged = tmp_path / "damaged.updraft"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        dst.writestr("code.zip", src.read("code.zip") + b"!")
        dst.writestr("registration.json", src.read("registration.json"))
    with pytest.raises(PackageBuildError, match="is damaged"):
        read_package(str(damaged))
    with pytest.raises(PackageBuildError, match="is not an updraft package"):
        read_package(str(project / "pkgflow.py"))


def test_registered_code_runs_from_the_extracted_folder(project: Path, tmp_path: Path) -> None:
    built = build(project)
    blobs = BlobStore(str(tmp_path / "blobs"))
    code = store_package(blobs, built.archive)
    registration = built.registration("p", "development", code)
    assert registration.code == code and registration.version == built.version
    shutil.rmtree(project)  # the working copy is gone: only the package remains
    folder = extract_package(code, blobs, str(tmp_path / "cache"))
    script = (
        f"import sys; sys.path.insert(0, {folder!r}); import pkgflow; "
        "print(pkgflow.double(x=20), pkgflow.__file__)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["40", os.path.join(folder, "pkgflow.py")]


BY_VALUE = """\
from updraft import task, workflow


@task
def add(x: int) -> int:
    return x + 1


@workflow
def flow(x: int = 1) -> int:
    return add(x=x)
"""

NESTED = """\
from updraft import task


def make():
    @task
    def inner(x: int) -> int:
        return x

    return inner


made = make()
"""


def test_tasks_shipped_by_value_are_refused(tmp_path: Path) -> None:
    test_file = write(tmp_path / "byval" / "test_flow.py", BY_VALUE)
    with pytest.raises(PackageBuildError) as info:
        build_package([str(test_file)])
    message = str(info.value)
    assert "task 'test_flow.add' (called by workflow 'test_flow.flow')" in message
    assert "Move it to the top level of a module file" in message
    nested = write(tmp_path / "nested" / "factory_flow.py", NESTED)
    with pytest.raises(PackageBuildError, match=r"task 'factory_flow.make.<locals>.inner'"):
        build_package([str(nested)])


def updraft_package(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "updraft.cli", "package", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_packages_the_diabetes_example(tmp_path: Path) -> None:
    out = tmp_path / "diabetes.updraft"
    done = updraft_package(
        str(REPO / "examples/diabetes/workflow.py"), "--output", str(out), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    listed = {tuple(line.split()) for line in lines}
    assert ("workflow", "workflow.diabetes_xgboost_model") in listed
    for name in ("split_traintest_dataset", "fit", "predict", "score"):
        assert ("task", f"workflow.{name}") in listed
    _archive, registration = read_package(str(out))
    assert ("version", registration.version) in listed
    assert len(registration.tasks) == 4 and len(registration.workflows) == 1


def test_cli_refuses_missing_files_and_by_value_tasks(tmp_path: Path) -> None:
    missing = updraft_package("nowhere.py", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "error: no workflow file at 'nowhere.py'; give the path of a .py file"
    )
    write(tmp_path / "test_flow.py", BY_VALUE)
    by_value = updraft_package("test_flow.py", cwd=tmp_path)
    assert by_value.returncode == 2
    assert len(by_value.stderr.strip().splitlines()) == 1
    assert by_value.stderr.startswith("error: task 'test_flow.add'")
    assert list(tmp_path.glob("*.updraft")) == []


PLANS = """\
from datetime import timedelta

from updraft import FixedRate, LaunchPlan

import pkgflow

nightly = LaunchPlan.get_or_create(pkgflow.pipeline, "pkgflow_nightly", fixed_inputs={"x": 5})
LaunchPlan.get_or_create(pkgflow.pipeline, "pkgflow_rate", schedule=FixedRate(timedelta(hours=1)))
"""


def test_launch_plans_are_packaged_with_their_workflow(project: Path) -> None:
    if not hasattr(updraft.sdk, "LaunchPlan"):
        pytest.skip("this SDK has no launch plans")
    write(project / "pkgflow_plans.py", PLANS)
    plain = build(project)
    forget_project()
    built = build_package([str(project / "pkgflow.py"), str(project / "pkgflow_plans.py")])
    assert [(p.name, p.workflow) for p in built.launch_plans] == [
        ("pkgflow_nightly", "pkgflow.pipeline"),
        ("pkgflow_rate", "pkgflow.pipeline"),
    ]
    assert built.digest == plain.digest and built.version != plain.version
    forget_project()
    with pytest.raises(PackageBuildError, match=r"launches workflow 'pkgflow\.pipeline'"):
        build_package([str(project / "pkgflow_plans.py")])


def test_a_default_input_file_travels_in_the_package(tmp_path: Path) -> None:
    import hashlib
    import subprocess
    import sys

    example = Path(__file__).parents[2] / "examples" / "diabetes"
    code = (
        "import json, sys; from updraft.runner import build_package;"
        f"b = build_package([{str(example / 'workflow.py')!r}]);"
        "d = b.workflows[0].interface.inputs['dataset'].default;"
        "print(json.dumps([d.uri, d.hash, sorted(b.files)]))"
    )
    import json

    uri, digest, files = json.loads(
        subprocess.check_output([sys.executable, "-c", code], text=True)
    )
    csv = example / "pima-indians-diabetes.data.csv"
    assert uri == "package://pima-indians-diabetes.data.csv"
    assert uri.removeprefix("package://") in files
    assert digest == hashlib.sha256(csv.read_bytes()).hexdigest()
