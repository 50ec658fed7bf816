"""Runs a map node: its task once per element of the zipped list inputs, in batches.

Elements are handed to workers in batches (one attempt carries many elements), which is what
makes a map of 10,000 trivial elements cost tens of microseconds per element rather than a
full attempt each. Each element still has its own cache entry, its own retries and its own
outcome; they are recorded packed, one `MapBatch` row per batch (DESIGN, "Persistence on
the hot path"). An element retried after its whole batch failed (a worker that died, a
timeout) runs alone, so one bad element cannot sink the others again.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import time

from updraft.model import (
    CacheStatus,
    Collection,
    ElementCounts,
    ErrorInfo,
    Literal,
    MapBatch,
    MapSpec,
    Outcome,
    Scalar,
    TaskSpec,
    UnionValue,
    required_successes,
)

#: The most elements one batch carries: large enough to amortise an attempt, small enough
#: that progress shows and a batch result stays a few hundred kilobytes.
MAX_BATCH = 1000
#: The fewest elements a batch carries, while enough are pending, once elements have shown
#: they take under `FAST_ELEMENT_S`: below this, an attempt's own cost (a message each way,
#: a result to record) outweighs such elements.
FAST_BATCH = 256
FAST_ELEMENT_S = 0.002
#: Cache lookups go to the store this many keys at a time.
LOOKUP_CHUNK = 500

PENDING, RUNNING, SUCCEEDED, FAILED = 0, 1, 2, 3

_RETRYABLE = (Outcome.USER_ERROR, Outcome.TIMED_OUT, Outcome.OOM)
#: What a batch failing as a whole says about the batch, not about any one element in it.
_SHARED_FAILURES = (Outcome.SYSTEM_ERROR, Outcome.TIMED_OUT, Outcome.OOM)

#: How one element ended: its outcome, outputs (when it succeeded) and error (when not).
ElementOutcome = tuple[Outcome, dict[str, Literal] | None, ErrorInfo | None]


class MapInputError(ValueError):
    """The mapped inputs are not lists of equal length."""


@dataclasses.dataclass
class MapRun:
    """The elements of one map node and where each of them is."""

    node_id: str
    task: TaskSpec
    spec: MapSpec
    fixed: dict[str, Literal]
    columns: dict[str, tuple[Literal, ...]]
    size: int
    status: list[int]
    attempts: list[int]
    outputs: list[dict[str, Literal] | None]
    errors: list[ErrorInfo | None]
    pending: collections.deque[int]
    #: Elements to run one per batch: their batch failed as a whole before.
    solo: set[int] = dataclasses.field(default_factory=set)
    in_flight: dict[str, MapBatch] = dataclasses.field(default_factory=dict)
    next_batch: int = 0
    #: Running counts, kept as elements change so that progress costs nothing per element.
    succeeded: int = 0
    failed: int = 0
    cached_count: int = 0
    running: int = 0
    #: Whether finished batches showed elements taking under `FAST_ELEMENT_S` each.
    fast: bool = False
    system_failures: list[int] = dataclasses.field(default_factory=list)

    @classmethod
    def start(
        cls, node_id: str, task: TaskSpec, spec: MapSpec, inputs: dict[str, Literal]
    ) -> MapRun:
        """Split a map node's inputs into the mapped lists and the fixed rest.

        Raises:
            MapInputError: a mapped input is not a list, or the lists differ in length.
        """
        columns: dict[str, tuple[Literal, ...]] = {}
        for name in spec.mapped:
            value = inputs.get(name)
            if not isinstance(value, Collection):
                raise MapInputError(
                    f"mapped input {name!r} is not a list (got {type(value).__name__})"
                )
            columns[name] = value.items
        lengths = {name: len(items) for name, items in columns.items()}
        if len(set(lengths.values())) > 1:
            described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
            raise MapInputError(
                f"mapped inputs must have equal lengths to be zipped, but {described}; "
                "pass lists of the same length"
            )
        size = next(iter(lengths.values()), 0)
        fixed = {k: v for k, v in inputs.items() if k not in columns}
        return cls(
            node_id=node_id,
            task=task,
            spec=spec,
            fixed=fixed,
            columns=columns,
            size=size,
            status=[PENDING] * size,
            attempts=[0] * size,
            outputs=[None] * size,
            errors=[None] * size,
            pending=collections.deque(range(size)),
            system_failures=[0] * size,
        )

    # -- what was recorded before --------------------------------------------------------

    def restore(self, batches: list[MapBatch]) -> None:
        """Take back what earlier batches of this node recorded (a resumed run): elements
        that succeeded keep their outputs; the others run again with their attempts
        counted."""
        cached: set[int] = set()
        for batch in batches:
            for i, index in enumerate(batch.indices):
                if index >= self.size:
                    continue
                self.attempts[index] = max(self.attempts[index], batch.attempts[i])
                if batch.outcomes[i] == Outcome.SUCCEEDED:
                    self.status[index] = SUCCEEDED
                    self.outputs[index] = batch.outputs[i]
                    if batch.cache == CacheStatus.HIT:
                        cached.add(index)
                    else:
                        cached.discard(index)
        self.next_batch = max((b.batch + 1 for b in batches), default=0)
        self.pending = collections.deque(
            i for i in range(self.size) if self.status[i] != SUCCEEDED
        )
        self.succeeded = self.size - len(self.pending)
        self.cached_count = len(cached)

    # -- elements ------------------------------------------------------------------------

    def element_inputs(self, index: int) -> dict[str, Literal]:
        """The inputs of one element that differ between elements (the mapped ones)."""
        return {name: items[index] for name, items in self.columns.items()}

    def batch_size(self, workers: int) -> int:
        """How many pending elements the next batch takes.

        About an eighth of each worker's share of what is pending, so that work spreads
        over the workers and the last batches are small; once elements have proved fast,
        at least `FAST_BATCH` (an attempt's own cost would dominate otherwise); one element
        when the task has a timeout, which is per element; never over `MAX_BATCH` or what
        ``concurrency`` leaves free, split over the workers.
        """
        pending = len(self.pending)
        if pending == 0 or self.task.timeout_s:
            return 1
        workers = max(1, workers)
        size = math.ceil(pending / (4 * workers))
        if self.fast:
            size = max(size, min(FAST_BATCH, math.ceil(pending / workers)))
        size = min(size, MAX_BATCH)
        if self.spec.concurrency:
            share = math.ceil(self.spec.concurrency / workers)
            size = min(size, share, max(1, self.spec.concurrency - self.running))
        return max(1, size)

    def max_in_flight(self, workers: int) -> int:
        """Batches worth having at the executor at once: two per worker. Later batches are
        sized when earlier ones have shown how fast elements are."""
        return 2 * max(1, workers)

    def can_start(self) -> bool:
        """Whether another batch may start now (``concurrency`` caps elements in flight)."""
        if not self.pending:
            return False
        return not (self.spec.concurrency and self.running >= self.spec.concurrency)

    def take(self, size: int) -> list[int]:
        """Up to ``size`` pending elements for a batch (one, when the first is solo)."""
        taken: list[int] = []
        while self.pending and len(taken) < size:
            index = self.pending[0]
            if index in self.solo:
                if taken:
                    break
                self.pending.popleft()
                return [index]
            taken.append(self.pending.popleft())
        return taken

    def open_batch(self, attempt_id: str, indices: list[int], worker: str = "") -> MapBatch:
        """Record a batch as started: its elements are RUNNING in a new attempt each."""
        for index in indices:
            self.status[index] = RUNNING
            self.attempts[index] += 1
        self.running += len(indices)
        batch = MapBatch(
            node_id=self.node_id,
            batch=self.next_batch,
            indices=indices,
            attempts=[self.attempts[i] for i in indices],
            outcomes=[None] * len(indices),
            outputs=[None] * len(indices),
            errors=[None] * len(indices),
            cache=CacheStatus.MISS if self.task.cache.enabled else CacheStatus.DISABLED,
            started_at=time.time(),
            worker_id=worker,
        )
        self.next_batch += 1
        self.in_flight[attempt_id] = batch
        return batch

    def cache_hits(self, hits: dict[int, dict[str, Literal]]) -> MapBatch:
        """Record elements served from the cache as one batch of hits."""
        indices = sorted(hits)
        now = time.time()
        for index in indices:
            self.status[index] = SUCCEEDED
            self.outputs[index] = hits[index]
        self.succeeded += len(indices)
        self.cached_count += len(indices)
        pending = set(indices)
        self.pending = collections.deque(i for i in self.pending if i not in pending)
        batch = MapBatch(
            node_id=self.node_id,
            batch=self.next_batch,
            indices=indices,
            attempts=[self.attempts[i] for i in indices],
            outcomes=[Outcome.SUCCEEDED] * len(indices),
            outputs=[hits[i] for i in indices],
            errors=[None] * len(indices),
            cache=CacheStatus.HIT,
            started_at=now,
            ended_at=now,
        )
        self.next_batch += 1
        return batch

    def settle(
        self,
        attempt_id: str,
        outcomes: list[ElementOutcome],
        *,
        ended_at: float,
        worker_id: str,
        log_uri: str,
        system_retries: int,
        whole_batch: bool = False,
        elapsed_s: float = 0.0,
    ) -> tuple[MapBatch, list[int]]:
        """Apply how each element of a finished batch ended.

        ``whole_batch`` says the batch failed as one: its worker died, ran out of memory or
        time with several elements in it. That is no element's own failure yet, so each is
        retried alone without using its retries (within the system budget, as for a node);
        an element failing alone then counts as usual. ``elapsed_s`` is how long the worker
        spent on the batch, which tells whether elements are fast.

        Returns:
            The batch as finished, and the indices of the elements that succeeded (their
            cache entries are the caller's to write).
        """
        batch = self.in_flight.pop(attempt_id)
        self.running -= len(batch.indices)
        if elapsed_s > 0 and not whole_batch:
            self.fast = elapsed_s / len(batch.indices) < FAST_ELEMENT_S
        succeeded: list[int] = []
        for position, (outcome, outputs, error) in enumerate(outcomes):
            index = batch.indices[position]
            batch.outcomes[position] = outcome
            batch.outputs[position] = outputs
            batch.errors[position] = error
            if outcome == Outcome.SUCCEEDED:
                self.status[index] = SUCCEEDED
                self.outputs[index] = outputs
                self.errors[index] = None
                self.succeeded += 1
                succeeded.append(index)
                continue
            self.errors[index] = error
            shared = whole_batch and outcome in _SHARED_FAILURES
            if outcome == Outcome.SYSTEM_ERROR or shared:
                self.system_failures[index] += 1
                retry = self.system_failures[index] <= system_retries
            else:
                user_failures = self.attempts[index] - self.system_failures[index]
                retry = outcome in _RETRYABLE and user_failures <= self.task.retries
            if retry:
                self.status[index] = PENDING
                self.pending.append(index)
                if shared:
                    self.solo.add(index)
            else:
                self.status[index] = FAILED
                self.failed += 1
        batch.ended_at = ended_at
        batch.worker_id = worker_id
        batch.log_uri = log_uri
        return batch, succeeded

    # -- the end -------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return not self.pending and not self.in_flight

    @property
    def all_cached(self) -> bool:
        """Whether every element came from the cache (the node is then a cache hit)."""
        return self.size > 0 and self.cached_count == self.size

    def counts(self) -> ElementCounts:
        return ElementCounts(
            total=self.size, succeeded=self.succeeded, failed=self.failed,
            cached=self.cached_count,
        )

    def verdict(self) -> tuple[dict[str, Literal] | None, ErrorInfo | None]:
        """The node's outputs (lists in element order) when enough elements succeeded, or
        the error saying how many failed and why the first did."""
        failed = [i for i in range(self.size) if self.status[i] != SUCCEEDED]
        succeeded = self.size - len(failed)
        ratio = self.spec.min_success_ratio
        if failed and succeeded < required_successes(ratio, self.size):
            first = failed[0]
            cause = self.errors[first]
            needed = (
                "all of them must succeed" if ratio >= 1.0
                else f"at least {ratio:.0%} must succeed (min_success_ratio={ratio})"
            )
            return None, ErrorInfo(
                kind=cause.kind if cause else Outcome.USER_ERROR.value,
                message=(
                    f"{len(failed)} of {self.size} elements failed and {needed}; element "
                    f"{first} failed first: {cause.message if cause else 'no result'}"
                ),
                traceback=cause.traceback if cause else "",
            )
        optional = ratio < 1.0
        names = list(self.task.interface.outputs)
        columns: dict[str, list[Literal]] = {name: [] for name in names}
        for index in range(self.size):
            outputs = self.outputs[index]
            for name in names:
                if outputs is None:
                    columns[name].append(UnionValue(1, Scalar(None)))
                elif optional:
                    columns[name].append(UnionValue(0, outputs[name]))
                else:
                    columns[name].append(outputs[name])
        return {name: Collection(tuple(items)) for name, items in columns.items()}, None
