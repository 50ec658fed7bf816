"""Routes for executions: launch, list, get, terminate, relaunch, recover, nodes, logs and
the live event stream."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from updraft.model import Execution, ExecutionDocument
from updraft.server._app import Services, services
from updraft.server._executions import parse_labels
from updraft.server._launcher import LaunchRequest
from updraft.server._schemas import (
    NAME_PATTERN,
    ErrorBody,
    ExecutionCreate,
    ExecutionPage,
    TerminateRequest,
)
from updraft.server._views import inputs_summary

router = APIRouter(tags=["executions"])

Svc = Annotated[Services, Depends(services)]
ExecutionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,128}$")]
NodeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,128}$")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
}
_DOCUMENT: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    200: {"description": "The execution JSON document.",
          "content": {"application/json": {
              "schema": {"$ref": "#/components/schemas/ExecutionDocument"}}}},
}
_encoder = msgspec.json.Encoder()


def _json(obj: object, status: int = 200) -> Response:
    return Response(_encoder.encode(obj), status_code=status, media_type="application/json")


def _document(svc: Services, execution_id: str, status: int = 200) -> Response:
    return Response(svc.store.get_document_json(execution_id), status_code=status,
                    media_type="application/json")


@router.post("/executions", status_code=201, responses={**_DOCUMENT, 201: _DOCUMENT[200]},
             response_class=Response)
def create_execution(body: ExecutionCreate, svc: Svc) -> Response:
    """Launch a launch plan (or a workflow's default one) with inputs given as plain JSON.

    Inputs are checked against the workflow's interface; an unknown, missing, fixed or
    ill-typed input is refused (400) with its name and type.
    """
    execution = svc.launcher.launch(LaunchRequest(**body.model_dump()))
    svc.wake()
    return _json(ExecutionDocument(execution=execution,
                                   nodes=svc.store.get_nodes(execution.id)), 201)


@router.get("/executions", response_model=ExecutionPage, responses=_ERRORS)
def list_executions(
    svc: Svc,
    project: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
    domain: Annotated[str | None, Query(max_length=64)] = None,
    phase: Annotated[list[str] | None, Query(description="Keep these phases.")] = None,
    label: Annotated[list[str] | None, Query(description="KEY=VALUE; all must match.")] = None,
    name: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
    workflow: Annotated[str | None, Query(
        pattern=r"^[^\x00-\x1f]{1,256}$", description="Keep this workflow's executions.")] = None,
    created_after: Annotated[datetime | None, Query(
        description="Created at or after this time (ISO 8601; UTC when no zone).")] = None,
    created_before: Annotated[datetime | None, Query(
        description="Created before this time (ISO 8601; UTC when no zone).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Executions, newest first, filtered by project, domain, phase, labels, name, workflow
    and creation time; ``has_more`` tells whether a next page (``offset + limit``) exists.
    Each has ``inputs_summary``, its inputs at a glance."""
    found, has_more = svc.reader.page(
        project=project, domain=domain, phases=phase or [], labels=parse_labels(label or []),
        name=name, limit=limit, offset=offset, workflow=workflow,
        created_after=created_after, created_before=created_before,
    )
    return _json({
        "executions": [_list_item(e) for e in found], "limit": limit, "offset": offset,
        "has_more": has_more,
    })


def _list_item(execution: Execution) -> dict[str, Any]:
    item: dict[str, Any] = msgspec.to_builtins(execution)
    item["inputs_summary"] = inputs_summary(execution.inputs)
    return item


@router.get("/executions/{execution_id}", responses=_DOCUMENT, response_class=Response)
def get_execution(execution_id: ExecutionId, svc: Svc) -> Response:
    """The execution JSON document: the same as ``updraft run --json`` prints."""
    return _document(svc, execution_id)


@router.post("/executions/{execution_id}/terminate", responses=_DOCUMENT,
             response_class=Response)
def terminate_execution(execution_id: ExecutionId, svc: Svc,
                        body: TerminateRequest | None = None) -> Response:
    """Abort a queued or running execution; its running attempts are cancelled."""
    reason = body.reason if body is not None else TerminateRequest().reason
    svc.reader.terminate(svc.engine, execution_id, reason)
    return _document(svc, execution_id)


@router.post("/executions/{execution_id}/relaunch", status_code=201,
             responses={**_DOCUMENT, 201: _DOCUMENT[200]}, response_class=Response)
def relaunch_execution(execution_id: ExecutionId, svc: Svc) -> Response:
    """A new execution of the same workflow, code and inputs."""
    execution = svc.launcher.relaunch(execution_id)
    svc.wake()
    return _document(svc, execution.id, 201)


@router.post("/executions/{execution_id}/recover", status_code=201,
             responses={**_DOCUMENT, 201: _DOCUMENT[200]}, response_class=Response)
def recover_execution(execution_id: ExecutionId, svc: Svc) -> Response:
    """A new execution that reuses the outputs of every node that succeeded in a failed one."""
    execution = svc.launcher.recover(execution_id)
    svc.wake()
    return _document(svc, execution.id, 201)


@router.get("/executions/{execution_id}/nodes/{node_id}", responses=_ERRORS)
def get_node(execution_id: ExecutionId, node_id: NodeId, svc: Svc) -> Response:
    """One node: phase, attempts with their history, resolved inputs and outputs."""
    return _json(svc.reader.node(execution_id, node_id))


@router.get("/executions/{execution_id}/logs", response_class=PlainTextResponse,
            responses=_ERRORS)
def get_logs(
    execution_id: ExecutionId, svc: Svc,
    node: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.\-]{1,128}$")] = None,
) -> PlainTextResponse:
    """What the execution's attempts printed, with their errors and tracebacks."""
    return PlainTextResponse(svc.reader.logs(execution_id, node))


@router.get("/executions/{execution_id}/events", responses={
    **_ERRORS, 200: {"description": "Server-sent events.",
                     "content": {"text/event-stream": {"schema": {"type": "string"}}}}},
    response_class=StreamingResponse)
def stream_events(
    execution_id: ExecutionId, svc: Svc,
    last_event_id: Annotated[str | None, Header(max_length=32)] = None,
) -> StreamingResponse:
    """Server-sent events: the recorded events, then new ones until the execution ends.

    Each event has ``id`` (its index) so a reconnecting client sends ``Last-Event-ID`` and
    resumes; the last event, ``end``, carries the final phase.
    """
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    svc.store.get_execution(execution_id)  # 404 before the stream starts
    return StreamingResponse(
        svc.reader.events(execution_id, after=after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
