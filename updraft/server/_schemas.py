"""Request and response bodies of the REST API, as pydantic models for validation and OpenAPI.

Documents that are model structs (executions, nodes, specs) are not repeated here: routes send
them as msgspec encodes them, so the API's execution JSON is byte for byte the document that
``updraft run --json`` prints. Their JSON schemas come from msgspec (see ``_openapi``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Names of projects, entities and executions: what fits in a URL path segment unescaped.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$"


def unstorable_text(value: object, where: str = "") -> str | None:
    """Where in ``value`` a string holds a NUL character or a lone surrogate, which no
    database and no UTF-8 document can keep; None when every string is fine."""
    if isinstance(value, str):
        if "\x00" in value:
            return where or "a value"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where or "a value"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = unstorable_text(key, where or "a key") or unstorable_text(
                item, f"{where}.{key}" if where else str(key)
            )
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = unstorable_text(item, f"{where}[{index}]")
            if found:
                return found
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _storable(self) -> _Strict:
        found = unstorable_text(self.model_dump())
        if found:
            raise ValueError(
                f"{found} contains a NUL character or a lone surrogate, which cannot be "
                "stored; remove it"
            )
        return self


class ProjectCreate(_Strict):
    """A project to create; every project gets the standard domains."""

    id: str = Field(pattern=NAME_PATTERN, description="Unique project id, e.g. `flyteexamples`.")
    name: str = Field(default="", max_length=256)
    description: str = Field(default="", max_length=4096)


class ProjectOut(BaseModel):
    """A project."""

    id: str
    name: str = ""
    description: str = ""


class ProjectList(BaseModel):
    """Every project, by id."""

    projects: list[ProjectOut]


class DomainList(BaseModel):
    """The domains every project has."""

    domains: list[str]


class EntityIdOut(BaseModel):
    """The identity of a registered task, workflow or launch plan."""

    project: str
    domain: str
    name: str
    version: str


class EntityList(BaseModel):
    """Registered ids, newest registration first."""

    entities: list[EntityIdOut]


class RegisterRequest(_Strict):
    """A registration: the `Registration` JSON and the code archive (a zip, base64)."""

    registration: dict[str, Any] = Field(
        description="The Registration document: project, domain, version, tasks, workflows, "
        "launch_plans."
    )
    archive: str | None = Field(
        default=None, description="The code package, a zip archive encoded as base64."
    )


class RegisteredEntity(BaseModel):
    """One entity of a registration and whether it was new."""

    kind: str
    id: EntityIdOut


class RegisterResponse(BaseModel):
    """What a registration stored (``created``) and what was there already (``existing``)."""

    created: list[RegisteredEntity]
    existing: list[RegisteredEntity]
    code: dict[str, str] | None = Field(default=None, description="The stored code package.")


class ExecutionCreate(_Strict):
    """An execution to launch: a launch plan (or a workflow's default one) and its inputs."""

    project: str = Field(pattern=NAME_PATTERN)
    domain: str
    launch_plan: str | None = Field(default=None, description="Launch plan name.")
    workflow: str | None = Field(
        default=None, description="Workflow name; launches its default launch plan."
    )
    version: str | None = Field(default=None, description="Version; the latest by default.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="Plain JSON by input name.")
    name: str | None = Field(
        default=None,
        pattern=NAME_PATTERN,
        description="Unique in the project and domain; generated when absent.",
    )
    labels: dict[str, str] = Field(default_factory=dict)
    max_parallelism: int | None = Field(default=None, ge=1, le=100_000)
    overwrite_cache: bool = False
    launched_by: str = Field(default="api", max_length=128)


class TerminateRequest(_Strict):
    """Why an execution is being terminated."""

    reason: str = Field(default="terminated by request", max_length=4096)


class ExecutionList(BaseModel):
    """Executions, newest first, as their JSON documents without nodes."""

    executions: list[dict[str, Any]]
    limit: int
    offset: int


class BackfillRequest(BaseModel):
    """A range of a scheduled plan's times to launch now: after ``start``, up to ``end``."""

    start: datetime
    end: datetime


class BackfillResponse(BaseModel):
    """The executions a backfill launched, by scheduled time (times launched before are
    left out)."""

    launched: dict[str, str]


class LaunchPlanState(BaseModel):
    """Whether a launch plan version is active (its schedule fires)."""

    id: EntityIdOut
    active: bool


class ErrorBody(BaseModel):
    """Every error: a short code word and a message that says what is wrong and how to fix it."""

    error: str
    message: str


# -- the console's views -------------------------------------------------------------------
#
# The pages of the web console read these aggregates instead of every event: the server joins
# the workflow spec, the node records and the map batches once and sends what a page draws.
# Times are seconds since the epoch (floats), so the browser needs no date parsing to place a
# bar; None means "not yet".


class ExecutionListItem(BaseModel):
    """One row of the executions page: the execution JSON (without nodes) plus a short text
    of its inputs. Every field of the execution document is present (``id``, ``name``,
    ``workflow``, ``phase``, ``created_at``, ``started_at``, ``ended_at``, ``launched_by``
    (cli, schedule, relaunch, recover, api, ...), ``labels``, ``inputs``, ...)."""

    model_config = ConfigDict(extra="allow")

    id: str
    phase: str
    launched_by: str
    inputs_summary: str = Field(
        description="The inputs at a glance, e.g. `seed=8, ratio=0.33`, cut to ~80 characters."
    )


class ExecutionPage(BaseModel):
    """One page of executions, newest first. ``has_more`` says whether a next page exists
    (ask again with ``offset + limit``)."""

    executions: list[ExecutionListItem]
    limit: int
    offset: int
    has_more: bool


class ElementSummary(BaseModel):
    """How a map node's elements stand: how many there are and how many ended how."""

    total: int
    succeeded: int
    failed: int
    cached: int


class GraphNode(BaseModel):
    """One node of an execution's graph, as the graph view draws it.

    ``kind`` is task, map, dynamic, subworkflow, launchplan or branch. Children of dynamic,
    subworkflow and branch nodes are listed too, with ``parent`` set (ids like ``n3-0``,
    ``n3-0-1``); a map node is one node with ``collapsed`` true and ``child_count`` elements
    (list them with the elements route) whose ``elements`` says how they stand.
    ``child_execution`` is the execution a launch plan node started.
    """

    id: str
    name: str
    kind: str
    phase: str
    parent: str | None
    task: str
    cache: str
    attempts: int
    started_at: float | None
    ended_at: float | None
    duration_s: float | None
    child_count: int
    collapsed: bool
    child_execution: str | None = None
    elements: ElementSummary | None = None


class GraphEdge(BaseModel):
    """``target`` waits for ``source`` (data or explicit ordering)."""

    source: str
    target: str


class ExecutionGraph(BaseModel):
    """``GET /executions/{id}/graph``: the workflow's DAG merged with what ran. Nodes come in
    workflow order, each parent before its children."""

    execution_id: str
    phase: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class TimelineBar(BaseModel):
    """One attempt of one node on the time axis.

    ``outcome`` is the attempt's outcome (SUCCEEDED, USER_ERROR, SYSTEM_ERROR, TIMED_OUT, OOM,
    CANCELLED), RUNNING while it runs (``end`` is then None), RECOVERED for a node whose
    outputs came from an earlier execution, or the phase of a launch plan node (attempt 0,
    spanning the child execution it started). ``cache`` is true for a node served from the
    cache (no attempt ran; the bar spans the lookup). A map node has one bar per batch of
    elements: ``batch`` is its number, ``elements`` how many it holds and ``failed`` how many
    of them ended in failure (a batch can succeed in part). ``span`` marks the bar of a node
    that runs other nodes (a subworkflow, conditional or dynamic node): attempt 0, the node's
    phase as ``outcome``, from its start to its end; its children's bars show the work.
    """

    node_id: str
    name: str
    parent: str | None = None
    attempt: int
    outcome: str
    cache: bool
    start: float
    end: float | None
    batch: int | None = None
    elements: int | None = None
    failed: int | None = None
    span: bool = False


class ExecutionTimeline(BaseModel):
    """``GET /executions/{id}/timeline``: every bar on one axis from ``start`` (the execution's
    start, or creation while queued) to ``end`` (None while it runs). Bars are sorted by
    start."""

    execution_id: str
    phase: str
    start: float
    end: float | None
    bars: list[TimelineBar]


class MapElement(BaseModel):
    """One element of a map node: its index in the input lists and how it went."""

    index: int
    phase: str
    attempts: int
    cache: str
    duration_s: float | None
    error: str | None


class MapElements(BaseModel):
    """``GET /executions/{id}/nodes/{node_id}/elements``: a page of a map node's elements in
    index order; ``total`` counts them all."""

    execution_id: str
    node_id: str
    total: int
    offset: int
    limit: int
    elements: list[MapElement]


class PreviewColumn(BaseModel):
    """A data frame column: its name and Arrow type (``int64``, ``string``, ...)."""

    name: str
    type: str


class FramePreview(BaseModel):
    """The schema and first rows of a data frame. Values are JSON (dates as ISO text)."""

    columns: list[PreviewColumn]
    rows: list[list[Any]]
    num_rows: int


class ValueView(BaseModel):
    """One input or output rendered for display.

    ``kind`` says how to show it: ``scalar`` (``value`` is the JSON value), ``json`` (lists,
    dicts, structs, unions: ``value`` is the JSON), ``file``, ``directory``, ``dataframe`` or
    ``pickle`` (stored in the blob store: ``uri``, ``size``, ``summary`` and, where the
    server may serve it, ``download``, a path of this API; a directory downloads as a zip;
    a data frame also has ``preview``). ``available`` is false for an input whose upstream
    node has not produced it yet, or an output not produced yet.
    """

    type: str
    kind: str
    available: bool = True
    value: Any = None
    uri: str | None = None
    size: int | None = None
    summary: str | None = None
    download: str | None = None
    preview: FramePreview | None = None
    preview_error: str | None = None


class IoView(BaseModel):
    """``GET /executions/{id}/io`` and ``GET /executions/{id}/nodes/{node_id}/io``: inputs and
    outputs by name, in declared order. ``node_id`` is None for the execution itself."""

    execution_id: str
    node_id: str | None = None
    inputs: dict[str, ValueView]
    outputs: dict[str, ValueView]


class FormInput(BaseModel):
    """One field of a launch form.

    ``kind`` says how to read what the user types into the JSON the launch request takes:
    ``integer``, ``number``, ``boolean``, ``string`` (sent as typed), ``datetime``/``date``
    (ISO text), ``duration`` (seconds, a number), ``bytes`` (base64 text), ``enum`` (one of
    ``choices``), ``file``/``directory``/``dataframe`` (a path or URL on the server's side),
    ``json`` (lists, dicts, structs, unions: parse the text as JSON) or ``unsupported``
    (a pickled type: cannot be launched with a value, only with its default). ``nullable``
    says null is accepted. ``default`` is the JSON of the default (None when there is none);
    leave an unchanged input with a default out of the request, and the server uses it.
    ``fixed`` inputs are set by the launch plan and cannot be passed.
    """

    name: str
    type: str
    kind: str
    required: bool
    fixed: bool
    nullable: bool = False
    default: Any = None
    has_default: bool = False
    choices: list[str] | None = None
    literal_type: dict[str, Any] = Field(
        description="The input's full type (the LiteralType JSON), for nested forms."
    )


class LaunchForm(BaseModel):
    """``GET /{workflows|launch_plans}/{project}/{domain}/{name}/{version}/form``: what the
    launch page needs. ``request`` is the body of ``POST /executions`` without ``inputs``;
    add the inputs the user gave as ``inputs``."""

    kind: str
    id: EntityIdOut
    workflow: str
    launch_plan: str | None
    inputs: list[FormInput]
    request: dict[str, Any]
