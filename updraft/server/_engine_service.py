"""The engine inside the server: claims unfinished executions and drives them.

One `EngineService` runs in the server process (and one in each ``updraft worker`` process);
each claims executions under a lease in the store, so two never drive the same execution,
and an execution whose owner died is taken over when its lease lapses. The engine itself is
the same one ``updraft run`` uses; all of its work happens on this service's own thread,
since executors are driven by one thread at a time.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import socket
import threading
import time
from typing import Any

from updraft.engine import Engine, abort_recorded
from updraft.engine.executors import Executor, ProcessExecutor
from updraft.model import ExecutionPhase

_log = logging.getLogger("updraft.server.engine")

#: Seconds to wait before driving executions again after the loop failed (a store outage).
_RESTART_DELAY_S = 2.0


class EngineService:
    """Drives every unfinished execution in the store until told to stop.

    Args:
        store: the SQL store (metadata and registry: it must offer the leases).
        blobs: the blob store.
        executor: where attempts run; a process executor over the blob store by default.
        owner: this service's name in leases; unique per process by default.
        lease_s: how long a claim holds without renewal; renewed every third of it.
        poll_s: how often the store is searched for work when nobody calls `wake`.
    """

    def __init__(
        self,
        store: Any,
        blobs: Any,
        *,
        executor: Executor | None = None,
        owner: str | None = None,
        lease_s: float = 15.0,
        poll_s: float = 0.5,
    ) -> None:
        self.store = store
        self.blobs = blobs
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.lease_s = lease_s
        self.poll_s = poll_s
        self._given_executor = executor
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._terminations: queue.SimpleQueue[tuple[str, str, threading.Event]] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None
        self._executor: Executor | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the background thread."""
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="updraft-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop driving executions; unfinished ones are released for another owner."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def live_output(self, attempt_id: str) -> str | None:
        """What a running attempt (``<execution>/<node>/<attempt>``) of this service has
        printed so far; None when it does not run here or its executor cannot tell."""
        executor = self._executor
        return executor.live_output(attempt_id) if executor is not None else None

    def wake(self) -> None:
        """A new execution was queued: look for work now instead of at the next poll."""
        self._wake.set()

    def terminate(self, execution_id: str, reason: str = "terminated by request") -> None:
        """Abort an execution: cancel its running attempts and record it ABORTED.

        Works whether this service, another process or nobody drives it; returns once the
        abort is recorded (or after a few seconds, when this service is busy).
        """
        if not self.running:
            abort_recorded(self.store, execution_id, reason)
            return
        done = threading.Event()
        self._terminations.put((execution_id, reason, done))
        self._wake.set()
        done.wait(10.0)

    # -- the loop --------------------------------------------------------------------------

    def _serve(self) -> None:
        executor = self._given_executor or ProcessExecutor(self.blobs.root)
        self._executor = executor
        try:
            while not self._stop.is_set():
                engine = Engine(self.store, executor, self.blobs.root,
                                lease_owner=self.owner, lease_s=self.lease_s)
                try:
                    # Leases under this name are from an earlier life (a restart, or a pass
                    # of this loop that failed): take them back at once.
                    self.store.release_all_leases(self.owner)
                    self._drive(engine)
                except Exception:  # a store outage must not stop the engine for good
                    _log.exception("the engine loop failed; starting it again in a moment")
                    self._stop.wait(_RESTART_DELAY_S)
                finally:
                    self._let_go(engine)
        finally:
            if self._given_executor is None:
                executor.close()

    def _drive(self, engine: Engine) -> None:
        last_claim = last_renew = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            self._handle_terminations(engine)
            if self._wake.is_set() or now - last_claim >= self.poll_s:
                self._wake.clear()
                self._claim(engine)
                last_claim = now
            if now - last_renew >= self.lease_s / 3:
                self._renew(engine)
                last_renew = now
            if engine.active():
                finished = engine.step(idle_wait=0.05)
            else:
                engine.flush()
                finished = engine.step(idle_wait=0.0)
                self._wake.wait(self.poll_s)
            for execution_id in finished:
                self.store.release_lease(self.owner, execution_id)

    def _let_go(self, engine: Engine) -> None:
        """Commit what can be committed and release every execution this engine holds."""
        try:
            engine.flush()
        except Exception:
            _log.exception("could not record the engine's last changes")
        for execution_id in engine.active():
            engine.drop(execution_id)
            try:
                self.store.release_lease(self.owner, execution_id)
            except Exception:
                _log.exception("could not release %s; its lease will lapse", execution_id)

    def _claim(self, engine: Engine) -> None:
        for execution_id in self.store.claim_executions(self.owner, self.lease_s, 64):
            try:
                if self._over_plan_limit(engine, execution_id):
                    self.store.release_lease(self.owner, execution_id)
                    continue
                engine.add(execution_id)
            except Exception:  # one bad record must not stop the others
                _log.exception("cannot drive execution %s", execution_id)
                self.store.release_lease(self.owner, execution_id)

    def _over_plan_limit(self, engine: Engine, execution_id: str) -> bool:
        """Whether a queued execution must wait because its launch plan's ``max_concurrency``
        executions already run; it stays QUEUED and is claimed again later."""
        execution = self.store.get_execution(execution_id)
        plan_id = execution.launch_plan
        if plan_id is None or execution.phase != ExecutionPhase.QUEUED:
            return False
        spec, _ = self.store.get_entity("launch_plan", plan_id)
        limit: int | None = getattr(spec, "max_concurrency", None)
        if not limit:
            return False
        running = {
            e.id
            for e in self.store.list_executions(
                project=plan_id.project, domain=plan_id.domain, phases=["RUNNING"], limit=10_000
            )
            if e.launch_plan is not None and e.launch_plan.name == plan_id.name
        }
        for other in engine.active():
            state = engine.state(other)
            other_plan = state.execution.launch_plan if state is not None else None
            if other_plan is not None and (
                (other_plan.project, other_plan.domain, other_plan.name)
                == (plan_id.project, plan_id.domain, plan_id.name)
            ):
                running.add(other)
        return len(running) >= limit

    def _renew(self, engine: Engine) -> None:
        active = engine.active()
        if not active:
            return
        held = set(self.store.renew_leases(self.owner, active, self.lease_s))
        for execution_id in active:
            if execution_id not in held:
                _log.warning("lost the lease of %s; another owner drives it", execution_id)
                engine.drop(execution_id)
            elif self.store.get_execution(execution_id).phase == ExecutionPhase.ABORTED:
                engine.drop(execution_id)
                self.store.release_lease(self.owner, execution_id)

    def _handle_terminations(self, engine: Engine) -> None:
        while True:
            try:
                execution_id, reason, done = self._terminations.get_nowait()
            except queue.Empty:
                return
            try:
                state = engine.state(execution_id)
                if state is not None and not state.execution.phase.terminal:
                    engine.abort(state, reason)
                else:
                    abort_recorded(self.store, execution_id, reason)
            except Exception:  # report, keep serving
                _log.exception("cannot terminate %s", execution_id)
            finally:
                done.set()
