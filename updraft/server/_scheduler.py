"""Fires active launch plans' schedules: each due time once, across restarts and servers.

Every fire is recorded with its scheduled time before the execution is launched; the store
refuses a second record of one time, so a restart or a second server never launches a time
twice. After downtime, the plan's catch-up policy decides which missed times run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from updraft.model import EntityId, Execution, LaunchPlanSpec
from updraft.server._schedule_times import due_fires
from updraft.store import RegistryStore

_log = logging.getLogger("updraft.server.scheduler")

#: Launches the plan for a scheduled time under the given execution id.
LaunchScheduled = Callable[[EntityId, datetime, str], Execution]
Clock = Callable[[], datetime]

#: A fire older than this without its execution was lost by a stopped process.
_LOST_AFTER_S = 10.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """Checks the active launch plans every ``poll_s`` seconds and launches what is due.

    Args:
        registry: where plans, their activation and their fires are recorded.
        launch: starts one scheduled execution.
        new_id: makes the execution id recorded with a fire.
        clock: the current time; tests pass a controlled one.
        poll_s: how often to look.
    """

    def __init__(
        self,
        registry: RegistryStore,
        launch: LaunchScheduled,
        new_id: Callable[[], str],
        *,
        clock: Clock = _utc_now,
        poll_s: float = 1.0,
    ) -> None:
        self.registry = registry
        self.launch = launch
        self.new_id = new_id
        self.clock = clock
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tried: set[str] = set()

    def tick(self) -> list[Execution]:
        """Launch every due time of every active plan once; return what was launched.

        A fire is recorded before its execution is created; fires whose execution never came
        (the server stopped in between) are launched first, under the recorded id.
        """
        now = self.clock()
        launched: list[Execution] = self._relaunch_lost()
        for plan_id in self.registry.active_launch_plans():
            try:
                launched.extend(self._fire_plan(plan_id, now))
            except Exception:  # one broken plan must not stop the others
                _log.exception("schedule of launch plan %s failed", plan_id)
        return launched

    def _relaunch_lost(self) -> list[Execution]:
        launched = []
        for plan_id, scheduled_at, execution_id in self.registry.unlaunched_fires(_LOST_AFTER_S):
            if execution_id in self._tried:
                continue
            self._tried.add(execution_id)  # one more try per process, never a loop of errors
            try:
                launched.append(self.launch(plan_id, scheduled_at, execution_id))
            except Exception:
                _log.exception("cannot launch %s for %s, which was due at %s", execution_id,
                               plan_id, scheduled_at)
        return launched

    def _fire_plan(self, plan_id: EntityId, now: datetime) -> list[Execution]:
        spec, _ = self.registry.get_entity("launch_plan", plan_id)
        assert isinstance(spec, LaunchPlanSpec)
        if spec.schedule is None:
            return []
        since = self.registry.launch_plan_activated_at(plan_id)
        if since is None:  # deactivated since the plans were listed
            return []
        due = due_fires(spec.schedule, self.registry.last_fire(plan_id), now, spec.catch_up, since)
        launched = []
        for scheduled_at in due:
            execution_id = self.new_id()
            if not self.registry.record_fire(plan_id, scheduled_at, execution_id):
                continue
            launched.append(self.launch(plan_id, scheduled_at, execution_id))
        return launched

    def start(self) -> None:
        """Fire schedules from a background thread until `stop`."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="updraft-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _serve(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.tick()
            except Exception:  # the store was unreachable; try again at the next poll
                _log.exception("the scheduler could not read the active launch plans")
