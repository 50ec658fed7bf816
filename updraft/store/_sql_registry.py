"""The registry half of `SqlMetadataStore`: projects, registered entities, launch plan state,
schedule fires and execution leases, on the same engine and database as the executions.

It is a mixin rather than a store of its own so that the server opens one database, one
connection pool and one migration path. It needs ``_engine``, ``_reader`` and ``_where`` from
the class it is mixed into, which calls `SqlRegistryMixin._init_registry` once.

Two rules shape it. Registered entities are immutable: a row of ``entities`` is written once
and never updated, so reading one needs no lock. Leases are taken under a write lock held
from the read to the write (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN
IMMEDIATE`` on SQLite, whose deferred transactions would otherwise read a snapshot that
another writer may change before the update), so two owners never take one execution.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from updraft.model import (
    DOMAINS,
    ENTITY_KINDS,
    CodePackage,
    EntityId,
    ExecutionPhase,
    LaunchPlanSpec,
    Project,
    TaskSpec,
    WorkflowSpec,
    content_hash,
)
from updraft.store import _schema as t
from updraft.store._interface import NotFoundError
from updraft.store._registry import (
    LOCAL_OWNER_PREFIX,
    EntityConflictError,
    RegistryStore,
    Spec,
)

_enc = msgspec.json.Encoder()
_project_dec = msgspec.json.Decoder(Project)
_projects_dec = msgspec.json.Decoder(list[Project])
_code_dec = msgspec.json.Decoder(CodePackage)
_SPEC_TYPES: dict[str, type[TaskSpec] | type[WorkflowSpec] | type[LaunchPlanSpec]] = {
    "task": TaskSpec,
    "workflow": WorkflowSpec,
    "launch_plan": LaunchPlanSpec,
}
_spec_decs: dict[str, msgspec.json.Decoder[Any]] = {
    kind: msgspec.json.Decoder(cls) for kind, cls in _SPEC_TYPES.items()
}
#: Phases in which an execution still needs an engine loop, and so a lease.
_UNFINISHED = (ExecutionPhase.QUEUED.value, ExecutionPhase.RUNNING.value)
_PROJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")


class _Sequence:
    """Registration order without a query: nanoseconds since the epoch, strictly increasing
    within the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def take(self) -> int:
        with self._lock:
            self._last = max(time.time_ns(), self._last + 1)
            return self._last


_sequence = _Sequence()


def _describe(kind: str, entity_id: EntityId) -> str:
    return f"{kind.replace('_', ' ')} {entity_id}"


def _next_version(version: str) -> str:
    """A version to suggest instead of a taken one: v1 -> v2, 2024.1 -> 2024.2, abc -> abc-2."""
    match = re.fullmatch(r"(.*?)(\d+)", version)
    if match is None:
        return f"{version}-2"
    return f"{match.group(1)}{int(match.group(2)) + 1}"


def _check_kind(kind: str) -> None:
    if kind not in ENTITY_KINDS:
        raise ValueError(
            f"unknown entity kind {kind!r}; expected one of {', '.join(ENTITY_KINDS)}"
        )


def _epoch(value: datetime, what: str) -> float:
    if value.tzinfo is None:
        raise ValueError(
            f"{what} {value.isoformat()} has no time zone; pass an aware datetime "
            "(e.g. datetime.now(UTC)) so that every server reads the same instant"
        )
    return value.timestamp()


