"""`LaunchPlan`: a workflow with some inputs bound, and optionally a schedule.

A plan is checked completely when it is created, so a wrong input name, a File given as a
plan input or a bad cron expression fails in the user's module, not at the first scheduled
launch. Its wire form is `updraft.model.LaunchPlanSpec`; registration stores it next to the
workflow and the server's scheduler fires it.

The workflow object belongs to the compiler, a higher layer, so it is used duck-typed: a
``name``, a ``python_interface`` (`updraft.types.PythonInterface`) and a ``spec``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, ClassVar

from updraft.model import BLOB_KINDS, CATCH_UP_POLICIES, LaunchPlanSpec, Literal, LiteralType
from updraft.sdk._schedules import CronSchedule, FixedRate
from updraft.sdk._tracing import active_tracer
from updraft.types import (
    BlobStoreUnavailable,
    InputInfo,
    NoBlobStore,
    TypeConversionError,
    describe,
    to_literal,
)

Schedule = CronSchedule | FixedRate


class LaunchPlanError(ValueError):
    """A launch plan's definition is wrong; the message names the plan and what to fix."""


class LaunchPlan:
    """A named way to launch a workflow: default inputs the caller may override, fixed
    inputs it may not, a schedule, a catch-up policy, a concurrency limit and labels.

    Create plans with `LaunchPlan.get_or_create`. Calling a plan runs its workflow here
    with the plan's inputs merged under the call's.

    Attributes:
        name: the plan's name, unique among the plans of a project and domain.
        workflow: the workflow it launches.
        spec: the `LaunchPlanSpec` that registration stores.
        schedule: the `CronSchedule` or `FixedRate`, or None.
        default_inputs: the Python values of the default inputs.
        fixed_inputs: the Python values of the fixed inputs.
    """

    _registry: ClassVar[dict[str, LaunchPlan]] = {}

    def __init__(
        self,
        workflow: Any,
        spec: LaunchPlanSpec,
        schedule: Schedule | None,
        default_inputs: dict[str, Any],
        fixed_inputs: dict[str, Any],
    ) -> None:
        self.workflow = workflow
        self.spec = spec
        self.schedule = schedule
        self.default_inputs = default_inputs
        self.fixed_inputs = fixed_inputs

    @property
    def name(self) -> str:
        return self.spec.name

    @classmethod
    def get_or_create(
        cls,
        workflow: Any,
        name: str | None = None,
        *,
        default_inputs: dict[str, Any] | None = None,
        fixed_inputs: dict[str, Any] | None = None,
        schedule: Schedule | None = None,
        catch_up: str = "latest",
        max_concurrency: int | None = None,
        labels: dict[str, str] | None = None,
    ) -> LaunchPlan:
        """Define a launch plan, or return the one already defined under ``name``.

        Without a name this is the workflow's default plan, named like the workflow, which
        is what ``updraft launch NAME`` resolves to.

        Args:
            workflow: a ``@workflow``.
            name: the plan's name; the workflow's name when not given.
            default_inputs: input values a launch may override.
            fixed_inputs: input values a launch may not override.
            schedule: a `CronSchedule` or `FixedRate`; its ``kickoff_time_input_arg`` names
                a ``datetime`` input that receives the scheduled time.
            catch_up: what to launch for times missed while the server was down: ``"all"``,
                ``"latest"`` (the default) or ``"none"``.
            max_concurrency: at most this many executions of the plan running at once.
            labels: labels every execution of the plan gets.

        Returns:
            The `LaunchPlan`; the same object for the same name and definition.

        Raises:
            LaunchPlanError: an unknown input name, an input both fixed and default, a value
                of the wrong type or one that needs the blob store (files, frames), a
                kickoff input that is not a ``datetime`` input, a bad cron expression or time
                zone, an unknown catch-up policy, or a different definition under a name
                already taken.

        Example::

            nightly = LaunchPlan.get_or_create(
                train, "train_nightly", fixed_inputs={"seed": 7},
                schedule=CronSchedule("0 2 * * *", timezone="Europe/Berlin"),
            )
        """
        workflow_name = _workflow_name(workflow)
        plan_name = workflow_name if name is None else name
        where = f"launch plan {plan_name!r} (workflow {workflow_name!r})"
        if not isinstance(plan_name, str) or not plan_name.strip():
            raise LaunchPlanError(f"{where}: the name must be non-empty text, got {name!r}")
        inputs: dict[str, InputInfo] = dict(workflow.python_interface.inputs)
        defaults = dict(default_inputs or {})
        fixed = dict(fixed_inputs or {})
        _check_names(where, inputs, defaults, fixed)
        kickoff = _check_schedule(where, inputs, fixed, schedule)
        _check_options(where, catch_up, max_concurrency, labels)
        if schedule is not None:
            _check_complete(where, inputs, defaults, fixed, kickoff)
        spec = LaunchPlanSpec(
            name=plan_name,
            workflow=workflow_name,
            default_inputs=_literals(where, inputs, defaults),
            fixed_inputs=_literals(where, inputs, fixed),
            schedule=None if schedule is None else schedule.to_model(),
            kickoff_time_input_arg=kickoff,
            catch_up=catch_up,
            max_concurrency=max_concurrency,
            labels=dict(labels or {}),
        )
        existing = cls._registry.get(plan_name)
        if existing is not None:
            if existing.spec == spec:
                return existing
            raise LaunchPlanError(
                f"{where}: a launch plan named {plan_name!r} is already defined with other "
                f"settings (for workflow {existing.spec.workflow!r}); give this plan another "
                "name or make the definitions the same"
            )
        plan = cls(workflow, spec, schedule, defaults, fixed)
        cls._registry[plan_name] = plan
        return plan

    @classmethod
    def registered(cls) -> list[LaunchPlan]:
        """Every plan defined in this process, in the order they were defined."""
        return list(cls._registry.values())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the workflow here with the plan's inputs; fixed inputs cannot be overridden.

        Inside a workflow body the call becomes a node that launches the plan as a child
        execution, with the plan's inputs bound under the call's.

        Raises:
            LaunchPlanError: a call that passes a fixed input.
            updraft.CompileError: in a workflow body, the same, or a wrongly typed input.
        """
        tracer = active_tracer()
        if tracer is not None:
            return tracer.call_launch_plan(self, args, kwargs, sys._getframe(1))
        if args:
            raise TypeError(
                f"launch plan {self.name!r} takes keyword arguments only, e.g. "
                f"{next(iter(self.workflow.python_interface.inputs), 'x')}=..."
            )
        clash = sorted(set(kwargs) & set(self.fixed_inputs))
        if clash:
            raise LaunchPlanError(
                f"launch plan {self.name!r}: input(s) {', '.join(map(repr, clash))} are fixed "
                "by the plan and cannot be passed; use another plan or the workflow itself"
            )
        return self.workflow(**{**self.default_inputs, **kwargs, **self.fixed_inputs})

    def __repr__(self) -> str:
        return f"<launch plan {self.name} of workflow {self.spec.workflow}>"


def _workflow_name(workflow: Any) -> str:
    name = getattr(workflow, "name", None)
    spec = getattr(workflow, "spec", None)
    if (
        not isinstance(name, str)
        or not hasattr(workflow, "python_interface")
        or not hasattr(spec, "nodes")
    ):
        raise LaunchPlanError(
            f"a launch plan needs a workflow (a function decorated with @workflow), got "
            f"{type(workflow).__name__} {workflow!r}"
        )
    return name


def _check_names(
    where: str, inputs: Mapping[str, InputInfo], defaults: dict[str, Any], fixed: dict[str, Any]
) -> None:
    known = ", ".join(inputs) or "none"
    for kind, values in (("default_inputs", defaults), ("fixed_inputs", fixed)):
        unknown = sorted(set(values) - set(inputs))
        if unknown:
            raise LaunchPlanError(
                f"{where}: {kind} names unknown input(s) {', '.join(map(repr, unknown))}; "
                f"the workflow's inputs are: {known}"
            )
    both = sorted(set(defaults) & set(fixed))
    if both:
        raise LaunchPlanError(
            f"{where}: input(s) {', '.join(map(repr, both))} are both default and fixed; "
            "keep each in one of default_inputs and fixed_inputs"
        )


def _check_schedule(
    where: str, inputs: Mapping[str, InputInfo], fixed: dict[str, Any], schedule: Any
) -> str | None:
    if schedule is None:
        return None
    if not isinstance(schedule, CronSchedule | FixedRate):
        raise LaunchPlanError(
            f"{where}: schedule must be a CronSchedule or a FixedRate, got "
            f"{type(schedule).__name__} {schedule!r}"
        )
    try:
        schedule.validate()
    except ValueError as err:
        raise LaunchPlanError(f"{where}: {err}") from None
    kickoff = schedule.kickoff_time_input_arg
    if kickoff is None:
        return None
    if kickoff not in inputs:
        raise LaunchPlanError(
            f"{where}: kickoff_time_input_arg {kickoff!r} is not an input of the workflow; "
            f"add an input '{kickoff}: datetime' or name one of: {', '.join(inputs) or 'none'}"
        )
    if inputs[kickoff].literal_type.kind != "datetime":
        raise LaunchPlanError(
            f"{where}: kickoff_time_input_arg {kickoff!r} must be a datetime input, but the "
            f"workflow declares it as {describe(inputs[kickoff].annotation)}; annotate it "
            "'datetime' (from datetime import datetime)"
        )
    if kickoff in fixed:
        raise LaunchPlanError(
            f"{where}: input {kickoff!r} receives the scheduled time, so it cannot also be a "
            "fixed input; remove it from fixed_inputs"
        )
    return kickoff


def _check_options(
    where: str, catch_up: str, max_concurrency: int | None, labels: dict[str, str] | None
) -> None:
    if catch_up not in CATCH_UP_POLICIES:
        raise LaunchPlanError(
            f"{where}: unknown catch_up policy {catch_up!r}; use one of "
            f"{', '.join(map(repr, CATCH_UP_POLICIES))}"
        )
    if max_concurrency is not None and (
        isinstance(max_concurrency, bool)
        or not isinstance(max_concurrency, int)
        or max_concurrency < 1
    ):
        raise LaunchPlanError(
            f"{where}: max_concurrency must be a positive integer or None, got "
            f"{max_concurrency!r}"
        )
    for key, value in (labels or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise LaunchPlanError(
                f"{where}: labels must map text to text, got {key!r}: {value!r}"
            )


def _check_complete(
    where: str,
    inputs: Mapping[str, InputInfo],
    defaults: dict[str, Any],
    fixed: dict[str, Any],
    kickoff: str | None,
) -> None:
    """A scheduled launch has no caller to supply inputs, so the plan must supply them."""
    missing = [
        n
        for n, info in inputs.items()
        if not info.has_default and n not in defaults and n not in fixed and n != kickoff
    ]
    if missing:
        raise LaunchPlanError(
            f"{where}: a scheduled plan must give every required input a value, but "
            f"{', '.join(map(repr, missing))} has none; add it to default_inputs or "
            "fixed_inputs"
        )


def _literals(
    where: str, inputs: Mapping[str, InputInfo], values: dict[str, Any]
) -> dict[str, Literal]:
    out: dict[str, Literal] = {}
    for name, value in values.items():
        info = inputs[name]
        expected = describe(info.annotation)
        try:
            if value is not None and _contains_blob(info.literal_type):
                raise BlobStoreUnavailable(f"input {name!r} would be stored as a blob")
            out[name] = to_literal(value, info.annotation, NoBlobStore(), "")
        except BlobStoreUnavailable:
            raise LaunchPlanError(
                f"{where}: input {name!r} ({expected}) would be stored as a blob; a launch "
                "plan holds only inline values (numbers, text, dates, lists, dicts, ...). "
                "Keep the value as the workflow's default instead, or pass it at launch"
            ) from None
        except TypeConversionError as err:
            raise LaunchPlanError(
                f"{where}: input {name!r} expects {expected}, got {type(value).__name__} "
                f"{value!r}: {err}"
            ) from None
    return out


def _contains_blob(lt: LiteralType) -> bool:
    """Whether a value of this type may need the blob store (files, frames, pickles)."""
    if lt.kind in BLOB_KINDS:
        return True
    return any(_contains_blob(a) for a in lt.args) or any(_contains_blob(t) for _, t in lt.fields)
