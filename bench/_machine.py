"""Describe where the benchmarks ran: the machine, the Pythons and the library versions.

Figures mean little without these: both sides' times depend on the CPU, the core count and
the versions of pandas, xgboost and the rest, so the report records them next to the table.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

_FLYTEKIT_DISTRIBUTIONS = ("flytekit", "xgboost-cpu", "scikit-learn", "pandas", "pyarrow", "joblib")
_VERSIONS_PROBE = (
    "import json, platform, sys\n"
    "from importlib import metadata\n"
    "def v(name):\n"
    "    try:\n"
    "        return metadata.version(name)\n"
    "    except metadata.PackageNotFoundError:\n"
    "        return None\n"
    "print(json.dumps({'python': platform.python_version(), "
    "'packages': {n: v(n) for n in sys.argv[1:]}}))\n"
)


def _read_first(path: str, pattern: str) -> str | None:
    """The first group of ``pattern`` in the file at ``path``; None when either is missing."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(pattern, text, re.MULTILINE)
    return found.group(1).strip() if found else None


def machine() -> dict[str, Any]:
    """The CPU, core count, memory and operating system of this machine."""
    mem_kib = _read_first("/proc/meminfo", r"^MemTotal:\s+(\d+)")
    return {
        "nproc": os.cpu_count(),
        "cpu": _read_first("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor(),
        "memory_gib": round(int(mem_kib) / 2**20, 1) if mem_kib else None,
        "platform": platform.platform(),
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def updraft_versions() -> dict[str, Any]:
    """This interpreter's Python and the versions of updraft and its runtime dependencies.

    The dependencies are updraft's own requirements plus those of its ``examples`` extra,
    which the diabetes pipeline needs.
    """
    names: list[str] = []
    for requirement in metadata.requires("updraft") or []:
        name, _, marker = requirement.partition(";")
        if marker and "extra" in marker and '"examples"' not in marker:
            continue
        names.append(re.split(r"[\s\[<>=!~]", name.strip(), maxsplit=1)[0])
    packages = {"updraft": _version("updraft")}
    packages |= {name: _version(name) for name in dict.fromkeys(names)}
    return {"python": platform.python_version(), "executable": sys.executable, "packages": packages}


def flytekit_versions(python: Path) -> dict[str, Any]:
    """The Python and library versions of the flytekit environment at ``python``."""
    done = subprocess.run(
        [str(python), "-c", _VERSIONS_PROBE, *_FLYTEKIT_DISTRIBUTIONS],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"python": None, "executable": str(python), "packages": {}, "error": done.stderr}
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report | {"executable": str(python)}