class SqlRegistryMixin(RegistryStore):
    """`RegistryStore` over the store's SQLAlchemy engine (SQLite or PostgreSQL)."""

    _engine: sa.Engine
    _reader: sa.Engine
    _where: str

    def _init_registry(self, postgres: bool, insert: Callable[[sa.Table], Any]) -> None:
        """Build the statements once; ``insert`` is the dialect's INSERT with ON CONFLICT."""
        self._postgres = postgres
        self._insert_project = insert(t.projects).on_conflict_do_nothing(
            index_elements=[t.projects.c.id]
        )
        e = t.entities.c
        # RETURNING tells whether the row went in: rowcount is not reliable on every
        # driver for INSERT ... ON CONFLICT DO NOTHING (psycopg reports -1).
        self._insert_entity = (
            insert(t.entities)
            .on_conflict_do_nothing(index_elements=[e.kind, e.project, e.domain, e.name, e.version])
            .returning(e.seq)
        )
        self._entity_key = sa.and_(
            e.kind == sa.bindparam("kind"),
            e.project == sa.bindparam("project"),
            e.domain == sa.bindparam("domain"),
            e.name == sa.bindparam("name"),
            e.version == sa.bindparam("version"),
        )
        f = t.schedule_fires.c
        self._insert_fire = (
            insert(t.schedule_fires)
            .on_conflict_do_nothing(index_elements=[f.project, f.domain, f.name, f.scheduled_at])
            .returning(f.scheduled_at)
        )
        lp = insert(t.launch_plan_state)
        state = t.launch_plan_state.c
        # Switching versions while the name is active keeps its active period going;
        # deactivating ends it; activating an inactive name starts a new one.
        activated_at = sa.case(
            (lp.excluded.active_version.is_(None), sa.null()),
            (state.active_version.is_(None), lp.excluded.activated_at),
            else_=state.activated_at,
        )
        self._activate = lp.on_conflict_do_update(
            index_elements=[state.project, state.domain, state.name],
            set_={
                "active_version": lp.excluded.active_version,
                "activated_at": activated_at,
                "updated_at": lp.excluded.updated_at,
            },
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[sa.Connection]:
        """A write transaction whose reads see what its writes will change: SQLite takes
        the write lock at BEGIN; PostgreSQL locks the rows the statements select for
        update."""
        if self._postgres:
            with self._engine.begin() as conn:
                yield conn
            return
        with self._engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    # -- projects --------------------------------------------------------------------------

    def create_project(self, project: Project) -> Project:
        """Create a project with the `DOMAINS`; an existing id returns the stored project.

        Raises:
            ValueError: the id is not 1-63 letters, digits, ``_``, ``.`` or ``-`` starting
                with a letter or digit.
        """
        if not _PROJECT_ID.fullmatch(project.id):
            raise ValueError(
                f"project id {project.id!r} is not valid: use 1 to 63 letters, digits, '_', "
                "'.' or '-', starting with a letter or digit (e.g. 'flyteexamples')"
            )
        row = {
            "id": project.id,
            "document": _enc.encode(project).decode(),
            "created_at": time.time(),
        }
        with self._engine.begin() as conn:
            conn.execute(self._insert_project, row)
        return self.get_project(project.id)

    def get_project(self, project_id: str) -> Project:
        query = sa.select(t.projects.c.document).where(t.projects.c.id == project_id)
        with self._reader.connect() as conn:
            doc = conn.execute(query).scalar()
        if doc is None:
            known = ", ".join(repr(p.id) for p in self.list_projects()) or "none"
            raise NotFoundError(
                f"no project {project_id!r} (known projects: {known}); create it with "
                f"`updraft project create {project_id}` or POST /api/v1/projects"
            )
        return _project_dec.decode(doc)

    def list_projects(self) -> list[Project]:
        query = sa.select(t.projects.c.document).order_by(t.projects.c.id)
        with self._reader.connect() as conn:
            docs = conn.execute(query).scalars().all()
        return _projects_dec.decode("[" + ",".join(docs) + "]")

    # -- entities --------------------------------------------------------------------------

    def register(
        self, kind: str, entity_id: EntityId, spec: Spec, code: CodePackage | None = None
    ) -> bool:
        _check_kind(kind)
        expected = _SPEC_TYPES[kind]
        if not isinstance(spec, expected):
            raise TypeError(
                f"cannot register {_describe(kind, entity_id)}: a {kind.replace('_', ' ')} "
                f"takes a {expected.__name__}, got {type(spec).__name__}"
            )
        for part in ("project", "domain", "name", "version"):
            if not getattr(entity_id, part):
                raise ValueError(
                    f"cannot register {_describe(kind, entity_id)}: its {part} is empty"
                )
        if entity_id.domain not in DOMAINS:
            raise NotFoundError(
                f"cannot register {_describe(kind, entity_id)}: project {entity_id.project!r} "
                f"has no domain {entity_id.domain!r}; its domains are {', '.join(DOMAINS)}"
            )
        digest = content_hash(spec)
        row = {
            "kind": kind,
            "project": entity_id.project,
            "domain": entity_id.domain,
            "name": entity_id.name,
            "version": entity_id.version,
            "digest": digest,
            "spec": _enc.encode(spec).decode(),
            "code": None if code is None else _enc.encode(code).decode(),
            "created_at": time.time(),
            "seq": _sequence.take(),
        }
        try:
            with self._engine.begin() as conn:
                inserted = conn.execute(self._insert_entity, row).first() is not None
        except sa.exc.IntegrityError:
            self.get_project(entity_id.project)  # raises NotFoundError when it is missing
            raise
        if inserted:
            return True
        e = t.entities.c
        query = sa.select(e.digest, e.code).where(self._entity_key)
        with self._reader.connect() as conn:
            stored = conn.execute(query, {"kind": kind, **msgspec.structs.asdict(entity_id)}).one()
        stored_code = None if stored.code is None else _code_dec.decode(stored.code)
        same_code = (stored_code is None) == (code is None) and (
            stored_code is None or code is None or stored_code.digest == code.digest
        )
        if stored.digest == digest and same_code:
            return False
        raise EntityConflictError(
            f"{_describe(kind, entity_id)} is registered already with other content; "
            f"register under a new version (e.g. --version {_next_version(entity_id.version)})"
        )

    def get_entity(self, kind: str, entity_id: EntityId) -> tuple[Spec, CodePackage | None]:
        _check_kind(kind)
        e = t.entities.c
        query = sa.select(e.spec, e.code).where(self._entity_key)
        with self._reader.connect() as conn:
            row = conn.execute(query, {"kind": kind, **msgspec.structs.asdict(entity_id)}).first()
        if row is None:
            versions = [
                found.version
                for found in self.list_entities(
                    kind, entity_id.project, entity_id.domain, entity_id.name
                )
            ]
            there = (
                f"the registered versions of {entity_id.name!r} are {', '.join(versions)}"
                if versions
                else f"nothing named {entity_id.name!r} is registered in project "
                f"{entity_id.project!r}, domain {entity_id.domain!r}"
            )
            raise NotFoundError(
                f"no {_describe(kind, entity_id)} is registered; {there}. Register it with "
                "`updraft register`"
            )
        spec: Spec = _spec_decs[kind].decode(row.spec)
        return spec, None if row.code is None else _code_dec.decode(row.code)

    def list_entities(
        self, kind: str, project: str, domain: str, name: str | None = None
    ) -> list[EntityId]:
        _check_kind(kind)
        e = t.entities.c
        query = (
            sa.select(e.project, e.domain, e.name, e.version)
            .where(e.kind == kind, e.project == project, e.domain == domain)
            .order_by(e.seq.desc(), e.version.desc())
        )
        if name is not None:
            query = query.where(e.name == name)
        with self._reader.connect() as conn:
            rows = conn.execute(query).all()
        return [EntityId(r.project, r.domain, r.name, r.version) for r in rows]

    # -- launch plans and schedules ----------------------------------------------------------

    def set_launch_plan_active(self, entity_id: EntityId, active: bool) -> None:
        """Activate a launch plan version, or stop its name's schedule.

        One version of a plan name is active at a time: activating one deactivates the
        others, and deactivating any version clears the name's active version, so that
        ``deactivate NAME`` always stops the schedule whichever version is running it.

        Raises:
            NotFoundError: that launch plan version is not registered.
        """
        self.get_entity("launch_plan", entity_id)
        now = time.time()
        row = {
            "project": entity_id.project,
            "domain": entity_id.domain,
            "name": entity_id.name,
            "active_version": entity_id.version if active else None,
            "activated_at": now if active else None,
            "updated_at": now,
        }
        with self._engine.begin() as conn:
            conn.execute(self._activate, row)

    def active_version(self, project: str, domain: str, name: str) -> str | None:
        s = t.launch_plan_state.c
        query = sa.select(s.active_version).where(
            s.project == project, s.domain == domain, s.name == name
        )
        with self._reader.connect() as conn:
            found: str | None = conn.execute(query).scalar()
        return found

    def launch_plan_activated_at(self, entity_id: EntityId) -> datetime | None:
        s = t.launch_plan_state.c
        query = sa.select(s.activated_at).where(
            s.project == entity_id.project,
            s.domain == entity_id.domain,
            s.name == entity_id.name,
            s.active_version.is_not(None),
        )
        with self._reader.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else datetime.fromtimestamp(found, UTC)

    def active_launch_plans(self) -> list[EntityId]:
        s = t.launch_plan_state.c
        query = (
            sa.select(s.project, s.domain, s.name, s.active_version)
            .where(s.active_version.is_not(None))
            .order_by(s.project, s.domain, s.name)
        )
        with self._reader.connect() as conn:
            rows = conn.execute(query).all()
        return [EntityId(r.project, r.domain, r.name, r.active_version) for r in rows]

    def record_fire(self, entity_id: EntityId, scheduled_at: datetime, execution_id: str) -> bool:
        """Record a fire of the plan's name at ``scheduled_at`` (an aware datetime).

        Fires are kept per plan name, not per version, so activating a new version does not
        fire the times the old one fired.
        """
        row = {
            "project": entity_id.project,
            "domain": entity_id.domain,
            "name": entity_id.name,
            "scheduled_at": _epoch(scheduled_at, "scheduled time"),
            "version": entity_id.version,
            "execution_id": execution_id,
            "created_at": time.time(),
        }
        with self._engine.begin() as conn:
            return conn.execute(self._insert_fire, row).first() is not None

    def unlaunched_fires(self, older_than_s: float) -> list[tuple[EntityId, datetime, str]]:
        f = t.schedule_fires.c
        ex = t.executions.c
        query = (
            sa.select(f.project, f.domain, f.name, f.version, f.scheduled_at, f.execution_id)
            .select_from(
                t.schedule_fires.outerjoin(t.executions, ex.id == f.execution_id)
            )
            .where(ex.id.is_(None), f.created_at < time.time() - older_than_s)
            .order_by(f.scheduled_at)
        )
        with self._reader.connect() as conn:
            rows = conn.execute(query).all()
        return [
            (
                EntityId(r.project, r.domain, r.name, r.version),
                datetime.fromtimestamp(r.scheduled_at, UTC),
                r.execution_id,
            )
            for r in rows
        ]

    def last_fire(self, entity_id: EntityId) -> datetime | None:
        f = t.schedule_fires.c
        query = sa.select(sa.func.max(f.scheduled_at)).where(
            f.project == entity_id.project, f.domain == entity_id.domain, f.name == entity_id.name
        )
        with self._reader.connect() as conn:
            latest = conn.execute(query).scalar()
        return None if latest is None else datetime.fromtimestamp(latest, UTC)

    # -- leases ----------------------------------------------------------------------------

    def claim_executions(self, owner: str, lease_s: float, limit: int) -> list[str]:
        if not owner or lease_s <= 0:
            raise ValueError(
                f"claim_executions needs an owner and a positive lease, got owner={owner!r}, "
                f"lease_s={lease_s}"
            )
        if limit <= 0:
            return []
        now = time.time()
        ex = t.executions.c
        pick = (
            sa.select(ex.id)
            .where(
                ex.phase.in_(_UNFINISHED),
                sa.or_(ex.lease_owner.is_(None), ex.lease_until < now),
            )
            .order_by(ex.created_at, ex.id)
            .limit(limit)
        )
        if self._postgres:
            pick = pick.with_for_update(skip_locked=True)
        with self._locked() as conn:
            ids = list(conn.execute(pick).scalars())
            if ids:
                conn.execute(
                    sa.update(t.executions)
                    .where(ex.id.in_(ids))
                    .values(lease_owner=owner, lease_until=now + lease_s)
                )
        return ids

    def renew_leases(self, owner: str, execution_ids: list[str], lease_s: float) -> list[str]:
        """Extend ``owner``'s leases. A lease that lapsed but that nobody took is still
        ``owner``'s and is renewed."""
        if not execution_ids:
            return []
        ex = t.executions.c
        statement = (
            sa.update(t.executions)
            .where(ex.id.in_(execution_ids), ex.lease_owner == owner)
            .values(lease_until=time.time() + lease_s)
            .returning(ex.id)
        )
        with self._engine.begin() as conn:
            held = set(conn.execute(statement).scalars())
        return [i for i in execution_ids if i in held]

    def hold_for_local_run(self, execution_id: str, owner: str, lease_s: float) -> str | None:
        now = time.time()
        ex = t.executions.c
        statement = (
            sa.update(t.executions)
            .where(
                ex.id == execution_id,
                sa.or_(
                    ex.lease_owner.is_(None),
                    ex.lease_until < now,
                    ex.lease_owner.like(f"{LOCAL_OWNER_PREFIX}%"),
                ),
            )
            .values(lease_owner=owner, lease_until=now + lease_s)
        )
        with self._engine.begin() as conn:
            if conn.execute(statement).rowcount:
                return None
            holder = conn.execute(
                sa.select(ex.lease_owner).where(ex.id == execution_id)
            ).scalar()
        return str(holder) if holder else None

    def release_all_leases(self, owner: str) -> int:
        ex = t.executions.c
        statement = (
            sa.update(t.executions)
            .where(ex.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )
        with self._engine.begin() as conn:
            return int(conn.execute(statement).rowcount or 0)

    def release_lease(self, owner: str, execution_id: str) -> None:
        ex = t.executions.c
        statement = (
            sa.update(t.executions)
            .where(ex.id == execution_id, ex.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )
        with self._engine.begin() as conn:
            conn.execute(statement)
