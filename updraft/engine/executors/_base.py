"""The executor contract (DESIGN, "Executor"): how the engine hands attempts to workers."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from updraft.model import AttemptRequest, AttemptResult


class Executor(abc.ABC):
    """Runs attempts somewhere and reports how each ended.

    The engine calls `submit` with a batch, then polls `results` (which never blocks) and
    uses `wait` to sleep until something may have finished.
    """

    name: str = "executor"

    @abc.abstractmethod
    def submit(self, attempts: Sequence[AttemptRequest]) -> None:
        """Start or queue each attempt."""

    @abc.abstractmethod
    def results(self) -> list[AttemptResult]:
        """Attempts finished since the last call; empty when none. Never blocks."""

    @abc.abstractmethod
    def wait(self, timeout: float) -> None:
        """Block until a result may be ready or ``timeout`` seconds have passed."""

    def prewarm(  # noqa: B027  (a hint most executors can ignore)
        self, code_version: str, code_paths: Sequence[str], modules: Sequence[str]
    ) -> None:
        """Start getting ready to run attempts of this code version; a hint, never required.

        An executor with workers may start one now and have it import ``modules`` (with
        ``code_paths`` at the front of ``sys.path``, as for an attempt), so the first attempt
        does not pay for that import. It never blocks and never fails for the caller; attempts
        run the same whether or not it was called. The default does nothing.

        Args:
            code_version: the code version of the attempts to come.
            code_paths: where their modules are imported from.
            modules: dotted names of the modules they will import, e.g. their entry points'.
        """

    @abc.abstractmethod
    def cancel(self, attempt_id: str) -> None:
        """Stop an attempt; it is reported with outcome CANCELLED."""

    @abc.abstractmethod
    def capacity(self) -> int | None:
        """How many more attempts may start now; None where the backend queues itself."""

    def live_output(self, attempt_id: str) -> str | None:
        """What a running attempt has printed so far (the last few kilobytes), where the
        backend can tell; None otherwise. Finished attempts have their log instead.

        May be called from another thread than the one driving the executor.
        """
        return None

    def parallelism(self) -> int:
        """How many attempts run at the same time at most (workers, not queue slots): what a
        map's batches are sized for, so that every worker gets a share."""
        return 1

    @abc.abstractmethod
    def close(self) -> None:
        """Stop every worker."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
