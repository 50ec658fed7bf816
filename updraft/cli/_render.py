"""How executions look in a terminal: tables, outputs and the live progress display."""

from __future__ import annotations

import sys
import time
from typing import Any

from updraft.model import (
    Blob,
    Collection,
    ExecutionDocument,
    Literal,
    Map,
    NodeExecution,
    Scalar,
    UnionValue,
)

_PHASE_STYLE = {
    "SUCCEEDED": "green",
    "FAILED": "red",
    "TIMED_OUT": "red",
    "ABORTED": "yellow",
    "RUNNING": "cyan",
    "QUEUED": "dim",
    "RECOVERED": "green",
    "SKIPPED": "dim",
}


def console() -> Any:
    """A rich console; wide when output goes to a file, so ids and names are never wrapped."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=200)


def literal_text(literal: Literal) -> str:
    """A short human form of a stored value: blobs by URI and preview."""
    if isinstance(literal, Scalar):
        return repr(literal.value)
    if isinstance(literal, Blob):
        return f"{literal.uri}" + (f" ({literal.preview})" if literal.preview else "")
    if isinstance(literal, Collection):
        return "[" + ", ".join(literal_text(i) for i in literal.items) + "]"
    if isinstance(literal, Map):
        return "{" + ", ".join(f"{k}: {literal_text(v)}" for k, v in literal.items.items()) + "}"
    assert isinstance(literal, UnionValue)
    return literal_text(literal.value)


def _duration(node: NodeExecution) -> str:
    return "" if node.duration_s is None else f"{node.duration_s:.2f}s"


def _tree_order(nodes: list[NodeExecution]) -> list[tuple[int, NodeExecution]]:
    """Nodes with their depth, each parent followed by its children (children of a
    subworkflow, dynamic or branch node are recorded after the top-level nodes)."""
    children: dict[str | None, list[NodeExecution]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    ordered: list[tuple[int, NodeExecution]] = []

    def walk(parent: str | None, depth: int) -> None:
        for node in children.get(parent, ()):
            ordered.append((depth, node))
            walk(node.node_id, depth + 1)

    walk(None, 0)
    known = {n.node_id for _, n in ordered}
    ordered += [(0, n) for n in nodes if n.node_id not in known]
    return ordered


def _detail(node: NodeExecution) -> str:
    """What a node that runs others did: its elements, or the execution it started."""
    if node.elements is not None:
        counts = node.elements
        text = f"{counts.succeeded}/{counts.total} elements"
        if counts.failed:
            text += f", {counts.failed} failed"
        if counts.cached:
            text += f", {counts.cached} cached"
        return text
    if node.child_execution:
        return f"execution {node.child_execution}"
    return ""


def nodes_table(document: ExecutionDocument, limit: int = 200) -> Any:
    """A rich table of an execution's nodes, children indented under their parent."""
    from rich.table import Table

    table = Table(title=f"execution {document.execution.id} ({document.execution.workflow})")
    for column in ("node", "name", "kind", "phase", "attempts", "cache", "duration", "detail"):
        table.add_column(column)
    ordered = _tree_order(document.nodes)
    for depth, node in ordered[:limit]:
        style = _PHASE_STYLE.get(node.phase.value, "")
        table.add_row(
            node.node_id,
            "  " * depth + node.name,
            node.kind,
            f"[{style}]{node.phase.value}[/]" if style else node.phase.value,
            str(node.attempts),
            node.cache.value,
            _duration(node),
            _detail(node),
        )
    if len(document.nodes) > limit:
        table.caption = f"... and {len(document.nodes) - limit} more nodes"
    return table


class LiveProgress:
    """A live view of node phases while a run is going, redrawn at most 8 times a second."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.console = Console(file=sys.stderr)
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            console=self.console,
            refresh_per_second=8,
            transient=False,
        )
        self.task_id = self.progress.add_task("nodes", total=total, detail="")
        self.last = 0.0
        self.state: Any = None

    def __enter__(self) -> LiveProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.state is not None:
            self._draw(self.state)
        self.progress.stop()

    def __call__(self, state: Any, node: NodeExecution | None) -> None:
        self.state = state
        now = time.monotonic()
        if now - self.last >= 0.1:
            self.last = now
            self._draw(state)

    def _draw(self, state: Any) -> None:
        # Children join as their parents start, so the total grows with the run.
        nodes = state.nodes.values()
        done = sum(1 for n in nodes if n.phase.terminal)
        running = [
            f"{n.name} ({_detail(n)})" if n.elements is not None else n.name
            for n in nodes if n.phase.value == "RUNNING"
        ]
        detail = ("running: " + ", ".join(running[:4])) if running else ""
        if len(running) > 4:
            detail += f" +{len(running) - 4}"
        self.progress.update(self.task_id, completed=done, total=len(state.nodes),
                             detail=detail)
