"""Create the virtual environment that runs the flytekit side of the benchmarks.

flytekit and its many dependencies must not leak into updraft's own environment, so they get
their own virtual environment, ``bench/.flytekit-venv`` (git-ignored), built with uv. Running
this module again is cheap: an environment that already imports everything is kept as it is.

Run it directly to build the environment and print its interpreter::

    python bench/_flytekit_env.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
VENV_DIR = BENCH_DIR / ".flytekit-venv"
REQUIREMENTS = (
    "flytekit==1.16.*",
    "xgboost-cpu",
    "scikit-learn",
    "pandas",
    "pyarrow",
    "joblib",
)
_PROBE = "import flytekit, xgboost, sklearn, pandas, pyarrow, joblib"


def venv_python(venv: Path = VENV_DIR) -> Path:
    """The interpreter of ``venv`` (whether or not it exists yet)."""
    return venv / "bin" / "python"


def find_uv() -> str:
    """uv next to the running interpreter, else on PATH.

    Raises:
        FileNotFoundError: when neither place has it.
    """
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("uv")
    if found is None:
        raise FileNotFoundError(
            f"uv was not found next to {sys.executable} nor on PATH; it builds the flytekit "
            "environment of the benchmarks. Install it with `pip install uv`."
        )
    return found


def is_ready(venv: Path = VENV_DIR) -> bool:
    """True when ``venv`` exists and imports flytekit and the pipeline's libraries."""
    python = venv_python(venv)
    if not python.exists():
        return False
    # Importing flytekit creates sandbox folders in the temporary folder: keep them in one
    # that goes away.
    with tempfile.TemporaryDirectory(prefix="updraft-bench-probe-") as scratch:
        probe = subprocess.run(
            [str(python), "-c", _PROBE],
            capture_output=True,
            check=False,
            env={**os.environ, "TMPDIR": scratch, "HOME": scratch},
        )
    return probe.returncode == 0


def ensure_flytekit_venv(venv: Path = VENV_DIR, *, quiet: bool = False) -> Path:
    """Build ``venv`` with flytekit 1.16 and the diabetes pipeline's libraries, once.

    The environment uses the same Python version as the running interpreter, so both sides of
    a benchmark run on the same Python.

    Args:
        venv: where the environment lives.
        quiet: do not echo uv's progress.

    Returns:
        The environment's Python interpreter.

    Raises:
        subprocess.CalledProcessError: when uv fails (no network, no matching wheel, ...).
    """
    if is_ready(venv):
        return venv_python(venv)
    uv = find_uv()
    base_python = getattr(sys, "_base_executable", sys.executable)
    output = subprocess.DEVNULL if quiet else None
    subprocess.run(
        [uv, "venv", "--clear", "--python", base_python, str(venv)],
        check=True,
        stdout=output,
        stderr=output,
    )
    subprocess.run(
        [uv, "pip", "install", "--python", str(venv_python(venv)), *REQUIREMENTS],
        check=True,
        stdout=output,
        stderr=output,
    )
    if not is_ready(venv):
        raise RuntimeError(
            f"the flytekit environment at {venv} was built but does not import "
            f"({_PROBE!r} fails); delete the folder and run this script again."
        )
    return venv_python(venv)


if __name__ == "__main__":
    print(ensure_flytekit_venv())
