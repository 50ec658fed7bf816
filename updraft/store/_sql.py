"""`SqlMetadataStore`: the metadata store on SQLite or PostgreSQL, with SQLAlchemy Core.

This is the engine's hot path, so statements are built once with Core (never the ORM: one
flush per task costs far more than a batched statement), structs are serialised with msgspec,
and each engine tick is one transaction of a few ``executemany`` batches. The same code serves
both databases; only the ``INSERT ... ON CONFLICT`` construct comes from the dialect.

SQLite runs in WAL mode with ``synchronous=NORMAL`` (a crash loses at most the last
transaction, never corrupts) and a busy timeout, so that threads of one process and several
processes (a local run and a server) share one file. Write transactions only write, so
SQLite's busy handler can always wait for the lock instead of failing.

Schema changes are not this module's job: `_migrate.upgrade_to_head` runs on open.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import sqlalchemy as sa

from updraft.model import (
    Event,
    Execution,
    ExecutionDocument,
    Literal,
    MapBatch,
    NodeExecution,
    WorkflowSpec,
)
from updraft.store import _schema as t
from updraft.store._interface import CachePut, MetadataStore, NotFoundError, Tick
from updraft.store._migrate import upgrade_to_head
from updraft.store._sql_registry import SqlRegistryMixin

_exec_enc = msgspec.json.Encoder()
_exec_dec = msgspec.json.Decoder(Execution)
_execs_dec = msgspec.json.Decoder(list[Execution])
_node_dec = msgspec.json.Decoder(list[NodeExecution])
_spec_dec = msgspec.json.Decoder(WorkflowSpec)
_outputs_dec = msgspec.json.Decoder(dict[str, Literal])
_batches_dec = msgspec.json.Decoder(list[MapBatch])

#: SQLite's busy timeout: how long a writer waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Keys per ``IN (...)`` list in `cache_lookup`, well under every backend's parameter limit.
_LOOKUP_CHUNK = 500
#: Columns of an execution row that the engine's ticks never write: the lease is the
#: registry's, and a tick must not drop the lease of the loop that holds the execution.
_LEASE_COLUMNS = frozenset({"id", "lease_owner", "lease_until"})


class _Sequence:
    """Creation-order numbers for node rows, without a query: nanoseconds since the epoch,
    strictly increasing within the process. Nodes created later (dynamic children, after a
    restart) get larger numbers than those created before them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0

    def take(self, count: int) -> int:
        """Reserve ``count`` consecutive numbers and return the first."""
        with self._lock:
            first = max(time.time_ns(), self._last + 1)
            self._last = first + count - 1
            return first


_sequence = _Sequence()


def _ts(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _json_list(docs: Iterable[str]) -> str:
    """Join JSON documents into one array, so msgspec decodes them in a single call."""
    return "[" + ",".join(docs) + "]"


def _enable_wal(cursor: Any) -> None:
    """Switch a new database to WAL. The switch needs an exclusive lock and SQLite does not
    wait for it, so processes opening a fresh file at once retry until the busy timeout."""
    import sqlite3

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _dialect_insert(postgres: bool) -> Callable[[sa.Table], Any]:
    """The dialect's INSERT with ON CONFLICT; imported only for the dialect in use."""
    if postgres:
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def make_engine(url: str, *, pool_size: int = 8, max_overflow: int = 24) -> sa.Engine:
    """An engine for ``url`` set up for the store.

    ``postgresql://`` and ``postgres://`` URLs without a driver get psycopg 3. A SQLite file's
    folder is created when missing, and every SQLite connection gets WAL, ``synchronous =
    NORMAL``, the busy timeout and foreign keys.
    """
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_size=pool_size, max_overflow=max_overflow)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    if in_memory:
        engine = sa.create_engine(parsed)
    else:
        if not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=max_overflow,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
    sa.event.listen(engine, "connect", _sqlite_on_connect)
    return engine


