"""Launch forms generated from a workflow's typed interface.

The form says, per input, how to turn what a person types into the JSON that
``POST /executions`` accepts, which default applies and whether the launch plan fixes the
value. Defaults are merged exactly as the launcher merges them (workflow default, then the
plan's default, then the plan's fixed value), so what the form shows is what a launch gets.
Values are still checked on the server when launched; the form only lets the page check the
easy things (a number where a number goes) before it sends.
"""

from __future__ import annotations

import msgspec

from updraft.model import EntityId, LaunchPlanSpec, Literal, LiteralType, WorkflowSpec
from updraft.server._schemas import EntityIdOut, FormInput, LaunchForm
from updraft.store import NotFoundError, RegistryStore

#: How each scalar type kind is entered.
_SCALAR_FIELDS = {
    "int": "integer",
    "float": "number",
    "str": "string",
    "bool": "boolean",
    "datetime": "datetime",
    "date": "date",
    "timedelta": "duration",
    "bytes": "bytes",
    "file": "file",
    "directory": "directory",
    "dataframe": "dataframe",
    "enum": "enum",
    "pickle": "unsupported",
}


def field_kind(lt: LiteralType) -> tuple[str, bool]:
    """How a value of ``lt`` is entered, and whether null is accepted. ``Optional[T]`` is
    entered as T that may be left empty; other unions, containers and structs as JSON."""
    if lt.kind == "union":
        others = [a for a in lt.args if a.kind != "none"]
        nullable = len(others) < len(lt.args)
        if len(others) == 1:
            kind, _ = field_kind(others[0])
            return kind, nullable
        return "json", nullable
    if lt.kind == "none":
        return "json", True
    return _SCALAR_FIELDS.get(lt.kind, "json"), False


def launch_form(registry: RegistryStore, kind: str, entity_id: EntityId) -> LaunchForm:
    """The form of a registered workflow (launching its default plan, when it has one) or
    launch plan.

    Raises:
        NotFoundError: the entity, or the workflow a plan launches, is not registered.
    """
    from updraft.types import literal_to_json

    plan: LaunchPlanSpec | None
    if kind == "launch_plan":
        found, _ = registry.get_entity("launch_plan", entity_id)
        assert isinstance(found, LaunchPlanSpec)
        plan = found
        workflow_id = EntityId(entity_id.project, entity_id.domain, plan.workflow,
                               entity_id.version)
    else:
        workflow_id = entity_id
        try:
            default_plan, _ = registry.get_entity("launch_plan", entity_id)
        except NotFoundError:
            plan = None
        else:
            assert isinstance(default_plan, LaunchPlanSpec)
            plan = default_plan
    workflow, _ = registry.get_entity("workflow", workflow_id)
    assert isinstance(workflow, WorkflowSpec)
    fields = []
    for name, param in workflow.interface.inputs.items():
        default: Literal | None = param.default if param.has_default else None
        if plan is not None and name in plan.default_inputs:
            default = plan.default_inputs[name]
        fixed = plan is not None and name in plan.fixed_inputs
        if plan is not None and fixed:
            default = plan.fixed_inputs[name]
        entered, nullable = field_kind(param.type)
        fields.append(FormInput(
            name=name,
            type=param.type.describe(),
            kind=entered,
            required=default is None and not fixed and not param.has_default,
            fixed=fixed,
            nullable=nullable,
            default=literal_to_json(default, param.type) if default is not None else None,
            has_default=default is not None or param.has_default,
            choices=list(param.type.values) if param.type.kind == "enum" else None,
            literal_type=msgspec.to_builtins(param.type),
        ))
    request: dict[str, object] = {
        "project": entity_id.project, "domain": entity_id.domain, "version": entity_id.version,
    }
    request["launch_plan" if kind == "launch_plan" else "workflow"] = entity_id.name
    return LaunchForm(
        kind=kind,
        id=EntityIdOut(**msgspec.structs.asdict(entity_id)),
        workflow=workflow.name,
        launch_plan=plan.name if plan is not None else None,
        inputs=fields,
        request=request,
    )
