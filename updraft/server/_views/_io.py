"""Inputs and outputs of an execution and of its nodes, typed and rendered for display.

A node's inputs are not recorded on the node: they are what its bindings stand for, so they
are resolved here the way the engine resolves them (workflow inputs, constants and the
outputs of upstream nodes), with one difference: a binding whose upstream node has not
produced its value yet is shown as not available instead of failing. A node of a nested
workflow resolves in that workflow's scope, whose inputs are the inputs of the node that
runs it; a conditional's arm resolves beside the conditional, as it is written.
"""

from __future__ import annotations

from updraft.model import (
    Binding,
    Collection,
    InputRef,
    ListBinding,
    Literal,
    LiteralType,
    Map,
    MapBinding,
    NodeSpec,
    OutputRef,
    ValueBinding,
    node_outputs,
)
from updraft.server._schemas import IoView, ValueView
from updraft.server._views._records import Records, Scope, SpecCache
from updraft.server._views._values import render
from updraft.store import BlobStore

#: Nesting deeper than this is a corrupt record (a node that is its own ancestor).
_MAX_DEPTH = 64


class _Resolver:
    """Finds nodes in their scopes and resolves their bindings."""

    def __init__(self, specs: SpecCache, records: Records) -> None:
        self.specs = specs
        self.records = records

    def locate(self, node_id: str, depth: int = 0) -> tuple[Scope, NodeSpec] | None:
        """The scope a node belongs to and its spec there; None for a node no spec
        describes."""
        if depth > _MAX_DEPTH:
            return None
        record = self.records.by_id.get(node_id)
        parent = record.parent if record is not None else None
        if parent is None:
            top = self.specs.find(self.records.execution.spec_hash)
            if top is None:
                return None
            return _find(Scope(top, top), node_id)
        located = self.locate(parent, depth + 1)
        if located is None:
            return None
        scope, parent_spec = located
        for arm_id, arm in scope.arms(parent_spec, parent):
            if arm_id == node_id:
                return scope, arm
        nested = self.specs.children_scope(scope, parent_spec, self.records.by_id.get(parent),
                                           parent)
        return None if nested is None else _find(nested, node_id)

    def scope_inputs(self, scope: Scope, depth: int) -> dict[str, Literal | None]:
        """A scope's workflow inputs: the execution's, or those of the node that runs it."""
        if scope.prefix is None:
            return dict(self.records.execution.inputs)
        located = self.locate(scope.prefix, depth + 1)
        if located is None:
            return {}
        return self.node_inputs(*located, depth=depth + 1)

    def node_inputs(
        self, scope: Scope, spec: NodeSpec, depth: int = 0
    ) -> dict[str, Literal | None]:
        inputs = self.scope_inputs(scope, depth)
        return {name: self.resolve(b, scope, inputs) for name, b in spec.inputs.items()}

    def resolve(
        self, binding: Binding, scope: Scope, inputs: dict[str, Literal | None]
    ) -> Literal | None:
        if isinstance(binding, InputRef):
            return inputs.get(binding.name)
        if isinstance(binding, OutputRef):
            return self.records.outputs_of(scope.record_id(binding.node)).get(binding.output)
        if isinstance(binding, ValueBinding):
            return binding.value
        if isinstance(binding, ListBinding):
            items = [self.resolve(b, scope, inputs) for b in binding.items]
            present = [i for i in items if i is not None]
            return Collection(tuple(present)) if len(present) == len(items) else None
        assert isinstance(binding, MapBinding)
        values = {k: self.resolve(b, scope, inputs) for k, b in binding.items.items()}
        kept = {k: v for k, v in values.items() if v is not None}
        return Map(kept) if len(kept) == len(values) else None


def _find(scope: Scope, node_id: str) -> tuple[Scope, NodeSpec] | None:
    for node in scope.spec.nodes:
        if scope.record_id(node.id) == node_id:
            return scope, node
    return None


def _types(scope: Scope, node: NodeSpec) -> tuple[dict[str, LiteralType], dict[str, LiteralType]]:
    """A node's input and output types, whatever its kind: a map's mapped inputs and its
    outputs are lists of its task's; a nested workflow's are its interface's."""
    inputs: dict[str, LiteralType] = {}
    if node.kind in ("subworkflow", "launchplan"):
        nested = scope.subworkflow(node.workflow)
        if nested is not None:
            inputs = {n: p.type for n, p in nested.interface.inputs.items()}
    elif node.kind in ("task", "map"):
        task = scope.task(node.task)
        if task is not None:
            inputs = {n: p.type for n, p in task.interface.inputs.items()}
        if node.map is not None:
            for name in node.map.mapped:
                if name in inputs:
                    inputs[name] = LiteralType("list", (inputs[name],))
    try:
        outputs = node_outputs(scope.spec, node)
    except KeyError:  # names a task or subworkflow only the top-level spec has
        outputs = node_outputs(scope.top, node) if scope.spec is not scope.top else {}
    return inputs, outputs


def _views(
    values: dict[str, Literal | None],
    types: dict[str, LiteralType],
    blobs: BlobStore,
) -> dict[str, ValueView]:
    """Declared names first, in declared order, then any value the declaration lacks."""
    names = list(types) + [n for n in values if n not in types]
    return {name: render(values.get(name), types.get(name), blobs) for name in names}


def execution_io(specs: SpecCache, records: Records, blobs: BlobStore) -> IoView:
    """The execution's inputs and its outputs (not available until it succeeds)."""
    execution = records.execution
    spec = specs.find(execution.spec_hash)
    input_types = {n: p.type for n, p in spec.interface.inputs.items()} if spec else {}
    output_types = dict(spec.interface.outputs) if spec else {}
    inputs: dict[str, Literal | None] = dict(execution.inputs)
    outputs: dict[str, Literal | None] = dict(execution.outputs or {})
    return IoView(
        execution_id=execution.id,
        inputs=_views(inputs, input_types, blobs),
        outputs=_views(outputs, output_types, blobs),
    )


def node_inputs(
    specs: SpecCache, records: Records, node_id: str
) -> dict[str, Literal | None] | None:
    """The inputs a node's bindings stand for, None (not yet available) where an upstream
    node has not produced its value; None for a node no spec describes (a map's element)."""
    resolver = _Resolver(specs, records)
    located = resolver.locate(node_id)
    return None if located is None else resolver.node_inputs(*located)


def node_io(specs: SpecCache, records: Records, blobs: BlobStore, node_id: str) -> IoView:
    """A node's inputs (resolved from its bindings) and outputs, typed by its spec."""
    record = records.require(node_id)
    resolver = _Resolver(specs, records)
    located = resolver.locate(node_id)
    inputs: dict[str, Literal | None] = {}
    input_types: dict[str, LiteralType] = {}
    output_types: dict[str, LiteralType] = {}
    if located is not None:
        scope, spec = located
        inputs = resolver.node_inputs(scope, spec)
        input_types, output_types = _types(scope, spec)
        task = scope.task(spec.task) if spec.kind in ("task", "map") else None
        for name, param in (task.interface.inputs.items() if task is not None else ()):
            if name in spec.inputs or not param.has_default:
                continue
            if param.default is not None:
                inputs[name] = param.default  # the task's default, as the worker uses it
            else:  # a default only the task's Python code knows: nothing to show
                input_types.pop(name, None)
    outputs: dict[str, Literal | None] = dict(record.outputs or {})
    return IoView(
        execution_id=records.execution.id,
        node_id=node_id,
        inputs=_views(inputs, input_types, blobs),
        outputs=_views(outputs, output_types, blobs),
    )
