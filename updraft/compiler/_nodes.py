"""The nodes a body's calls make, while the body is traced, and what the body sees of
their outputs. Plain records: the tracer fills them, `TracedNode.spec` freezes them."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from updraft.model import (
    Binding,
    BranchCase,
    LiteralType,
    MapSpec,
    NodeOverrides,
    NodeSpec,
    SourceLocation,
)


@dataclasses.dataclass(frozen=True)
class NodeOutputs:
    """A node's outputs as the body sees them: Python annotations, literal types, and how
    named promises are packed into what the call returns (one value, a tuple, ...)."""

    annotations: dict[str, Any]
    types: dict[str, LiteralType]
    pack: Callable[[dict[str, Any]], Any]


def _pack_none(_: dict[str, Any]) -> Any:
    return None


NO_OUTPUTS = NodeOutputs({}, {}, _pack_none)


def outputs_of(interface: Any) -> NodeOutputs:
    """The `NodeOutputs` of a `PythonInterface` (a task's or a workflow's)."""
    return NodeOutputs(interface.outputs, interface.output_types, interface.outputs_from_dict)


@dataclasses.dataclass
class TracedNode:
    """A node while its body is traced; `spec` freezes it into a `NodeSpec`."""

    id: str
    name: str
    kind: str
    location: SourceLocation | None
    inputs: dict[str, Binding] = dataclasses.field(default_factory=dict)
    upstream: list[str] = dataclasses.field(default_factory=list)
    task: str = ""
    workflow: str = ""
    launch_plan: str = ""
    map: MapSpec | None = None
    cases: list[BranchCase] = dataclasses.field(default_factory=list)
    overrides: NodeOverrides | None = None
    python_task: Any = None
    outputs: NodeOutputs = NO_OUTPUTS

    def spec(self) -> NodeSpec:
        return NodeSpec(
            id=self.id,
            task=self.task,
            name=self.name,
            inputs=self.inputs,
            upstream=tuple(self.upstream),
            location=self.location,
            kind=self.kind,
            workflow=self.workflow,
            launch_plan=self.launch_plan,
            map=self.map,
            cases=tuple(self.cases),
            overrides=self.overrides,
        )

    def wait_for(self, node_id: str) -> None:
        if node_id not in self.upstream:
            self.upstream.append(node_id)


def location_of(frame: FrameType | None) -> SourceLocation | None:
    """The file and line a frame is at."""
    return SourceLocation(file=frame.f_code.co_filename, line=frame.f_lineno) if frame else None


def user_frame() -> FrameType | None:
    """The innermost frame outside updraft itself: the line of the body being traced."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not (module == "updraft" or module.startswith("updraft.")):
            return frame
        frame = frame.f_back
    return None


