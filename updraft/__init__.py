"""updraft: typed, cached, versioned workflows for machine learning and data processing.

Write tasks and workflows with `task` and `workflow`, and compose them with `map_task`,
`dynamic`, `conditional`, subworkflows and launch plans; run them with ``updraft run`` or by
calling the workflow. Importing this package is cheap: data-frame libraries, the store and
the CLI load only when used.

Example:
    >>> from updraft import task, workflow
    >>> @task
    ... def add(a: int, b: int) -> int:
    ...     return a + b
    >>> @workflow
    ... def total(x: int = 1) -> int:
    ...     return add(a=x, b=add(a=x, b=x))
"""

from updraft.compiler import (
    CompileError,
    Workflow,
    WorkflowFailurePolicy,
    conditional,
    workflow,
)
from updraft.sdk import (
    CronSchedule,
    FixedRate,
    LaunchPlan,
    MapTask,
    PythonTask,
    Resources,
    current_context,
    dynamic,
    map_task,
    task,
)
from updraft.types import Columns, Directory, File

__version__ = "0.1.0"

__all__ = [
    "Columns",
    "CompileError",
    "CronSchedule",
    "Directory",
    "File",
    "FixedRate",
    "LaunchPlan",
    "MapTask",
    "PythonTask",
    "Resources",
    "Workflow",
    "WorkflowFailurePolicy",
    "__version__",
    "conditional",
    "current_context",
    "dynamic",
    "map_task",
    "task",
    "workflow",
]
