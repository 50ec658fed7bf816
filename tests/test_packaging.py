"""The package as `pip install .` builds it from a clean checkout: the wheel carries the
store's migrations, the CLI's templates and the web console, including the JavaScript
libraries that the build hook (hatch_build.py) fetches with `npm ci`.

Each test builds from a copy of the checkout's files (what git tracks or would track, so no
node_modules and no vendored libraries), as a fresh clone would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = "updraft/server/_console/static/vendor"


def _checkout_files() -> list[str]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the files of a clean clone are unknown")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    return [f for f in listed if (ROOT / f).is_file()]


@pytest.fixture
def clean_copy(tmp_path: Path) -> Path:
    """The checkout's source files, as a clone would have them."""
    copy = tmp_path / "src"
    for name in _checkout_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert not (copy / VENDOR).exists() and not (copy / "console" / "node_modules").exists()
    return copy


def _build_wheel(
    source: Path, out: Path, path_env: str | None = None
) -> subprocess.CompletedProcess[str]:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (scripts/_venv.sh installs it into .venv)")
    env = dict(os.environ)
    if path_env is not None:
        env["PATH"] = path_env
    return subprocess.run(
        [uv, "build", "--wheel", "--python", sys.executable, "--out-dir", str(out),
         str(source)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )


def _vendor_names(source: Path) -> list[str]:
    package = json.loads((source / "console" / "package.json").read_text())
    return sorted(package["updraftVendor"])


def test_the_wheel_of_a_clean_checkout_carries_the_console(
    clean_copy: Path, tmp_path: Path
) -> None:
    built = _build_wheel(clean_copy, tmp_path / "dist")
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("updraft-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    vendored = _vendor_names(clean_copy)
    assert {f"{VENDOR}/{n}" for n in vendored} <= names
    assert "updraft/server/_console/static/index.html" in names
    assert "updraft/store/_migrations/script.py.mako" in names
    assert "updraft/store/_migrations/versions/0001_initial.py" in names
    assert "updraft/cli/_templates/project/workflows/example.py.tmpl" in names
    assert not [n for n in names if "__pycache__" in n or "node_modules" in n]
    # the files are npm's, byte for byte
    package = json.loads((clean_copy / "console" / "package.json").read_text())["updraftVendor"]
    with zipfile.ZipFile(wheel) as archive:
        for name, source in package.items():
            installed = clean_copy / "console" / "node_modules" / source
            assert archive.read(f"{VENDOR}/{name}") == installed.read_bytes()

    # a rebuild with the libraries in place does not need npm (nor node_modules) again
    shutil.rmtree(clean_copy / "console" / "node_modules")
    again = _build_wheel(clean_copy, tmp_path / "dist2")
    assert again.returncode == 0, again.stderr[-3000:]
    assert not (clean_copy / "console" / "node_modules").exists()
    (rebuilt,) = (tmp_path / "dist2").glob("updraft-*.whl")
    assert {f"{VENDOR}/{n}" for n in vendored} <= set(zipfile.ZipFile(rebuilt).namelist())


def test_a_build_without_npm_says_it_needs_npm(clean_copy: Path, tmp_path: Path) -> None:
    built = _build_wheel(clean_copy, tmp_path / "dist", path_env=str(Path(sys.executable).parent))
    assert built.returncode != 0
    output = built.stdout + built.stderr
    assert "npm was not found" in output and "Node.js" in output
