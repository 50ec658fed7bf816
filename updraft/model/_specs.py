"""What is registered and compiled: tasks, workflows and the bindings between their nodes.

Specs are immutable data. The compiler produces them, the store keeps them, the engine reads
them; none of those is imported here.
"""

from __future__ import annotations

import math

import msgspec

from updraft.model._literals import Literal, LiteralType

SCHEMA_VERSION = 1


class SourceLocation(msgspec.Struct, frozen=True):
    """Where a task, workflow or node was written, for error messages; not part of a hash."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Parameter(msgspec.Struct, frozen=True, omit_defaults=True):
    """One input of a task or workflow. ``default`` is set when the input is optional."""

    type: LiteralType
    default: Literal | None = None
    has_default: bool = False


class Interface(msgspec.Struct, frozen=True, omit_defaults=True):
    """Named, typed inputs and outputs. Output names follow DESIGN: ``o0``, ``o1``, ... for a
    tuple or single return, the field names for a NamedTuple."""

    inputs: dict[str, Parameter] = {}
    outputs: dict[str, LiteralType] = {}


class ResourceSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """Resources in canonical units: CPU cores, memory bytes, GPU count. None means unset."""

    cpu: float | None = None
    mem: int | None = None
    gpu: int | None = None


class CachePolicy(msgspec.Struct, frozen=True, omit_defaults=True):
    """Whether a task's outputs are reused for equal inputs, and the version that invalidates."""

    enabled: bool = False
    version: str = ""


#: How a task runs: ``python`` calls the function and records what it returns; ``dynamic``
#: calls it at execution time to build a sub-workflow from the actual input values, which
#: then runs as the node's children.
TASK_KINDS = ("python", "dynamic")


class TaskSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """A registered Python task.

    ``name`` is ``module.qualname`` with the module computed from the project root; it
    identifies the task for caching and registration. ``entry_point`` (``module:qualname``)
    is how a worker finds the function; ``by_value`` is set instead for tasks that are not
    importable by name (``__main__``, notebooks, tests) and holds the URI of the pickled
    callable.
    """

    name: str
    entry_point: str
    interface: Interface
    cache: CachePolicy = CachePolicy()
    retries: int = 0
    timeout_s: float | None = None
    requests: ResourceSpec = ResourceSpec()
    limits: ResourceSpec = ResourceSpec()
    environment: dict[str, str] = {}
    by_value: str | None = None
    location: SourceLocation | None = None
    docstring: str = ""
    kind: str = "python"
    schema_version: int = SCHEMA_VERSION


class InputRef(msgspec.Struct, frozen=True, tag="input"):
    """Binds to an input of the enclosing workflow."""

    name: str


class OutputRef(msgspec.Struct, frozen=True, tag="output"):
    """Binds to an output of another node: what flytekit calls a promise."""

    node: str
    output: str


class ValueBinding(msgspec.Struct, frozen=True, tag="value"):
    """A constant written in the workflow body."""

    value: Literal


class ListBinding(msgspec.Struct, frozen=True, tag="list"):
    """A list whose items may themselves be references, e.g. ``f(xs=[a, b])``."""

    items: tuple[Binding, ...]


class MapBinding(msgspec.Struct, frozen=True, tag="map"):
    """A dict whose values may themselves be references."""

    items: dict[str, Binding]


Binding = InputRef | OutputRef | ValueBinding | ListBinding | MapBinding


#: The entry point (``module:function``) a worker calls to build a dynamic task's
#: sub-workflow: ``expand(function, kwargs, request, blob_io) -> WorkflowSpec``. The engine
#: reaches it by this name and never imports it (DESIGN: the runner expands dynamic nodes).
DYNAMIC_EXPANDER = "updraft.runner._dynamic:expand"

#: The id of the node that runs a workflow's ``on_failure`` handler.
ON_FAILURE_NODE = "on_failure"

#: What a node does: call a task, map a task over lists, run a subworkflow's nodes as its
#: children, start a launch plan as a child execution, or pick one of several branches.
NODE_KINDS = ("task", "map", "subworkflow", "launchplan", "branch")

#: Comparison operators a condition may use, as written in a workflow body.
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class MapSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """How a map node runs its task: once per element of the ``mapped`` list inputs (zipped),
    the node's other inputs being the same for every element.

    ``concurrency`` caps how many elements run at once (None: as many as the executor takes).
    With ``min_success_ratio`` below 1 the node succeeds when that share of elements did,
    and a failed element's outputs are None.
    """

    mapped: tuple[str, ...]
    concurrency: int | None = None
    min_success_ratio: float = 1.0


def required_successes(min_success_ratio: float, total: int) -> int:
    """How many of ``total`` map elements must succeed for the map to succeed: the ratio's
    share rounded up, tolerant of float error (0.07 of 100 is 7, not 8)."""
    return min(total, max(0, math.ceil(min_success_ratio * total - 1e-9)))


