"""Running a compiled workflow locally: record it, drive it with the engine, collect outputs.

`updraft run` and calling a workflow in Python both end here, and both go through the same
engine and store as the server, so local and remote runs cannot behave differently.
"""

from __future__ import annotations

import atexit
import dataclasses
import hashlib
import os
import secrets
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from updraft.compiler import Workflow
from updraft.engine import Engine, Listener, initial_nodes
from updraft.engine.executors import Executor, InlineExecutor, ProcessExecutor
from updraft.model import (
    BlobIO,
    Execution,
    ExecutionDocument,
    ExecutionPhase,
    Literal,
    WorkflowSpec,
    content_hash,
)
from updraft.sdk import module_for_file
from updraft.store import (
    LOCAL_OWNER_PREFIX,
    BlobStore,
    MetadataStore,
    RegistryStore,
    home_blob_root,
    open_store,
    updraft_home,
)
from updraft.types import TypeConversionError, to_literal, to_python

EXECUTORS = ("inline", "process")


class InputValueError(ValueError):
    """A workflow input is unknown, missing or not of its declared type; nothing was run."""


class ExecutionFailedError(RuntimeError):
    """A workflow run ended in a phase other than SUCCEEDED.

    Attributes:
        document: the execution JSON, with the failing node's error and traceback.
    """

    def __init__(self, document: ExecutionDocument) -> None:
        self.document = document
        error = document.execution.error
        detail = error.message if error else "no error recorded"
        message = f"execution {document.execution.id} {document.execution.phase.value}: {detail}"
        if error and error.traceback:
            message += "\n\n" + error.traceback
        super().__init__(message)


@dataclasses.dataclass
class RunResult:
    """What a local run produced: the recorded execution and the workflow's Python outputs."""

    document: ExecutionDocument
    workflow: Workflow[Any, Any] | None
    blob_store: BlobStore

    @property
    def execution(self) -> Execution:
        """The execution record: id, inputs, outputs as literals, phase, error."""
        return self.document.execution

    @property
    def succeeded(self) -> bool:
        """Whether the execution ended SUCCEEDED."""
        return self.execution.phase == ExecutionPhase.SUCCEEDED

    @property
    def python_outputs(self) -> Any:
        """The outputs as the workflow's annotations say.

        Raises:
            ExecutionFailedError: when the run did not succeed.
        """
        if not self.succeeded:
            raise ExecutionFailedError(self.document)
        if self.workflow is None:
            raise ValueError("Python outputs need the workflow; use execution.outputs instead")
        iface = self.workflow.python_interface
        literals = self.execution.outputs or {}
        values = {
            name: to_python(literals[name], iface.outputs[name], self.blob_store)
            for name in iface.outputs
        }
        return iface.outputs_from_dict(values)


