"""`Client`: one typed method per route of the server's REST API (``/api/v1``).

Answers are decoded into `updraft.model` structs (the same documents the server stores and
``updraft run --json`` prints) or the small structs of `_results`. Every failure is a
`ClientError` carrying the server's message; a server that does not answer is an
`EndpointUnreachableError` whose message names the address tried. This module speaks only
the wire model: it never imports the type engine, the store or the server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from updraft.client._errors import ClientError, EndpointUnreachableError
from updraft.client._results import (
    Backfill,
    Entity,
    LaunchPlanState,
    NodeDetail,
    RegisterResult,
)
from updraft.model import (
    CodePackage,
    EntityId,
    Event,
    Execution,
    ExecutionDocument,
    LaunchPlanSpec,
    Project,
    Registration,
    TaskSpec,
    WorkflowSpec,
)

#: Every route of the API is under this prefix.
API_PREFIX = "/api/v1"

#: The kinds of registered entity and the word each has in URLs.
_KIND_WORDS = {"task": "tasks", "workflow": "workflows", "launch_plan": "launch_plans"}
_SPEC_TYPES: dict[str, type[TaskSpec | WorkflowSpec | LaunchPlanSpec]] = {
    "task": TaskSpec, "workflow": WorkflowSpec, "launch_plan": LaunchPlanSpec,
}

#: How long an event stream may stay silent before the client reconnects (a running task
#: may record nothing for a long time; reconnecting is cheap and resumes where it stopped).
STREAM_IDLE_S = 60.0

T = TypeVar("T")


class _Projects(msgspec.Struct):
    projects: list[Project]


class _Domains(msgspec.Struct):
    domains: list[str]


class _Entities(msgspec.Struct):
    entities: list[EntityId]


class _Executions(msgspec.Struct):
    executions: list[Execution]


class _RawEntity(msgspec.Struct):
    kind: str
    id: EntityId
    spec: msgspec.Raw
    code: CodePackage | None = None
    active: bool | None = None


class _ErrorBody(msgspec.Struct):
    message: str = ""
    error: str = ""
    detail: Any = None


def normalize_endpoint(endpoint: str) -> str:
    """``127.0.0.1:8080/`` -> ``http://127.0.0.1:8080``: a scheme, no trailing slash and no
    ``/api/v1`` (the client adds it), so an address copied from ``updraft serve`` works."""
    address = endpoint.strip().rstrip("/")
    if "://" not in address:
        address = f"http://{address}"
    if address.endswith(API_PREFIX):
        address = address[: -len(API_PREFIX)]
    return address


def _segment(text: str) -> str:
    return quote(text, safe="")


def _reason(exc: Exception) -> str:
    """A few words on why a connection failed, from the OS error under httpx's."""
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if any(w in text for w in ("name or service", "nodename", "getaddrinfo", "not known",
                               "no address")):
        return "unknown host"
    if isinstance(exc, httpx.TimeoutException) or "timed out" in text:
        return "timed out"
    first = str(exc).strip().splitlines()
    return first[0] if first and first[0] else type(exc).__name__


