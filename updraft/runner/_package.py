"""Code packages: the user's project and its compiled specs, ready to register.

`build_package` loads the workflow files a user names, collects the tasks, workflows and
launch plans they define, and zips the project root of each file (DESIGN, "Task identity":
the first folder upward without an ``__init__.py``). Workers extract that archive and import
tasks by ``module:qualname`` from it, so the archive holds the project as the user's
interpreter imported it.

The archive is deterministic: members sorted, fixed timestamps and permissions, fixed
compression. The same code gives the same bytes on any machine and from any checkout, so its
digest, and the version derived from it and the specs, names the code's content.

Uploading and extracting archives is the store's job (`updraft.store.store_package`,
`updraft.store.extract_package`); this module only builds, writes and reads them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

import updraft.sdk
from updraft.compiler import Workflow
from updraft.model import (
    Blob,
    CodePackage,
    LaunchPlanSpec,
    Registration,
    TaskSpec,
    WorkflowSpec,
    canonical_json,
    content_hash,
)
from updraft.runner._loading import entities, load_file
from updraft.sdk import PythonTask, module_for_file
from updraft.store import package_digest

#: The file name suffix of a package written by `write_package`; such files are never
#: packed into a code archive, so writing one inside the project does not change the next.
PACKAGE_SUFFIX = ".updraft"

#: Files larger than this are left out of the code archive (and listed in ``skipped``).
MAX_FILE_BYTES = 50 * 1024 * 1024

#: A project root whose kept files add up to more than this is refused: it is almost
#: certainly not a project (a home folder, a data folder).
MAX_TOTAL_BYTES = 512 * 1024 * 1024

_SKIPPED_FOLDERS = frozenset({"__pycache__", "venv", ".venv", ".git"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo", PACKAGE_SUFFIX)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644
_CODE_MEMBER = "code.zip"
_REGISTRATION_MEMBER = "registration.json"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")


class PackageBuildError(ValueError):
    """The named files cannot be packaged: a task is shipped by value, two files define
    different entities under one name, the project root is too large, or a package file is
    not one. The message names the object and says how to fix it."""


@dataclasses.dataclass(frozen=True)
class PackageBuild:
    """A built package: the code archive and the specs registered with it.

    Attributes:
        archive: the zip of the project root(s), deterministic for the same files.
        digest: SHA-256 of ``archive``, hex encoded; the code's name in the blob store.
        version: the version the entities are registered under; by default the first 16 hex
            characters of SHA-256 over the digest and the specs' canonical JSON.
        tasks: every task, by name, whether a workflow calls it or it stands alone.
        workflows: every workflow, by name.
        launch_plans: the launch plans the files define, by name.
        roots: the project roots packed into the archive (absolute paths).
        files: the archive's member names, sorted.
        skipped: files left out for being over `MAX_FILE_BYTES` (absolute paths).
    """

    archive: bytes
    digest: str
    version: str
    tasks: list[TaskSpec]
    workflows: list[WorkflowSpec]
    launch_plans: list[LaunchPlanSpec]
    roots: list[str]
    files: list[str]
    skipped: list[str]

    def registration(self, project: str, domain: str, code: CodePackage) -> Registration:
        """What ``updraft register`` stores: these specs under ``project``/``domain`` at
        `version`, running from ``code`` (see `updraft.store.store_package`)."""
        return Registration(
            project=project,
            domain=domain,
            version=self.version,
            tasks=tuple(self.tasks),
            workflows=tuple(self.workflows),
            launch_plans=tuple(self.launch_plans),
            code=code,
        )


def build_package(files: Sequence[str], *, version: str | None = None) -> PackageBuild:
    """Load workflow files, collect what they define and zip their project roots.

    Args:
        files: paths of the user's workflow files, e.g. ``["examples/diabetes/workflow.py"]``.
        version: the version to register under; the content hash of code and specs if None.

    Returns:
        The `PackageBuild`.

    Raises:
        FileNotFoundError: a path is not a file.
        PackageBuildError: a task is shipped by value (defined in ``__main__``, a test module
            or inside a function), a module of the same name is already imported from another
            file, two entities share a name with different content, a launch plan names a
            workflow the files do not define, the version is malformed, or a project root
            holds more than `MAX_TOTAL_BYTES`.
        updraft.compiler.CompileError: a workflow in the files does not compile.

    Example:
        >>> build = build_package(["examples/diabetes/workflow.py"])
        >>> [t.name for t in build.tasks]
        ['workflow.fit', 'workflow.predict', 'workflow.score', 'workflow.split_traintest_dataset']
    """
    if not files:
        raise PackageBuildError("no workflow files given; name at least one .py file")
    if version is not None and not _VERSION.match(version):
        raise PackageBuildError(
            f"version {version!r} is not valid: use 1 to 128 letters, digits, '.', '_', '+' "
            "or '-', starting with a letter or digit (e.g. v1 or 2024.06.01)"
        )
    modules = [_load(path) for path in files]
    tasks, workflows, plans = _collect(modules)
    roots = sorted({module_for_file(path)[1] for path in files})
    members, skipped = _project_files(roots)
    workflows = {
        name: _package_file_defaults(spec, _python_workflow(modules, name), roots, members)
        for name, spec in workflows.items()
    }
    archive = _zip(members)
    digest = package_digest(archive)
    task_list = [tasks[name] for name in sorted(tasks)]
    workflow_list = [workflows[name] for name in sorted(workflows)]
    plan_list = [plans[name] for name in sorted(plans)]
    return PackageBuild(
        archive=archive,
        digest=digest,
        version=version or _content_version(digest, task_list, workflow_list, plan_list),
        tasks=task_list,
        workflows=workflow_list,
        launch_plans=plan_list,
        roots=roots,
        files=sorted(members),
        skipped=skipped,
    )


#: URI scheme of a default input file that travels inside the code package; the server
#: resolves it to the file in the extracted package.
PACKAGE_FILE_SCHEME = "package://"


def _python_workflow(modules: Sequence[Any], name: str) -> Workflow[Any, Any] | None:
    for module in modules:
        for entity in entities(module).values():
            if isinstance(entity, Workflow) and entity.name == name:
                return entity
    return None


def _package_file_defaults(
    spec: WorkflowSpec,
    workflow: Workflow[Any, Any] | None,
    roots: Sequence[str],
    members: dict[str, str],
) -> WorkflowSpec:
    """Give a workflow's local-file defaults a value the server can use (DESIGN: default
    inputs that are local files are uploaded when a workflow is registered).

    A default ``File`` becomes a blob literal with its content hash, pointing into the code
    package: at its place under the project root, or added under ``_defaults/``.
    """
    if workflow is None:
        return spec
    inputs = dict(spec.interface.inputs)
    for name, info in workflow.python_interface.inputs.items():
        param = inputs.get(name)
        if param is None or param.default is not None or not info.has_default:
            continue
        if param.type.kind != "file":
            continue
        path = os.path.abspath(str(getattr(info.default, "path", info.default)))
        if not os.path.isfile(path):
            raise PackageBuildError(
                f"workflow {spec.name!r}: the default of input {name!r} is {path!r}, which is "
                "not a file; fix the default or give the input at launch"
            )
        digest = hashlib.sha256(_read(path)).hexdigest()
        member = next(
            (m for m, p in members.items() if os.path.realpath(p) == os.path.realpath(path)),
            None,
        )
        if member is None:
            member = f"_defaults/{digest[:16]}-{os.path.basename(path)}"
            members[member] = path
        blob = Blob(
            uri=PACKAGE_FILE_SCHEME + member,
            hash=digest,
            kind="file",
            format=os.path.splitext(path)[1].lstrip("."),
            size=os.path.getsize(path),
            preview=os.path.basename(path),
        )
        inputs[name] = msgspec.structs.replace(param, default=blob, has_default=True)
    interface = msgspec.structs.replace(spec.interface, inputs=inputs)
    return msgspec.structs.replace(spec, interface=interface)


def _load(path: str) -> Any:
    module = load_file(path)
    loaded = getattr(module, "__file__", None) or ""
    if os.path.realpath(loaded) != os.path.realpath(path):
        raise PackageBuildError(
            f"cannot package {path!r}: its module {module.__name__!r} is already imported "
            f"from {loaded!r} in this process. Package each copy of a project in its own "
            "process."
        )
    return module


def _collect(
    modules: Sequence[Any],
) -> tuple[dict[str, TaskSpec], dict[str, WorkflowSpec], dict[str, LaunchPlanSpec]]:
    """Every task, workflow and launch plan of ``modules``, keyed by name."""
    tasks: dict[str, TaskSpec] = {}
    workflows: dict[str, WorkflowSpec] = {}
    plans: dict[str, LaunchPlanSpec] = {}
    for module in modules:
        found = list(entities(module).values())
        for entity in found:  # workflows first, so a refusal names the workflow calling a task
            if isinstance(entity, Workflow):
                _add("workflow", workflows, entity.spec)
                for python_task in entity.tasks.values():
                    _add_task(tasks, python_task, entity.name)
        for entity in found:
            if isinstance(entity, PythonTask):
                _add_task(tasks, entity, None)
    for module in modules:
        for spec in _launch_plans(module, workflows):
            _add("launch plan", plans, spec)
    for plan in plans.values():
        if plan.workflow not in workflows:
            raise PackageBuildError(
                f"launch plan {plan.name!r} launches workflow {plan.workflow!r}, which the "
                f"files do not define (they define: {', '.join(sorted(workflows)) or 'none'}). "
                "Package the file that defines the workflow too."
            )
    return tasks, workflows, plans


def _launch_plans(module: Any, workflows: dict[str, WorkflowSpec]) -> list[LaunchPlanSpec]:
    """The launch plans a module holds at top level, and those defined for its workflows
    without being kept in a variable (`updraft.sdk.LaunchPlan.registered`)."""
    plan_class = getattr(updraft.sdk, "LaunchPlan", None)
    if not isinstance(plan_class, type):
        return []
    candidates = [v for v in list(vars(module).values()) if isinstance(v, plan_class)]
    registered = getattr(plan_class, "registered", None)
    if callable(registered):
        candidates += [p for p in registered() if getattr(p.spec, "workflow", None) in workflows]
    specs = [getattr(plan, "spec", None) for plan in candidates]
    return [spec for spec in specs if isinstance(spec, LaunchPlanSpec)]


def _add_task(tasks: dict[str, TaskSpec], task: PythonTask[Any, Any], used_by: str | None) -> None:
    if task.identity.by_value:
        where = f" (called by workflow {used_by!r})" if used_by else ""
        raise PackageBuildError(
            f"task {task.name!r}{where} cannot be registered: it is defined in __main__, a "
            "test module or inside a function, so it would be shipped by value, and workers "
            "import registered tasks by name from the code package. Move it to the top level "
            "of a module file (not named test_*.py) and import it from there."
        )
    _add("task", tasks, task.spec)


def _add(kind: str, found: dict[str, Any], spec: Any) -> None:
    existing = found.get(spec.name)
    if existing is not None and content_hash(existing) != content_hash(spec):
        raise PackageBuildError(
            f"two different {kind}s are named {spec.name!r} in the files given; a name "
            f"identifies one {kind} in a registration. Rename one of them."
        )
    found[spec.name] = spec


def _content_version(
    digest: str,
    tasks: list[TaskSpec],
    workflows: list[WorkflowSpec],
    plans: list[LaunchPlanSpec],
) -> str:
    """The default version: the code's digest and every spec's canonical JSON, hashed."""
    hasher = hashlib.sha256(digest.encode())
    for kind, specs in (("task", tasks), ("workflow", workflows), ("launch_plan", plans)):
        for spec in specs:
            hasher.update(f"\0{kind}\0".encode())
            hasher.update(canonical_json(spec))
    return hasher.hexdigest()[:16]


# -- the archive ---------------------------------------------------------------------------


def _project_files(roots: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Member name -> file path for everything packed from ``roots``, and the skipped files.

    Hidden files and folders, ``__pycache__``, virtual environments, compiled bytecode and
    written packages are left out; so are files over `MAX_FILE_BYTES`.
    """
    members: dict[str, str] = {}
    skipped: list[str] = []
    total = 0
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_FOLDERS)
            for name in sorted(names):
                path = os.path.join(folder, name)
                if name.startswith(".") or name.endswith(_SKIPPED_SUFFIXES):
                    continue
                if not os.path.isfile(path):
                    continue
                size = os.path.getsize(path)
                if size > MAX_FILE_BYTES:
                    skipped.append(path)
                    continue
                total += size
                if total > MAX_TOTAL_BYTES:
                    raise PackageBuildError(
                        f"the project root {root!r} holds more than "
                        f"{MAX_TOTAL_BYTES // 2**20} MiB of files; it does not look like a "
                        "project. Put the workflow in its own folder (the first folder upward "
                        "without an __init__.py is what gets packaged)."
                    )
                member = os.path.relpath(path, root).replace(os.sep, "/")
                _add_member(members, member, path)
    return members, skipped