class NodeOverrides(msgspec.Struct, frozen=True, omit_defaults=True):
    """What ``node.with_overrides(...)`` changes of the task for this one node."""

    requests: ResourceSpec | None = None
    limits: ResourceSpec | None = None
    retries: int | None = None
    timeout_s: float | None = None
    cache: bool | None = None
    cache_version: str | None = None


class Comparison(msgspec.Struct, frozen=True, tag="cmp"):
    """``left op right`` over workflow values, e.g. ``x > 0.5``."""

    op: str
    left: Binding
    right: Binding


class BoolOp(msgspec.Struct, frozen=True, tag="bool"):
    """``left & right`` (op ``and``) or ``left | right`` (op ``or``)."""

    op: str
    left: Condition
    right: Condition


Condition = Comparison | BoolOp


class BranchCase(msgspec.Struct, frozen=True, omit_defaults=True):
    """One arm of a conditional: taken when ``condition`` holds (None: the ``else`` arm);
    it runs ``node`` or, with ``fail`` set, fails the execution with that message."""

    condition: Condition | None = None
    node: NodeSpec | None = None
    fail: str = ""


class NodeSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """One call in a workflow body.

    ``id`` is stable (``n0``, ``n1``, ... in the order the body creates nodes; children of a
    node get ``n3-0``, ``n3-1``, ...). ``upstream`` lists every node this one waits for:
    those its bindings refer to and explicit ordering (``a >> b``).

    ``kind`` says what the node does (`NODE_KINDS`): ``task`` and ``map`` name a task in
    ``task``; ``subworkflow`` and ``launchplan`` name a spec in the workflow's
    ``subworkflows`` in ``workflow`` (a launch plan also in ``launch_plan``); ``branch``
    holds its arms in ``cases``.
    """

    id: str
    task: str
    name: str
    inputs: dict[str, Binding] = {}
    upstream: tuple[str, ...] = ()
    location: SourceLocation | None = None
    kind: str = "task"
    workflow: str = ""
    launch_plan: str = ""
    map: MapSpec | None = None
    cases: tuple[BranchCase, ...] = ()
    overrides: NodeOverrides | None = None


#: What a workflow does when a node fails: stop everything now, or let the nodes that do not
#: depend on the failure run to their end first.
FAILURE_POLICIES = ("fail_immediately", "fail_after_executable_nodes_complete")


class WorkflowSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """A compiled workflow: its interface, its nodes in creation order, its output bindings
    and the specs of every task and subworkflow it calls, so that one document is enough to
    run it.

    ``on_failure`` is a node run with the error (input ``error``) when the execution fails.
    """

    name: str
    interface: Interface
    nodes: tuple[NodeSpec, ...]
    outputs: dict[str, Binding]
    tasks: dict[str, TaskSpec]
    location: SourceLocation | None = None
    docstring: str = ""
    subworkflows: dict[str, WorkflowSpec] = {}
    failure_policy: str = "fail_immediately"
    on_failure: NodeSpec | None = None
    schema_version: int = SCHEMA_VERSION

    def node(self, node_id: str) -> NodeSpec:
        """The node with ``node_id``; raises KeyError naming the workflow if absent."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(f"workflow {self.name!r} has no node {node_id!r}")


def binding_refs(binding: Binding) -> list[OutputRef]:
    """Every node output a binding reads, in order."""
    if isinstance(binding, OutputRef):
        return [binding]
    if isinstance(binding, ListBinding):
        return [r for b in binding.items for r in binding_refs(b)]
    if isinstance(binding, MapBinding):
        return [r for b in binding.items.values() for r in binding_refs(b)]
    return []


def condition_refs(condition: Condition) -> list[OutputRef]:
    """Every node output a condition reads, in order."""
    if isinstance(condition, Comparison):
        return binding_refs(condition.left) + binding_refs(condition.right)
    return condition_refs(condition.left) + condition_refs(condition.right)


def node_outputs(spec: WorkflowSpec, node: NodeSpec) -> dict[str, LiteralType]:
    """The outputs a node of ``spec`` produces, by name, whatever its kind.

    A map's outputs are lists of its task's (of optionals when elements may fail); a branch
    produces what its arms do (the compiler checks they agree).
    """
    if node.kind in ("subworkflow", "launchplan"):
        return dict(spec.subworkflows[node.workflow].interface.outputs)
    if node.kind == "branch":
        for case in node.cases:
            if case.node is not None:
                return node_outputs(spec, case.node)
        return {}
    outputs = spec.tasks[node.task].interface.outputs
    if node.kind == "map" and node.map is not None:
        optional = node.map.min_success_ratio < 1.0
        return {
            name: LiteralType("list", (optional_of(lt) if optional else lt,))
            for name, lt in outputs.items()
        }
    return dict(outputs)


def optional_of(item: LiteralType) -> LiteralType:
    """``Optional[item]`` as the type engine spells it: the union of ``item`` and None.

    A value of it is ``UnionValue(0, value)``, or ``UnionValue(1, Scalar(None))`` for None.
    """
    return LiteralType("union", (item, LiteralType("none")))
