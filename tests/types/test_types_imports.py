"""Importing the type engine loads none of the heavy libraries it supports."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["pandas", "pyarrow", "fsspec", "pydantic", "cloudpickle", "numpy"]


def test_import_updraft_types_loads_nothing_heavy() -> None:
    code = (
        "import sys, json, typing, datetime; import updraft.types as t; "
        "t.to_literal_type(dict[str, list[int | None]]); t.to_literal_type(t.File); "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    output = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert json.loads(output) == []