class Client:
    """A client of one updraft server.

    Args:
        endpoint: the server's address, e.g. ``http://127.0.0.1:8080`` (``/api/v1`` is added).
        token: the API token, sent as ``Authorization: Bearer <token>``, for a server
            started with one.
        timeout: seconds to wait for an answer to each request.

    Example:
        >>> with Client("http://127.0.0.1:8080") as client:
        ...     doc = client.launch("default", "development", workflow="wf.train",
        ...                         inputs={"seed": 8})
        ...     client.wait(doc.execution.id).execution.outputs
    """

    def __init__(self, endpoint: str, token: str | None = None, timeout: float = 30) -> None:
        self.endpoint = normalize_endpoint(endpoint)
        self.timeout = timeout
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=self.endpoint + API_PREFIX, headers=headers, timeout=timeout
        )

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.endpoint!r})"

    # -- transport -----------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        content = None if body is None else msgspec.json.encode(body)
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            response = self._http.request(
                method, path, content=content, params=params, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise EndpointUnreachableError(self.endpoint, _reason(exc)) from None
        except httpx.TimeoutException:
            raise ClientError(
                0,
                f"the updraft server at {self.endpoint} did not answer {method} {path} within "
                f"{self.timeout:g}s; it may be overloaded, try again",
            ) from None
        except httpx.TransportError as exc:
            raise ClientError(
                0, f"the connection to the updraft server at {self.endpoint} failed during "
                f"{method} {path}: {_reason(exc)}",
            ) from None
        if response.status_code >= 400:
            raise self._error(response)
        return response

    def _error(self, response: httpx.Response) -> ClientError:
        status = response.status_code
        try:
            body = msgspec.json.decode(response.content, type=_ErrorBody)
            message = body.message or (str(body.detail) if body.detail is not None else "")
        except (msgspec.DecodeError, msgspec.ValidationError):
            message = ""
        if not message:
            text = response.text.strip().splitlines()
            message = text[0][:300] if text else response.reason_phrase
        if status == 404 and not message.strip():
            message = f"{response.request.url.path} was not found"
        return ClientError(status, message)

    def _decode(self, response: httpx.Response, kind: type[T]) -> T:
        try:
            return msgspec.json.decode(response.content, type=kind)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ClientError(
                response.status_code,
                f"the answer of {self.endpoint} to {response.request.method} "
                f"{response.request.url.path} is not the document this client expects "
                f"({exc}); is it an updraft server of the same version?",
            ) from None

    def _get(self, path: str, kind: type[T], params: Mapping[str, Any] | None = None) -> T:
        return self._decode(self._request("GET", path, params=params), kind)

    def _post(self, path: str, kind: type[T], body: object = None,
              params: Mapping[str, Any] | None = None) -> T:
        return self._decode(self._request("POST", path, body=body, params=params), kind)

    # -- projects ------------------------------------------------------------------------------

    def create_project(self, project_id: str, name: str = "", description: str = "") -> Project:
        """Create a project; creating one that exists returns it unchanged."""
        body = {"id": project_id, "name": name, "description": description}
        return self._post("/projects", Project, body)

    def list_projects(self) -> list[Project]:
        """Every project, by id."""
        return self._get("/projects", _Projects).projects

    def get_project(self, project_id: str) -> Project:
        """One project (ClientError 404 when there is none)."""
        return self._get(f"/projects/{_segment(project_id)}", Project)

    def list_domains(self) -> list[str]:
        """The domains every project has (development, staging, production)."""
        return self._get("/domains", _Domains).domains

    # -- registration and registered entities --------------------------------------------------

    def register(self, registration: Registration, archive: bytes | None) -> RegisterResult:
        """Store a code archive and every task, workflow and launch plan of one version.

        Args:
            registration: the specs, project, domain and version (``code`` is set by the
                server from ``archive``).
            archive: the zip of the user's project (`updraft.runner.build_package` makes it);
                None to register specs that run from a code package stored before.

        Returns:
            What was new and what was there already (the same content again is a no-op).

        Raises:
            ClientError: 409 when an id is registered with other content; 404 for an
                unknown project; 400 for a bad domain or version.
        """
        import base64

        body: dict[str, Any] = {"registration": msgspec.to_builtins(registration)}
        if archive is not None:
            body["archive"] = base64.b64encode(archive).decode("ascii")
        return self._post("/register", RegisterResult, body)

    def list_entities(
        self,
        kind: str,
        project: str,
        domain: str,
        name: str | None = None,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[EntityId]:
        """Registered ids of one kind (task, workflow, launch_plan), newest first; with
        ``name``, the versions of that one entity."""
        path = f"/{self._word(kind)}/{_segment(project)}/{_segment(domain)}"
        if name is not None:
            path += f"/{_segment(name)}"
        return self._get(path, _Entities, {"limit": limit, "offset": offset}).entities

    def get_entity(self, kind: str, project: str, domain: str, name: str, version: str) -> Entity:
        """One registered entity with its spec (a TaskSpec, WorkflowSpec or LaunchPlanSpec)."""
        path = "/".join(
            [f"/{self._word(kind)}", *(_segment(p) for p in (project, domain, name, version))]
        )
        response = self._request("GET", path)
        raw = self._decode(response, _RawEntity)
        try:
            spec = msgspec.json.decode(raw.spec, type=_SPEC_TYPES[kind])
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ClientError(
                response.status_code,
                f"the spec of {kind} {raw.id} from {self.endpoint} cannot be read ({exc}); "
                "is the server of the same updraft version?",
            ) from None
        return Entity(kind=raw.kind, id=raw.id, spec=spec, code=raw.code, active=raw.active)

    def latest(self, kind: str, project: str, domain: str, name: str) -> EntityId:
        """The most recently registered version of an entity.

        Raises:
            ClientError: 404 naming the entity when it has no version.
        """
        found = self.list_entities(kind, project, domain, name, limit=1)
        if not found:
            raise ClientError(
                404,
                f"no {kind.replace('_', ' ')} {name!r} is registered in project {project!r}, "
                f"domain {domain!r}; register it with `updraft register FILE`",
            )
        return found[0]

    def activate_launch_plan(
        self, project: str, domain: str, name: str, version: str | None = None
    ) -> LaunchPlanState:
        """Activate a launch plan version (the latest by default): its schedule fires and
        its other versions are deactivated."""
        return self._plan_state("activate", project, domain, name, version)

    def deactivate_launch_plan(
        self, project: str, domain: str, name: str, version: str | None = None
    ) -> LaunchPlanState:
        """Deactivate a launch plan version (the latest by default): its schedule stops."""
        return self._plan_state("deactivate", project, domain, name, version)

    def backfill(
        self, project: str, domain: str, name: str, start: datetime, end: datetime,
        version: str | None = None,
    ) -> Backfill:
        """Launch the plan's scheduled times after ``start`` and up to ``end`` that have not
        been launched yet (by the schedule or an earlier backfill)."""
        path = f"/launch_plans/{_segment(project)}/{_segment(domain)}/{_segment(name)}/backfill"
        params = {"version": version} if version is not None else None
        body = {"start": start.isoformat(), "end": end.isoformat()}
        return self._post(path, Backfill, body, params=params)

    def _plan_state(self, action: str, project: str, domain: str, name: str,
                    version: str | None) -> LaunchPlanState:
        path = f"/launch_plans/{_segment(project)}/{_segment(domain)}/{_segment(name)}/{action}"
        params = {"version": version} if version is not None else None
        return self._post(path, LaunchPlanState, params=params)

    @staticmethod
    def _word(kind: str) -> str:
        word = _KIND_WORDS.get(kind)
        if word is None:
            raise ValueError(
                f"unknown entity kind {kind!r}; use one of {', '.join(_KIND_WORDS)}"
            )
        return word

    # -- executions ----------------------------------------------------------------------------

    def launch(
        self,
        project: str,
        domain: str,
        *,
        launch_plan: str | None = None,
        workflow: str | None = None,
        version: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        name: str | None = None,
        labels: Mapping[str, str] | None = None,
        max_parallelism: int | None = None,
        overwrite_cache: bool = False,
        launched_by: str = "api",
    ) -> ExecutionDocument:
        """Launch a launch plan, or a workflow's default plan; returns the QUEUED document.

        Args:
            project: the project, e.g. ``flyteexamples``.
            domain: development, staging or production.
            launch_plan: the plan's name; give this or ``workflow``.
            workflow: the workflow's name; launches its default launch plan.
            version: the registered version; the latest by default.
            inputs: plain JSON values by input name (files as absolute paths or URLs); the
                server checks them against the workflow's interface.
            name: the execution's name, unique in the project and domain.
            labels: labels to filter executions by.
            max_parallelism: at most this many of its nodes run at once.
            overwrite_cache: recompute cached nodes and replace their entries.
            launched_by: who launched it, as recorded (``cli``, ``api``, ...).

        Raises:
            ClientError: 400 naming an unknown, missing or ill-typed input; 404 for an
                unknown plan or workflow; 409 for a taken name.
        """
        body: dict[str, Any] = {
            "project": project, "domain": domain, "inputs": dict(inputs or {}),
            "labels": dict(labels or {}), "overwrite_cache": overwrite_cache,
            "launched_by": launched_by,
        }
        optional = {"launch_plan": launch_plan, "workflow": workflow, "version": version,
                    "name": name, "max_parallelism": max_parallelism}
        body.update({k: v for k, v in optional.items() if v is not None})
        return self._post("/executions", ExecutionDocument, body)

    def list_executions(
        self,
        *,
        project: str | None = None,
        domain: str | None = None,
        phases: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        name: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Execution]:
        """Executions, newest first, that match every filter given."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if project is not None:
            params["project"] = project
        if domain is not None:
            params["domain"] = domain
        if name is not None:
            params["name"] = name
        if phases:
            params["phase"] = list(phases)
        if labels:
            params["label"] = [f"{k}={v}" for k, v in labels.items()]
        return self._get("/executions", _Executions, params).executions

    def get_execution(self, execution_id: str) -> ExecutionDocument:
        """The execution JSON document: the same one ``updraft run --json`` prints."""
        return self._get(f"/executions/{_segment(execution_id)}", ExecutionDocument)

    def terminate(self, execution_id: str, reason: str | None = None) -> ExecutionDocument:
        """Abort a queued or running execution (ClientError 409 once it has ended)."""
        body = {"reason": reason} if reason else None
        return self._post(f"/executions/{_segment(execution_id)}/terminate",
                          ExecutionDocument, body)

    def relaunch(self, execution_id: str) -> ExecutionDocument:
        """A new execution of the same workflow, code and inputs; its QUEUED document."""
        return self._post(f"/executions/{_segment(execution_id)}/relaunch", ExecutionDocument)

    def recover(self, execution_id: str) -> ExecutionDocument:
        """A new execution reusing the outputs of every node that succeeded in a failed one."""
        return self._post(f"/executions/{_segment(execution_id)}/recover", ExecutionDocument)

    def node(self, execution_id: str, node_id: str) -> NodeDetail:
        """One node: its record with attempts, its resolved inputs and its outputs."""
        return self._get(
            f"/executions/{_segment(execution_id)}/nodes/{_segment(node_id)}", NodeDetail
        )

    def logs(self, execution_id: str, node: str | None = None) -> str:
        """What the execution's attempts printed (of one node with ``node``), with errors and
        tracebacks."""
        params = {"node": node} if node is not None else None
        return self._request("GET", f"/executions/{_segment(execution_id)}/logs",
                             params=params).text

    def events(self, execution_id: str, after: int = 0) -> Iterator[Event]:
        """The execution's recorded events from index ``after``, then new ones as they happen,
        until it ends. A dropped or idle connection is resumed where it stopped.

        Raises:
            ClientError: 404 for an unknown execution.
            EndpointUnreachableError: the server went away and does not come back.
        """
        sent = after
        while True:
            ended = False
            for index, kind, data in self._stream(execution_id, sent):
                if kind == "end":
                    ended = True
                    break
                if kind == "event":
                    if index is not None:
                        sent = index
                    yield self._decode_event(data)
            if ended:
                return
            time.sleep(0.1)  # the stream stopped before the end: reconnect

    def wait(self, execution_id: str, timeout: float | None = None) -> ExecutionDocument:
        """Follow an execution to its end and return its final document.

        Raises:
            TimeoutError: it has not ended after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        sent = 0
        while True:
            document = self.get_execution(execution_id)
            if document.execution.phase.terminal:
                return document
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(
                    f"execution {execution_id} has not ended after {timeout:g}s "
                    f"({document.execution.phase.value})"
                )
            idle = STREAM_IDLE_S if deadline is None else max(
                0.1, min(STREAM_IDLE_S, deadline - time.monotonic()))
            for index, _kind, _data in self._stream(execution_id, sent, idle):
                if index is not None:
                    sent = index

    def _stream(
        self, execution_id: str, after: int, idle_s: float = STREAM_IDLE_S
    ) -> Iterator[tuple[int | None, str, str]]:
        """(id, event kind, data) of one connection to the event stream; ends quietly when
        the connection drops or stays silent for ``idle_s``."""
        path = f"/executions/{_segment(execution_id)}/events"
        headers = {"Accept": "text/event-stream", "Last-Event-ID": str(after)}
        timeout = httpx.Timeout(self.timeout, read=idle_s)
        try:
            with self._http.stream("GET", path, headers=headers, timeout=timeout) as response:
                if response.status_code >= 400:
                    response.read()
                    raise self._error(response)
                last_news = time.monotonic()
                for item in _parse_sse(response.iter_lines()):
                    if item[1] != "heartbeat":
                        last_news = time.monotonic()
                    elif time.monotonic() - last_news > idle_s:
                        return  # heartbeats only: the caller looks again or gives up
                    yield item
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise EndpointUnreachableError(self.endpoint, _reason(exc)) from None
        except (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError):
            return

    def _decode_event(self, data: str) -> Event:
        try:
            return msgspec.json.decode(data, type=Event)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ClientError(
                200, f"an event from {self.endpoint} cannot be read ({exc}): {data[:200]}"
            ) from None


def _parse_sse(lines: Iterator[str]) -> Iterator[tuple[int | None, str, str]]:
    """Server-sent events from a stream's lines: (id, event, data) per blank-line block."""
    event_id: int | None = None
    kind = "message"
    data: list[str] = []
    for line in lines:
        if not line:
            if data:
                yield event_id, kind, "\n".join(data)
            event_id, kind, data = None, "message", []
            continue
        if line.startswith(":"):  # a heartbeat: the connection is alive, nothing happened
            yield None, "heartbeat", ""
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "id":
            event_id = int(value) if value.isdigit() else None
        elif field == "event":
            kind = value
        elif field == "data":
            data.append(value)
    if data:
        yield event_id, kind, "\n".join(data)


__all__ = ["API_PREFIX", "Client", "normalize_endpoint"]
