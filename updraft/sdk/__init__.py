"""What users write: tasks, resources and the running task's context.

The SDK builds specs and nothing else; it never runs an engine. Workflow bodies are traced
by the compiler through the hook in `updraft.sdk._tracing`.
"""

from updraft.sdk._context import current_context
from updraft.sdk._identity import CodeIdentity, identify, module_for_file
from updraft.sdk._launch_plan import LaunchPlan, LaunchPlanError
from updraft.sdk._resources import Resources, parse_cpu, parse_memory
from updraft.sdk._schedules import CronSchedule, FixedRate
from updraft.sdk._task import PythonTask, task
from updraft.sdk._tracing import Tracer, active_tracer, tracing

__all__ = [
    "CodeIdentity",
    "CronSchedule",
    "FixedRate",
    "LaunchPlan",
    "LaunchPlanError",
    "PythonTask",
    "Resources",
    "Tracer",
    "active_tracer",
    "current_context",
    "identify",
    "module_for_file",
    "parse_cpu",
    "parse_memory",
    "task",
    "tracing",
]