def _add_member(members: dict[str, str], member: str, path: str) -> None:
    other = members.get(member)
    if other is not None and _read(other) != _read(path):
        raise PackageBuildError(
            f"{path!r} and {other!r} would both be packaged as {member!r} with different "
            "contents; the files given come from two project roots that overlap. Package "
            "them separately or rename one."
        )
    members[member] = path


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _zip(members: dict[str, str]) -> bytes:
    """A zip of ``members`` whose bytes depend only on the names and contents."""
    return _deterministic_zip(
        ((name, _read(members[name])) for name in sorted(members)), zipfile.ZIP_DEFLATED
    )


def _deterministic_zip(entries: Iterable[tuple[str, bytes]], compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.create_system = 3
            info.external_attr = _FILE_MODE << 16
            info.compress_type = compression
            archive.writestr(info, data, compresslevel=6 if compression else None)
    return buffer.getvalue()


# -- package files -------------------------------------------------------------------------


def write_package(build: PackageBuild, path: str) -> str:
    """Write ``build`` to one file that ``updraft register`` can upload later.

    The file is a zip holding ``code.zip`` (the archive) and ``registration.json`` (the
    specs and version, with ``project`` and ``domain`` empty: they are chosen when
    registering). It is written to a temporary name and renamed, so it is never half there.

    Returns:
        The absolute path written.

    Example:
        >>> write_package(build, "dist/diabetes.updraft")
        '/home/me/project/dist/diabetes.updraft'
    """
    path = os.path.abspath(path)
    registration = build.registration("", "", CodePackage(uri=_CODE_MEMBER, digest=build.digest))
    data = _deterministic_zip(
        [
            (_CODE_MEMBER, build.archive),
            (_REGISTRATION_MEMBER, msgspec.json.encode(registration)),
        ],
        zipfile.ZIP_STORED,
    )
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".package-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def read_package(path: str) -> tuple[bytes, Registration]:
    """The code archive and registration in a file written by `write_package`.

    The registration has empty ``project`` and ``domain`` and no ``code``: set them with
    ``msgspec.structs.replace`` once the archive is stored.

    Raises:
        FileNotFoundError: no file at ``path``.
        PackageBuildError: the file is not a package, or its archive does not match the
            digest recorded with it.

    Example:
        >>> archive, registration = read_package("dist/diabetes.updraft")
        >>> registration.version
        '5f0c2a7e91d3b4a8'
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no package file at {path!r}; build one with `updraft package`")
    try:
        with zipfile.ZipFile(path) as package:
            archive = package.read(_CODE_MEMBER)
            registration = msgspec.json.decode(
                package.read(_REGISTRATION_MEMBER), type=Registration
            )
    except (zipfile.BadZipFile, KeyError, msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise PackageBuildError(
            f"{path!r} is not an updraft package ({exc}); expected a zip holding "
            f"{_CODE_MEMBER} and {_REGISTRATION_MEMBER}, as `updraft package` writes"
        ) from None
    recorded = registration.code.digest if registration.code else None
    actual = package_digest(archive)
    if recorded != actual:
        raise PackageBuildError(
            f"package {path!r} is damaged: its {_CODE_MEMBER} hashes to {actual}, but the "
            f"package records {recorded}. Build it again with `updraft package`."
        )
    return archive, msgspec.structs.replace(registration, code=None)
