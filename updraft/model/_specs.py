"""What is registered and compiled: tasks, workflows and the bindings between their nodes.

Specs are immutable data. The compiler produces them, the store keeps them, the engine reads
them; none of those is imported here.
"""

from __future__ import annotations

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


class NodeSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """One call of a task in a workflow body.

    ``id`` is stable (``n0``, ``n1``, ... in the order the body creates nodes). ``upstream``
    lists every node this one waits for: those its bindings refer to and explicit ordering.
    """

    id: str
    task: str
    name: str
    inputs: dict[str, Binding] = {}
    upstream: tuple[str, ...] = ()
    location: SourceLocation | None = None


class WorkflowSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """A compiled workflow: its interface, its nodes in creation order, its output bindings
    and the specs of every task it calls, so that one document is enough to run it."""

    name: str
    interface: Interface
    nodes: tuple[NodeSpec, ...]
    outputs: dict[str, Binding]
    tasks: dict[str, TaskSpec]
    location: SourceLocation | None = None
    docstring: str = ""
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
