"""``import updraft`` stays cheap: no heavy library is loaded until it is used."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = [
    "pandas", "pyarrow", "fsspec", "sqlalchemy", "fastapi", "pydantic", "rich", "click",
    "croniter", "ray", "numpy", "cloudpickle",
]


def test_import_updraft_loads_nothing_heavy() -> None:
    code = (
        "import sys, json; import updraft; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert loaded == []


def test_public_names() -> None:
    import updraft

    for name in ("task", "workflow", "Resources", "File", "Directory", "Columns",
                 "current_context", "map_task", "dynamic", "conditional", "LaunchPlan",
                 "WorkflowFailurePolicy"):
        assert name in updraft.__all__ and hasattr(updraft, name)
