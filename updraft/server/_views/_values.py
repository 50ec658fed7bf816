"""Values rendered for people: scalars and JSON as they are, blobs as a link and a summary,
data frames with their schema and first rows.

The console shows what a node received and produced without knowing Python classes: it has
the `Literal` and, where the spec declares it, the `LiteralType`. Blob data is read only for a
data frame's preview (the first rows, through Parquet's row groups, never the whole frame
into memory when the store is local) and only from the server's own blob store.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import os
import posixpath
import re
from typing import Any
from urllib.parse import quote

from updraft.model import (
    BLOB_KINDS,
    Blob,
    Collection,
    Literal,
    LiteralType,
    Map,
    Scalar,
    UnionValue,
)
from updraft.server._prefix import API_PREFIX
from updraft.server._schemas import FramePreview, PreviewColumn, ValueView
from updraft.store import BlobStore

#: Rows of a data frame shown in its preview.
PREVIEW_ROWS = 20

#: Type kinds whose values show as JSON documents rather than one scalar.
_JSON_KINDS = frozenset({"list", "dict", "struct", "union"})

#: Files and directories are stored as ``<first 16 hex digits of the digest>-<name>``.
_DIGEST_PREFIX = re.compile(r"^[0-9a-f]{16}-(?=.)")

#: Where the console downloads a blob (see `_routes_console`); the URI goes in the query.
DOWNLOAD_PATH = f"{API_PREFIX}/blobs"


def stored_location(blobs: BlobStore, uri: str) -> str | None:
    """Where ``uri`` is in the server's blob store (a real local path, or the URL under a
    remote root), or None when it points anywhere else.

    Only the store's own data is served: an input given as a path elsewhere on the server's
    machine is shown, never read, so that the API cannot be used to read arbitrary files.
    """
    if blobs.is_local:
        local = blobs.as_local_path(uri)
        if local is None:
            return None
        root = os.path.realpath(blobs.root)
        real = os.path.realpath(local)
        return real if real.startswith(root + os.sep) else None
    root = blobs.root
    if not uri.startswith(root + "/") or ".." in uri[len(root) :].split("/"):
        return None
    return uri


def download_link(blobs: BlobStore, uri: str) -> str | None:
    """The API path that downloads ``uri``, None when the server does not serve it."""
    if stored_location(blobs, uri) is None:
        return None
    return f"{DOWNLOAD_PATH}?uri={quote(uri, safe='')}"


def render(literal: Literal | None, lt: LiteralType | None, blobs: BlobStore) -> ValueView:
    """One value for display; ``literal`` None means it is not available yet."""
    if literal is None:
        return ValueView(type=describe(None, lt), kind=_kind_of_type(lt), available=False)
    inner = _unwrap(literal)
    if isinstance(inner, Blob):
        return _render_blob(inner, describe(literal, lt), blobs)
    from updraft.types import literal_to_json

    value = literal_to_json(literal, lt)
    kind = "json" if isinstance(value, list | dict) else "scalar"
    return ValueView(type=describe(literal, lt), kind=kind, value=value)


def describe(literal: Literal | None, lt: LiteralType | None) -> str:
    """The type as people read it: the declared one, else what the value looks like."""
    if lt is not None:
        return lt.describe()
    if isinstance(literal, Blob):
        return {"file": "File", "directory": "Directory", "dataframe": "DataFrame"}.get(
            literal.kind, literal.kind
        )
    if isinstance(literal, Scalar):
        return "none" if literal.value is None else type(literal.value).__name__
    if isinstance(literal, Collection):
        return "list"
    if isinstance(literal, Map):
        return "dict"
    if isinstance(literal, UnionValue):
        return describe(literal.value, None)
    return "unknown"


def _kind_of_type(lt: LiteralType | None) -> str:
    if lt is None:
        return "scalar"
    if lt.kind in BLOB_KINDS:
        return lt.kind
    if lt.kind in _JSON_KINDS:
        return "json"
    return "scalar"


def _unwrap(literal: Literal) -> Literal:
    """The value inside unions."""
    while isinstance(literal, UnionValue):
        literal = literal.value
    return literal


def _render_blob(blob: Blob, type_text: str, blobs: BlobStore) -> ValueView:
    view = ValueView(
        type=type_text,
        kind=blob.kind,
        uri=blob.uri,
        size=blob.size or None,
        summary=blob.preview or original_name(blob.uri) or blob.uri,
        download=download_link(blobs, blob.uri),
    )
    if blob.kind == "dataframe" and view.download is not None:
        try:
            view.preview = frame_preview(blobs, blob.uri)
        except Exception as exc:  # a corrupt or vanished blob must not fail the page
            view.preview_error = f"cannot read the data frame at {blob.uri}: {exc}"
    return view


def original_name(uri: str) -> str:
    """The name a file or directory had before the store put it under its digest
    (``<16 hex digits>-<name>``); frames and pickles keep the stored name."""
    stored = posixpath.basename(uri.rstrip("/"))
    return _DIGEST_PREFIX.sub("", stored, count=1) or stored


def frame_preview(blobs: BlobStore, uri: str, rows: int = PREVIEW_ROWS) -> FramePreview:
    """The schema, first ``rows`` rows and row count of the Parquet file at ``uri``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    local = blobs.as_local_path(uri)
    source: Any = local if local is not None else pa.BufferReader(blobs.get_bytes(uri))
    parquet = pq.ParquetFile(source)
    try:
        schema = parquet.schema_arrow
        names = [n for n in schema.names if not n.startswith("__index_level_")]
        first: list[list[Any]] = []
        for batch in parquet.iter_batches(batch_size=rows, columns=names):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            first = [[jsonable(col[r]) for col in columns] for r in range(batch.num_rows)]
            break
        return FramePreview(
            columns=[PreviewColumn(name=n, type=str(schema.field(n).type)) for n in names],
            rows=first[:rows],
            num_rows=parquet.metadata.num_rows,
        )
    finally:
        parquet.close()


def jsonable(value: object) -> object:
    """A cell of a frame as JSON: dates ISO text, decimals and bytes text, non-finite
    floats as "nan"/"inf"/"-inf" (as `literal_to_json` writes them)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)
