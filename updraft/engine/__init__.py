"""Runs workflow specs: the reconciler, its per-execution state and the executors.

The engine never imports the SDK or the compiler: it reaches a task through its entry point
(or its pickled function) and knows workflows only as `WorkflowSpec`s.
"""

from updraft.engine._expand import arm_id, child_id, initial_nodes
from updraft.engine._reconciler import Engine, Listener, abort_recorded
from updraft.engine._recover import recovered_state
from updraft.engine._state import RunState

__all__ = [
    "Engine",
    "Listener",
    "RunState",
    "abort_recorded",
    "arm_id",
    "child_id",
    "initial_nodes",
    "recovered_state",
]
