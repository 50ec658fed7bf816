"""Local runs: load a workflow file, compile it, and run it on the engine with the local store.

This is where `updraft run` and "call a workflow like a function" meet the engine.
"""

from updraft.runner._loading import EntityNotFoundError, entities, find_entity, load_file
from updraft.runner._package import (
    PACKAGE_SUFFIX,
    PackageBuild,
    PackageBuildError,
    build_package,
    read_package,
    write_package,
)
from updraft.runner._run import (
    EXECUTORS,
    ExecutionBusyError,
    ExecutionFailedError,
    InputValueError,
    RunResult,
    code_version,
    create_execution,
    default_executor,
    local_store,
    new_execution_id,
    prewarm_file,
    resume,
    run_entity,
)

__all__ = [
    "EXECUTORS",
    "PACKAGE_SUFFIX",
    "EntityNotFoundError",
    "ExecutionBusyError",
    "ExecutionFailedError",
    "InputValueError",
    "PackageBuild",
    "PackageBuildError",
    "RunResult",
    "build_package",
    "code_version",
    "create_execution",
    "default_executor",
    "entities",
    "find_entity",
    "load_file",
    "local_store",
    "new_execution_id",
    "prewarm_file",
    "read_package",
    "resume",
    "run_entity",
    "write_package",
]
