"""Where a task's code lives and what it is called (DESIGN, "Task identity").

A task is named ``module.qualname`` with the module computed from the project root: the
first folder upward from the task's file that has no ``__init__.py``, as pyflyte does. That
name is stable across machines and checkouts, which the cache key and registration need.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class CodeIdentity:
    """Name, import path and project root of a Python function."""

    module: str
    qualname: str
    project_root: str | None
    by_value: bool

    @property
    def name(self) -> str:
        return f"{self.module}.{self.qualname}"

    @property
    def entry_point(self) -> str:
        return f"{self.module}:{self.qualname}"


def module_for_file(path: str) -> tuple[str, str]:
    """The module name of a Python file and its project root, as workers will import it."""
    folder, filename = os.path.split(os.path.abspath(path))
    parts = [os.path.splitext(filename)[0]]
    while os.path.exists(os.path.join(folder, "__init__.py")):
        folder, package = os.path.split(folder)
        parts.append(package)
    if parts[0] == "__init__":
        parts = parts[1:]
    return ".".join(reversed(parts)), folder


def _looks_like_test(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last.endswith("_test") or last == "conftest"


def identify(func: Callable[..., Any]) -> CodeIdentity:
    """Compute a function's identity.

    Functions defined in ``__main__``, a notebook, a test module or a nested scope cannot be
    imported by name in a worker and are shipped by value (cloudpickle) instead.
    """
    qualname = func.__qualname__
    module_name = func.__module__
    file = getattr(sys.modules.get(module_name), "__file__", None)
    if file:
        module, root = module_for_file(file)
    else:
        module, root = module_name, None
    by_value = (
        module_name == "__main__"
        or not file
        or "<locals>" in qualname
        or _looks_like_test(module_name)
    )
    return CodeIdentity(module=module, qualname=qualname, project_root=root, by_value=by_value)
