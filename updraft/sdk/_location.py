"""Where a user's function is defined, so that messages and the console can point at it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from updraft.model import SourceLocation


def function_location(function: Callable[..., Any]) -> SourceLocation | None:
    """The file and first line of ``function``'s definition; None for a callable without
    Python code (a builtin, a C extension, a ``functools.partial``)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    return SourceLocation(file=code.co_filename, line=code.co_firstlineno)
