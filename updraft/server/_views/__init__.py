"""Read-only aggregates for the web console's pages: graph, timeline, map elements, inputs
and outputs, launch forms, blob downloads and the executions list's input summaries.

Each view reads the store once (the execution with its node records) and the specs it needs
(cached by hash), and answers what one page draws, so the browser never replays events. This
package only reads: every change of an execution goes through the launcher or the engine.
It builds on the store and the model (and the type engine for rendering values); routes in
``_routes_console`` call it.
"""

from __future__ import annotations

from updraft.model import EntityId
from updraft.server._schemas import (
    ExecutionGraph,
    ExecutionTimeline,
    IoView,
    LaunchForm,
    MapElements,
)
from updraft.server._views._downloads import Download, open_download
from updraft.server._views._forms import launch_form
from updraft.server._views._graph import build_graph, map_elements
from updraft.server._views._io import execution_io, node_inputs, node_io
from updraft.server._views._records import Records, SpecCache
from updraft.server._views._summary import inputs_summary
from updraft.server._views._timeline import build_timeline
from updraft.store import BlobStore, MetadataStore, RegistryStore

__all__ = ["ConsoleViews", "Download", "Records", "SpecCache", "inputs_summary", "node_inputs"]


class ConsoleViews:
    """The console's views over one store; one per application (it caches specs).

    Example:
        >>> views = ConsoleViews(store, store, blobs)
        >>> views.graph(execution_id).nodes[0].phase
        'SUCCEEDED'
    """

    def __init__(self, store: MetadataStore, registry: RegistryStore, blobs: BlobStore) -> None:
        self.store = store
        self.registry = registry
        self.blobs = blobs
        self.specs = SpecCache(store)

    def _records(self, execution_id: str) -> Records:
        document = self.store.get_document(execution_id)
        return Records.of(document.execution, document.nodes)

    def graph(self, execution_id: str) -> ExecutionGraph:
        """The execution's nodes and edges with each node's state; see `ExecutionGraph`."""
        return build_graph(self.specs, self._records(execution_id))

    def timeline(self, execution_id: str) -> ExecutionTimeline:
        """One bar per attempt (per batch for map nodes); see `ExecutionTimeline`."""
        return build_timeline(self.store, self._records(execution_id))

    def elements(
        self, execution_id: str, node_id: str, offset: int, limit: int
    ) -> MapElements:
        """A page of a map node's elements; see `MapElements`."""
        return map_elements(self.store, self._records(execution_id), node_id, offset, limit)

    def execution_io(self, execution_id: str) -> IoView:
        """The execution's inputs and outputs rendered for display."""
        return execution_io(self.specs, self._records(execution_id), self.blobs)

    def node_io(self, execution_id: str, node_id: str) -> IoView:
        """A node's resolved inputs and its outputs rendered for display."""
        return node_io(self.specs, self._records(execution_id), self.blobs, node_id)

    def form(self, kind: str, entity_id: EntityId) -> LaunchForm:
        """The launch form of a registered workflow or launch plan."""
        return launch_form(self.registry, kind, entity_id)

    def download(self, uri: str) -> Download:
        """A blob of the store, ready to send."""
        return open_download(self.blobs, uri)
