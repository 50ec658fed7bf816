"""Loading a user's workflow file and finding the workflow or task in it by name.

The file is imported under the module name computed from its project root (DESIGN, "Task
identity"), with that root on ``sys.path``, so that workers import it the same way.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import Any

from updraft.compiler import Workflow, task_workflow
from updraft.sdk import PythonTask, module_for_file


class EntityNotFoundError(LookupError):
    """The file has no workflow or task of the given name; the message lists what it has."""


def load_file(path: str) -> ModuleType:
    """Import a workflow file as its project-root module.

    Raises:
        FileNotFoundError: naming the path when there is no such file.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no workflow file at {path!r}; give the path of a .py file")
    module_name, root = module_for_file(path)
    if root not in sys.path:
        sys.path.insert(0, root)
    existing = sys.modules.get(module_name)
    if existing is not None and os.path.abspath(getattr(existing, "__file__", "") or "") == (
        os.path.abspath(path)
    ):
        return existing
    return importlib.import_module(module_name)


def entities(module: ModuleType) -> dict[str, Workflow[Any, Any] | PythonTask[Any, Any]]:
    """The workflows and tasks a module defines, by their short names."""
    found: dict[str, Workflow[Any, Any] | PythonTask[Any, Any]] = {}
    for attr, value in vars(module).items():
        if isinstance(value, Workflow | PythonTask):
            found[attr] = value
    return found


def find_entity(module: ModuleType, name: str) -> Workflow[Any, Any]:
    """The workflow ``name`` in ``module``, or a one-node workflow around the task ``name``.

    Raises:
        EntityNotFoundError: listing the workflows and tasks the module has.
    """
    found = entities(module)
    entity = found.get(name) or next((e for e in found.values() if e.name == name), None)
    if entity is None:
        workflows = sorted(k for k, v in found.items() if isinstance(v, Workflow))
        tasks = sorted(k for k, v in found.items() if isinstance(v, PythonTask))
        raise EntityNotFoundError(
            f"{module.__file__} has no workflow or task named {name!r}. "
            f"Workflows: {', '.join(workflows) or 'none'}; tasks: {', '.join(tasks) or 'none'}."
        )
    if isinstance(entity, PythonTask):
        return task_workflow(entity)
    return entity
