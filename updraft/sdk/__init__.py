"""What users write: tasks, dynamic tasks, map tasks, launch plans, resources and the running
task's context.

The SDK builds specs and nothing else; it never runs an engine. Workflow bodies are traced
by the compiler through the hook in `updraft.sdk._tracing`.
"""

from updraft.sdk._context import current_context
from updraft.sdk._dynamic import dynamic
from updraft.sdk._identity import CodeIdentity, identify, module_for_file
from updraft.sdk._launch_plan import LaunchPlan, LaunchPlanError
from updraft.sdk._location import function_location
from updraft.sdk._map_task import MapTask, map_task
from updraft.sdk._resources import Resources, parse_cpu, parse_memory
from updraft.sdk._schedules import CronSchedule, FixedRate
from updraft.sdk._task import PythonTask, source_version, task
from updraft.sdk._tracing import Tracer, active_tracer, tracing

__all__ = [
    "CodeIdentity",
    "CronSchedule",
    "FixedRate",
    "LaunchPlan",
    "LaunchPlanError",
    "MapTask",
    "PythonTask",
    "Resources",
    "Tracer",
    "active_tracer",
    "current_context",
    "dynamic",
    "function_location",
    "identify",
    "map_task",
    "module_for_file",
    "parse_cpu",
    "parse_memory",
    "source_version",
    "task",
    "tracing",
]
