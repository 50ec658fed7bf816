"""The environment every benchmark process runs with, on both sides.

Python normally caches compiled bytecode (``.pyc``) and reuses it, so a user's second
``import pandas`` does not compile pandas again. A machine with ``PYTHONDONTWRITEBYTECODE``
set and packages installed without bytecode (uv's default) compiles every module from source
in every process: imports then cost two to four times what users see, which would swamp the
cold-start and import figures of both sides. So the case processes may write bytecode, into
``bench/.pycache`` (``PYTHONPYCACHEPREFIX``) rather than next to the sources, which leaves the
virtual environments and the working tree untouched; ``run.py`` fills it with one untimed
warm-up run per side before timing.
"""

from __future__ import annotations

import os
from pathlib import Path

PYCACHE_DIR = Path(__file__).resolve().parent / ".pycache"


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment with bytecode cached under `PYCACHE_DIR`, plus ``overrides``."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(PYCACHE_DIR)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env | overrides