class SqlMetadataStore(SqlRegistryMixin, MetadataStore):
    """The metadata store on a SQL database: SQLite (default) or PostgreSQL.

    It is also the control plane's `RegistryStore` (projects, registered entities, launch
    plan state, schedule fires and execution leases), on the same database.

    Opening it creates or upgrades the schema when needed. One object is safe to share between
    threads (each call takes its own pooled connection); several objects and processes may
    use one database.

    Args:
        url: a SQLAlchemy URL, e.g. ``sqlite:////home/me/.updraft/updraft.db`` or
            ``postgresql://user@host/db`` (psycopg 3 is used when no driver is named).
        pool_size: connections kept open; ``max_overflow`` more are opened under load.

    Example:
        >>> store = SqlMetadataStore("sqlite:///" + str(tmp_path / "updraft.db"))
        >>> store.list_executions(project="default")
        []
    """

    def __init__(self, url: str, *, pool_size: int = 8, max_overflow: int = 24) -> None:
        self._engine = make_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        self._where = self._engine.url.render_as_string(hide_password=True)
        try:
            upgrade_to_head(self._engine)
        except BaseException:
            self._engine.dispose()
            raise
        postgres = self._engine.dialect.name == "postgresql"
        # Reads need no transaction: on PostgreSQL autocommit saves the BEGIN and ROLLBACK
        # round trips; SQLite's driver already reads outside a transaction.
        autocommit = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        self._reader = autocommit if postgres else self._engine
        insert = _dialect_insert(postgres)
        ex = insert(t.executions)
        self._insert_execution = t.executions.insert()
        self._upsert_execution = ex.on_conflict_do_update(
            index_elements=[t.executions.c.id],
            set_={
                c.name: ex.excluded[c.name]
                for c in t.executions.c
                if c.name not in _LEASE_COLUMNS
            },
        )
        node = insert(t.node_executions)
        self._insert_node = t.node_executions.insert()
        self._upsert_node = node.on_conflict_do_update(
            index_elements=[t.node_executions.c.execution_id, t.node_executions.c.node_id],
            set_={"phase": node.excluded.phase, "document": node.excluded.document},
        )
        self._insert_event = t.events.insert()
        batch = insert(t.map_batches)
        self._upsert_batch = batch.on_conflict_do_update(
            index_elements=[t.map_batches.c.execution_id, t.map_batches.c.node_id,
                            t.map_batches.c.batch],
            set_={"document": batch.excluded.document},
        )
        mb = t.map_batches.c
        self._get_batches = (
            sa.select(mb.document)
            .where(mb.execution_id == sa.bindparam("id"))
            .order_by(mb.node_id, mb.batch)
        )
        self._get_node_batches = (
            sa.select(mb.document)
            .where(mb.execution_id == sa.bindparam("id"), mb.node_id == sa.bindparam("node"))
            .order_by(mb.batch)
        )
        self._put_cache = insert(t.cache).on_conflict_do_nothing(index_elements=[t.cache.c.key])
        replacing = insert(t.cache)
        self._replace_cache = replacing.on_conflict_do_update(
            index_elements=[t.cache.c.key],
            set_={c.name: replacing.excluded[c.name] for c in t.cache.c if c.name != "key"},
        )
        self._put_spec = insert(t.workflow_specs).on_conflict_do_nothing(
            index_elements=[t.workflow_specs.c.hash]
        )
        self._get_execution = sa.select(t.executions.c.document).where(
            t.executions.c.id == sa.bindparam("id")
        )
        self._get_nodes = (
            sa.select(t.node_executions.c.document)
            .where(t.node_executions.c.execution_id == sa.bindparam("id"))
            .order_by(t.node_executions.c.seq)
        )
        self._get_events = (
            sa.select(
                t.events.c.execution_id,
                t.events.c.node_id,
                t.events.c.attempt,
                t.events.c.phase,
                t.events.c.at,
                t.events.c.detail,
            )
            .where(t.events.c.execution_id == sa.bindparam("id"))
            .order_by(t.events.c.id)
        )
        self._get_spec = sa.select(t.workflow_specs.c.spec).where(
            t.workflow_specs.c.hash == sa.bindparam("hash")
        )
        self._lookup_one = sa.select(t.cache.c.key, t.cache.c.outputs).where(
            t.cache.c.key == sa.bindparam("key")
        )
        self._lookup_many = sa.select(t.cache.c.key, t.cache.c.outputs).where(
            t.cache.c.key.in_(sa.bindparam("keys", expanding=True))
        )
        self._init_registry(postgres, insert)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._where

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine, for callers that add their own tables or health checks."""
        return self._engine

    def __repr__(self) -> str:
        return f"SqlMetadataStore({self._where!r})"

    def __enter__(self) -> SqlMetadataStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- specs ---------------------------------------------------------------------------

    def put_workflow_spec(self, spec_hash: str, spec: WorkflowSpec) -> None:
        row = {
            "hash": spec_hash,
            "name": spec.name,
            "spec": _exec_enc.encode(spec).decode(),
            "created_at": time.time(),
        }
        with self._engine.begin() as conn:
            conn.execute(self._put_spec, row)

    def get_workflow_spec(self, spec_hash: str) -> WorkflowSpec:
        with self._reader.connect() as conn:
            doc = conn.execute(self._get_spec, {"hash": spec_hash}).scalar()
        if doc is None:
            raise NotFoundError(
                f"no workflow spec with hash {spec_hash!r} in the metadata store at "
                f"{self._where}; register the workflow (or run it) to store its spec"
            )
        return _spec_dec.decode(doc)

    # -- executions ----------------------------------------------------------------------

    def create_execution(
        self,
        execution: Execution,
        nodes: Sequence[NodeExecution],
        *,
        lease_owner: str | None = None,
        lease_s: float = 0.0,
        batches: Sequence[MapBatch] = (),
    ) -> None:
        row = self._execution_row(execution)
        if lease_owner is not None:
            row["lease_owner"] = lease_owner
            row["lease_until"] = time.time() + lease_s
        rows = self._node_rows(execution.id, nodes)
        try:
            with self._engine.begin() as conn:
                conn.execute(self._insert_execution, row)
                if rows:
                    conn.execute(self._insert_node, rows)
                if batches:
                    conn.execute(self._upsert_batch, _batch_rows(execution.id, list(batches)))
        except sa.exc.IntegrityError as exc:
            if self._execution_exists(execution.id):
                raise ValueError(
                    f"execution {execution.id!r} already exists in the metadata store at "
                    f"{self._where}; give the new execution another id"
                ) from exc
            if execution.name and self._name_taken(execution):
                raise ValueError(
                    f"an execution named {execution.name!r} already exists in project "
                    f"{execution.project!r}, domain {execution.domain!r}; names are unique "
                    "per project and domain: choose another name, or leave it empty to get "
                    "a generated one"
                ) from exc
            raise

    def get_execution(self, execution_id: str) -> Execution:
        with self._reader.connect() as conn:
            doc = conn.execute(self._get_execution, {"id": execution_id}).scalar()
        if doc is None:
            raise self._missing(execution_id)
        return _exec_dec.decode(doc)

    def list_executions(
        self,
        *,
        project: str | None = None,
        domain: str | None = None,
        limit: int = 50,
        phases: Sequence[str] | None = None,
        labels: dict[str, str] | None = None,
        name: str | None = None,
        offset: int = 0,
        workflow: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[Execution]:
        if limit < 0 or offset < 0:
            raise ValueError(
                f"list_executions takes a limit and offset of 0 or more, got limit={limit}, "
                f"offset={offset}"
            )
        ex = t.executions.c
        query = sa.select(ex.document).order_by(ex.created_at.desc(), ex.id.desc()).limit(limit)
        if offset:
            query = query.offset(offset)
        if project is not None:
            query = query.where(ex.project == project)
        if domain is not None:
            query = query.where(ex.domain == domain)
        if phases is not None:
            query = query.where(ex.phase.in_([str(p) for p in phases]))
        if name is not None:
            query = query.where(ex.name == name)
        if workflow is not None:
            query = query.where(ex.workflow == workflow)
        # created_at is epoch seconds; a naive bound is UTC, as every stored time is.
        if created_after is not None:
            after = created_after if created_after.tzinfo else created_after.replace(tzinfo=UTC)
            query = query.where(ex.created_at >= after.timestamp())
        if created_before is not None:
            before = (
                created_before if created_before.tzinfo else created_before.replace(tzinfo=UTC)
            )
            query = query.where(ex.created_at < before.timestamp())
        if labels:
            query = query.where(*self._label_filters(labels))
        with self._reader.connect() as conn:
            docs = conn.execute(query).scalars().all()
        return _execs_dec.decode(_json_list(docs))

    def get_execution_by_name(self, project: str, domain: str, name: str) -> Execution:
        ex = t.executions.c
        query = sa.select(ex.document).where(
            ex.project == project, ex.domain == domain, ex.name == name
        )
        with self._reader.connect() as conn:
            doc = conn.execute(query).scalar() if name else None
        if doc is None:
            raise NotFoundError(
                f"no execution named {name!r} in project {project!r}, domain {domain!r} in "
                f"the metadata store at {self._where}; list the known ones with "
                "`updraft get executions`"
            )
        return _exec_dec.decode(doc)

    def get_nodes(self, execution_id: str) -> list[NodeExecution]:
        with self._reader.connect() as conn:
            docs = conn.execute(self._get_nodes, {"id": execution_id}).scalars().all()
            if not docs:
                self._require(conn, execution_id)
        return _node_dec.decode(_json_list(docs))

    def list_events(self, execution_id: str) -> list[Event]:
        with self._reader.connect() as conn:
            rows = conn.execute(self._get_events, {"id": execution_id}).all()
            if not rows:
                self._require(conn, execution_id)
        return [
            Event(
                execution_id=r.execution_id,
                phase=r.phase,
                at=r.at,
                node_id=r.node_id,
                attempt=r.attempt,
                detail=r.detail,
            )
            for r in rows
        ]

    def get_document(self, execution_id: str) -> ExecutionDocument:
        """The execution and its nodes, read over one connection."""
        with self._reader.connect() as conn:
            doc = conn.execute(self._get_execution, {"id": execution_id}).scalar()
            if doc is None:
                raise self._missing(execution_id)
            docs = conn.execute(self._get_nodes, {"id": execution_id}).scalars().all()
        return ExecutionDocument(
            execution=_exec_dec.decode(doc), nodes=_node_dec.decode(_json_list(docs))
        )

    def get_document_json(self, execution_id: str) -> bytes:
        """The execution JSON document joined from the stored JSON of the execution and its
        nodes, without decoding them (a 1,000-node document costs no objects per node)."""
        with self._reader.connect() as conn:
            doc = conn.execute(self._get_execution, {"id": execution_id}).scalar()
            if doc is None:
                raise self._missing(execution_id)
            docs = conn.execute(self._get_nodes, {"id": execution_id}).scalars().all()
        return f'{{"execution":{doc},"nodes":{_json_list(docs)}}}'.encode()

    # -- the engine's tick ---------------------------------------------------------------

    def commit_tick(self, tick: Tick) -> None:
        if tick.empty():
            return
        execution = tick.execution
        if execution is not None and execution.id != tick.execution_id:
            raise ValueError(
                f"tick for execution {tick.execution_id!r} carries execution "
                f"{execution.id!r}; a tick changes one execution only"
            )
        nodes = self._node_rows(tick.execution_id, _last_per_node(tick.nodes))
        events = [
            {
                "execution_id": e.execution_id,
                "node_id": e.node_id,
                "attempt": e.attempt,
                "phase": e.phase,
                "at": e.at,
                "detail": e.detail,
            }
            for e in tick.events
        ]
        batches = _batch_rows(tick.execution_id, tick.batches)
        puts = [_cache_row(p) for p in tick.cache_puts if not p.replace]
        replaces = [_cache_row(p) for p in tick.cache_puts if p.replace]
        try:
            with self._engine.begin() as conn:
                if execution is not None:
                    conn.execute(self._upsert_execution, self._execution_row(execution))
                if nodes:
                    conn.execute(self._upsert_node, nodes)
                if events:
                    conn.execute(self._insert_event, events)
                if batches:
                    conn.execute(self._upsert_batch, batches)
                if puts:
                    conn.execute(self._put_cache, puts)
                if replaces:
                    conn.execute(self._replace_cache, replaces)
        except sa.exc.IntegrityError as exc:
            ids = {tick.execution_id} | {e.execution_id for e in tick.events}
            for execution_id in sorted(ids):
                if not self._execution_exists(execution_id):
                    raise self._missing(execution_id) from exc
            raise

    def get_map_batches(self, execution_id: str, node_id: str | None = None) -> list[MapBatch]:
        with self._reader.connect() as conn:
            if node_id is None:
                docs = conn.execute(self._get_batches, {"id": execution_id}).scalars().all()
            else:
                docs = conn.execute(
                    self._get_node_batches, {"id": execution_id, "node": node_id}
                ).scalars().all()
            if not docs:
                self._require(conn, execution_id)
        return _batches_dec.decode(_json_list(docs))

    # -- cache ---------------------------------------------------------------------------

    def cache_lookup(self, keys: Sequence[str]) -> dict[str, dict[str, Literal]]:
        if not keys:
            return {}
        with self._reader.connect() as conn:
            if len(keys) == 1:
                rows = conn.execute(self._lookup_one, {"key": keys[0]}).all()
            else:
                unique = list(dict.fromkeys(keys))
                rows = []
                for i in range(0, len(unique), _LOOKUP_CHUNK):
                    chunk = unique[i : i + _LOOKUP_CHUNK]
                    rows.extend(conn.execute(self._lookup_many, {"keys": chunk}).all())
        return {key: _outputs_dec.decode(outputs) for key, outputs in rows}

    def put_cache(self, puts: Sequence[CachePut]) -> None:
        """Remember outputs outside a tick; the first writer of a key wins."""
        if puts:
            with self._engine.begin() as conn:
                conn.execute(self._put_cache, [_cache_row(p) for p in puts])

    def cache_clear(self, task_name: str, version: str | None = None) -> int:
        condition = t.cache.c.task_name == task_name
        if version is not None:
            condition = condition & (t.cache.c.version == version)
        with self._engine.begin() as conn:
            return conn.execute(sa.delete(t.cache).where(condition)).rowcount

    def close(self) -> None:
        self._engine.dispose()

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _execution_row(execution: Execution) -> dict[str, Any]:
        created = execution.created_at
        return {
            "id": execution.id,
            "workflow": execution.workflow,
            "spec_hash": execution.spec_hash,
            "project": execution.project,
            "domain": execution.domain,
            "phase": execution.phase.value,
            "launched_by": execution.launched_by,
            "name": execution.name,
            "created_at": time.time() if created is None else created.timestamp(),
            "started_at": _ts(execution.started_at),
            "ended_at": _ts(execution.ended_at),
            "document": _exec_enc.encode(execution).decode(),
        }

    @staticmethod
    def _node_rows(execution_id: str, nodes: Sequence[NodeExecution]) -> list[dict[str, Any]]:
        if not nodes:
            return []
        first = _sequence.take(len(nodes))
        return [
            {
                "execution_id": execution_id,
                "node_id": n.node_id,
                "seq": first + i,
                "phase": n.phase.value,
                "document": _exec_enc.encode(n).decode(),
            }
            for i, n in enumerate(nodes)
        ]

    def _label_filters(self, labels: dict[str, str]) -> list[sa.TextClause]:
        """Conditions that keep executions carrying every label, read from the document."""
        if self._engine.dialect.name == "postgresql":
            contains = "(CAST(executions.document AS jsonb) -> 'labels') @> CAST(:labels AS jsonb)"
            return [sa.text(contains).bindparams(labels=_exec_enc.encode(labels).decode())]
        return [
            sa.text(
                "EXISTS (SELECT 1 FROM json_each(executions.document, '$.labels') AS label "
                f"WHERE label.key = :label_key_{i} AND label.value = :label_value_{i})"
            ).bindparams(**{f"label_key_{i}": key, f"label_value_{i}": value})
            for i, (key, value) in enumerate(sorted(labels.items()))
        ]

    def _name_taken(self, execution: Execution) -> bool:
        ex = t.executions.c
        query = sa.select(ex.id).where(
            ex.project == execution.project,
            ex.domain == execution.domain,
            ex.name == execution.name,
        )
        with self._reader.connect() as conn:
            return conn.execute(query).first() is not None

    def _execution_exists(self, execution_id: str) -> bool:
        with self._reader.connect() as conn:
            return conn.execute(self._get_execution, {"id": execution_id}).first() is not None

    def _require(self, conn: sa.Connection, execution_id: str) -> None:
        if conn.execute(self._get_execution, {"id": execution_id}).first() is None:
            raise self._missing(execution_id)

    def _missing(self, execution_id: str) -> NotFoundError:
        return NotFoundError(
            f"no execution {execution_id!r} in the metadata store at {self._where}; "
            "list the known ones with `updraft get executions`"
        )


def _last_per_node(nodes: list[NodeExecution]) -> list[NodeExecution]:
    """One state per node (the last given): one upsert may not change a row twice."""
    if len(nodes) < 2:
        return nodes
    latest = {n.node_id: n for n in nodes}
    return nodes if len(latest) == len(nodes) else list(latest.values())


def _batch_rows(execution_id: str, batches: list[MapBatch]) -> list[dict[str, Any]]:
    """Rows of the map batches of a tick, one per (node, batch), the last given winning:
    one upsert may not change a row twice."""
    if not batches:
        return []
    latest = {(b.node_id, b.batch): b for b in batches}
    return [
        {
            "execution_id": execution_id,
            "node_id": b.node_id,
            "batch": b.batch,
            "document": _exec_enc.encode(b).decode(),
        }
        for b in latest.values()
    ]


def _cache_row(put: CachePut) -> dict[str, Any]:
    return {
        "key": put.key,
        "task_name": put.task_name,
        "outputs": _exec_enc.encode(put.outputs).decode(),
        "created_at": time.time(),
        "version": put.version or None,
    }