class _Local:
    """The stores and warm executors of this process, shared by successive runs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: Executors are driven by one thread at a time; runs from several threads take turns.
        self.run_lock = threading.Lock()
        self.stores: dict[str, tuple[MetadataStore, BlobStore]] = {}
        self.executors: dict[str, tuple[str, Executor]] = {}

    def store(self, home: str) -> tuple[MetadataStore, BlobStore]:
        with self.lock:
            if home not in self.stores:
                self.stores[home] = open_store(home)
            return self.stores[home]

    def executor(self, kind: str, blob_store: BlobStore | None, blob_root: str) -> Executor:
        """A warm executor of ``kind``; one per kind, replaced when the blob root changes."""
        if kind not in EXECUTORS:
            raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")
        with self.lock:
            current = self.executors.get(kind)
            if current is not None and current[0] == blob_root:
                return current[1]
            if current is not None:
                current[1].close()
            executor: Executor = (
                ProcessExecutor(blob_root)
                if kind == "process"
                else InlineExecutor(blob_store or BlobStore(blob_root))
            )
            self.executors[kind] = (blob_root, executor)
            return executor

    def close(self) -> None:
        for _, executor in self.executors.values():
            executor.close()
        for store, _ in self.stores.values():
            store.close()
        self.executors.clear()
        self.stores.clear()


_local = _Local()
atexit.register(_local.close)


def _ship_by_value(wf: Workflow[Any, Any], blobs: BlobStore) -> tuple[WorkflowSpec, str]:
    """Store the pickled functions of tasks that workers cannot import by name; return the
    spec that points at them and its hash."""
    spec = ship_tasks_by_value(wf.spec, wf.tasks, blobs)
    return spec, wf.spec_hash if spec is wf.spec else content_hash(spec)


def ship_tasks_by_value(
    spec: WorkflowSpec,
    python_tasks: Mapping[str, Any],
    blobs: BlobIO,
    ships: Callable[[Any], bool] = lambda t: t.identity.by_value,
) -> WorkflowSpec:
    """``spec`` with ``by_value`` set on every task (its subworkflows' included) that
    ``ships``, its pickled function stored once per content in the blob store; ``spec``
    itself, the same object, when no task ships.

    Args:
        spec: a compiled workflow (or an expanded dynamic task).
        python_tasks: the Python task objects its nodes call, by task name.
        blobs: where the pickles go (prefix ``code``).
        ships: which tasks travel by value; by default those workers cannot import by name
            (a dynamic body adds its tasks from a project root its workers do not have).
    """
    shipped = {name for name, task in python_tasks.items() if ships(task)}
    if not shipped:
        return spec
    uris: dict[str, str] = {}

    def uri_of(name: str) -> str:
        if name not in uris:
            import cloudpickle

            task = python_tasks[name]
            module = sys.modules.get(task.function.__module__)
            if module is not None and module.__name__ != "__main__":
                cloudpickle.register_pickle_by_value(module)
            payload = cloudpickle.dumps(task.function)
            digest = hashlib.sha256(payload).hexdigest()
            uris[name] = blobs.put_bytes("code", f"{digest}.pkl", payload)
        return uris[name]

    def ship(spec: WorkflowSpec) -> WorkflowSpec:
        tasks = {
            name: msgspec.structs.replace(task_spec, by_value=uri_of(name))
            if name in shipped
            else task_spec
            for name, task_spec in spec.tasks.items()
        }
        subworkflows = {name: ship(sub) for name, sub in spec.subworkflows.items()}
        return msgspec.structs.replace(spec, tasks=tasks, subworkflows=subworkflows)

    return ship(spec)


def _code_paths(wf: Workflow[Any, Any]) -> tuple[str, ...]:
    roots = [wf.identity.project_root] + [t.identity.project_root for t in wf.tasks.values()]
    return tuple(dict.fromkeys(r for r in roots if r))


def _input_literals(
    wf: Workflow[Any, Any], inputs: dict[str, Any], blobs: BlobStore, prefix: str
) -> dict[str, Literal]:
    iface = wf.python_interface
    unknown = sorted(set(inputs) - set(iface.inputs))
    if unknown:
        raise InputValueError(
            f"workflow {wf.name!r} has no input(s) {unknown}; its inputs are "
            f"{sorted(iface.inputs)}"
        )
    literals: dict[str, Literal] = {}
    for name, info in iface.inputs.items():
        if name in inputs:
            value = inputs[name]
        elif info.has_default:
            value = info.default
        else:
            raise InputValueError(
                f"workflow {wf.name!r} needs input {name!r} ({info.literal_type.describe()}); "
                f"pass {name}=..."
            )
        try:
            literals[name] = to_literal(value, info.annotation, blobs, prefix)
        except TypeConversionError as exc:
            raise InputValueError(
                f"workflow {wf.name!r}, input {name!r} expects "
                f"{info.literal_type.describe()}: {exc}"
            ) from None
    return literals


def new_execution_id() -> str:
    """A short, unique id that sorts by creation time: ``261128150501a3f9c2``."""
    return datetime.now(UTC).strftime("%y%m%d%H%M%S") + secrets.token_hex(3)


def default_executor() -> str:
    """``$UPDRAFT_EXECUTOR``, or ``process``: the executor runs use unless told otherwise."""
    return os.environ.get("UPDRAFT_EXECUTOR", "process")


def create_execution(
    wf: Workflow[Any, Any],
    inputs: dict[str, Any],
    store: MetadataStore,
    blobs: BlobStore,
    *,
    launched_by: str = "cli",
    labels: dict[str, str] | None = None,
    max_parallelism: int | None = None,
    overwrite_cache: bool = False,
    lease_owner: str | None = None,
) -> Execution:
    """Record a new QUEUED execution of ``wf`` with its inputs converted and uploaded.

    With ``lease_owner`` (a local run's `local_owner`) no server engine sharing the store
    claims it: the local process drives it, and ``updraft run --resume`` continues it.
    """
    execution_id = new_execution_id()
    spec, spec_hash = _ship_by_value(wf, blobs)
    store.put_workflow_spec(spec_hash, spec)
    # Input blobs are named by their content, so one prefix serves every execution.
    literals = _input_literals(wf, inputs, blobs, "inputs")
    execution = Execution(
        id=execution_id,
        workflow=wf.name,
        spec_hash=spec_hash,
        inputs=literals,
        created_at=datetime.now(UTC),
        launched_by=launched_by,
        labels=dict(labels or {}),
        code_paths=_code_paths(wf),
        max_parallelism=max_parallelism,
        overwrite_cache=overwrite_cache,
    )
    nodes = initial_nodes(spec)
    store.create_execution(execution, nodes, lease_owner=lease_owner, lease_s=_LOCAL_LEASE_S)
    return execution


#: A local run holds its execution for good; only another local run takes it over.
_LOCAL_LEASE_S = 100 * 365 * 24 * 3600.0


def local_owner() -> str:
    """The lease owner of this process's local runs."""
    return f"{LOCAL_OWNER_PREFIX}{socket.gethostname()}:{os.getpid()}"


class ExecutionBusyError(RuntimeError):
    """An engine (a server or a worker) drives the execution; it cannot be resumed here."""


def run_entity(
    wf: Workflow[Any, Any],
    inputs: dict[str, Any],
    *,
    executor: str | None = None,
    home: str | None = None,
    listener: Listener | None = None,
    launched_by: str = "cli",
    on_created: Callable[[str], None] | None = None,
    max_parallelism: int | None = None,
    overwrite_cache: bool = False,
) -> RunResult:
    """Run ``wf`` to the end on this machine and return the result.

    Args:
        wf: the compiled workflow (a task is wrapped by `updraft.compiler.task_workflow`).
        inputs: Python values by input name; missing ones take their defaults.
        executor: ``process`` (default, or ``$UPDRAFT_EXECUTOR``) or ``inline``.
        home: the updraft home (database and blobs); ``$UPDRAFT_HOME`` or ``~/.updraft``.
        listener: told of every node change, e.g. to draw progress.
        on_created: called with the execution id once it is recorded.
        max_parallelism: at most this many of its nodes run at once.
        overwrite_cache: recompute cached nodes and replace their cache entries.
    """
    home = str(home or updraft_home())
    kind = executor or default_executor()
    modules = _task_modules(wf)
    version = _files_version(modules.values())
    if modules:
        _local.executor(kind, None, home_blob_root(home)).prewarm(
            version, _code_paths(wf), tuple(modules)
        )
    store, blobs = _local.store(home)
    execution = create_execution(
        wf,
        inputs,
        store,
        blobs,
        launched_by=launched_by,
        max_parallelism=max_parallelism,
        overwrite_cache=overwrite_cache,
        lease_owner=local_owner(),
    )
    if on_created is not None:
        on_created(execution.id)
    return _drive(wf, execution.id, store, blobs, executor, listener, version)


def resume(
    execution_id: str,
    wf: Workflow[Any, Any] | None = None,
    *,
    executor: str | None = None,
    home: str | None = None,
    listener: Listener | None = None,
) -> RunResult:
    """Continue an interrupted or failed execution, re-running only unfinished nodes."""
    home = str(home or updraft_home())
    store, blobs = _local.store(home)
    if isinstance(store, RegistryStore):
        store.get_execution(execution_id)  # NotFoundError naming the id
        holder = store.hold_for_local_run(execution_id, local_owner(), _LOCAL_LEASE_S)
        if holder is not None:
            raise ExecutionBusyError(
                f"execution {execution_id} is driven by {holder}; follow it with `updraft get "
                f"execution {execution_id}` or stop it with `updraft terminate {execution_id}`"
            )
    version = code_version(wf) if wf is not None else ""
    return _drive(wf, execution_id, store, blobs, executor, listener, version)


def _drive(
    wf: Workflow[Any, Any] | None,
    execution_id: str,
    store: MetadataStore,
    blobs: BlobStore,
    executor: str | None,
    listener: Listener | None,
    version: str,
) -> RunResult:
    blob_root = blobs.root
    with _local.run_lock:
        runner = _local.executor(executor or default_executor(), blobs, blob_root)
        engine = Engine(store, runner, blob_root, listener=listener, code_version=version,
                        lease_owner=local_owner(), lease_s=_LOCAL_LEASE_S)
        engine.run(execution_id)
    return RunResult(store.get_document(execution_id), wf, blobs)


def _task_modules(wf: Workflow[Any, Any]) -> dict[str, str]:
    """Module name -> file of every task that workers import by name."""
    found: dict[str, str] = {}
    for task in wf.tasks.values():
        if task.identity.by_value:
            continue
        path = getattr(sys.modules.get(task.function.__module__), "__file__", None)
        if path:
            found[task.identity.module] = os.path.abspath(path)
    return found


def _files_version(paths: Any) -> str:
    digest = hashlib.sha256()
    for path in sorted(set(paths)):
        try:
            stat = os.stat(path)
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\0".encode())
    return digest.hexdigest()[:16]


def code_version(wf: Workflow[Any, Any]) -> str:
    """A version of the code a workflow's tasks import, from their files' sizes and mtimes.

    Warm workers are keyed by it: after a module is edited, new workers import the new code
    instead of serving the function they imported before.
    """
    return _files_version(_task_modules(wf).values())


def prewarm_file(path: str, *, executor: str | None = None, home: str | None = None) -> None:
    """Start a worker importing the workflow file ``path`` now, while this process imports
    it too, so that a cold run does not pay the import twice, one after the other.

    A hint: when the file's tasks turn out to live elsewhere, nothing is lost but the start.
    """
    kind = executor or default_executor()
    if kind != "process":
        return
    module, root = module_for_file(path)
    runner = _local.executor(kind, None, home_blob_root(home))
    runner.prewarm(_files_version([os.path.abspath(path)]), (root,), (module,))


def local_store(home: str | None = None) -> tuple[MetadataStore, BlobStore]:
    """The store of the local home, opened once per process."""
    return _local.store(str(home or updraft_home()))
