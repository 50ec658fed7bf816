"""Values given as plain JSON, converted with nothing but their `LiteralType`.

The server receives workflow inputs over REST and must check and convert them without the
user's Python classes: it knows only the `LiteralType`s the workflow registered. These
functions walk the type and the JSON value together and build the same `Literal` that
`to_literal` builds from the equivalent Python value (same content hash), so a run launched
from the API shares cache entries with one launched from Python. `literal_to_json` is the
way back, for API clients and the console.

Files, directories and data frames are given as the location of existing data (an absolute
path or a URL). The literal points at that location with the content's hash; nothing is
uploaded, and data is read only through the `BlobIO` handed in (which knows the store's
credentials). Pickled types have no JSON form and are refused. This module imports pyarrow
only when a data frame is converted, and never pandas or fsspec.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import math
import os
import shutil
import types
from collections.abc import Callable

from updraft.model import Blob, BlobIO, Collection, Literal, LiteralType, Map, Scalar, UnionValue
from updraft.types._columns import check_columns
from updraft.types._dataframe import preview
from updraft.types._directory import directory_digest
from updraft.types._errors import TypeConversionError, mismatch, short_repr
from updraft.types._file import _extension
from updraft.types._lazy import base_name, file_digest, is_remote, local_path, scratch_dir

_NON_FINITE = frozenset({"nan", "inf", "-inf"})

#: The kinds a JSON value is naturally of; a union tries these variants first, as
#: `to_literal` tries the variants a Python value is an exact instance of.
_NATURAL: dict[type, frozenset[str]] = {
    bool: frozenset({"bool"}),
    int: frozenset({"int"}),
    float: frozenset({"float"}),
    str: frozenset({"str"}),
    type(None): frozenset({"none"}),
    list: frozenset({"list"}),
    dict: frozenset({"dict", "struct"}),
}


def literal_from_json(
    value: object, lt: LiteralType, blob_io: BlobIO, prefix: str, *, name: str = ""
) -> Literal:
    """Check a JSON value against ``lt`` and convert it to the `Literal` `to_literal` makes.

    Scalars are JSON values (an int is accepted for a float, a bool is never a number);
    bytes are base64 text; datetimes and dates ISO text (a datetime without a zone is taken
    as UTC); durations a number of seconds; enums a member's value; structs an object with
    every declared field (an optional field may be left out and becomes None). Files,
    directories and data frames are the absolute path or URL of existing data (a data
    frame a Parquet file); the literal points there and carries the content's hash.

    Args:
        value: the value as decoded from JSON.
        lt: the type the workflow declared for it.
        blob_io: reads files, directories and Parquet files to hash and check them.
        prefix: where blobs of this value would be written; JSON values refer to data that
            already exists, so nothing is written today.
        name: the input's name, put first in the path of error messages.

    Returns:
        The literal; for files, directories and frames a `Blob` whose ``uri`` is the given
        location.

    Raises:
        TypeConversionError: the value does not fit; the message names where inside the
            value (``at hyperparams.max_depth``), the type expected and what came.

    Example::

        lt = LiteralType("list", args=(LiteralType("float"),))
        literal_from_json([1, 2.5], lt, blob_io, "exec/inputs")
        # Collection(items=(Scalar(value=1.0), Scalar(value=2.5)))
    """
    try:
        return _convert(value, lt, blob_io)
    except TypeConversionError as err:
        raise (err.at(f".{name}") if name else err) from None


def literal_to_json(literal: Literal, lt: LiteralType | None = None) -> object:
    """A literal as plain JSON for people and API clients.

    Scalars are their JSON values (datetimes and dates ISO text, bytes base64 text, durations
    seconds, non-finite floats ``"nan"``/``"inf"``/``"-inf"``), lists lists, maps objects,
    unions the value of their variant, and blobs an object with ``uri``, ``hash``, ``kind``,
    ``format``, ``size`` and ``preview``. Every non-blob result converts back to the same
    literal with `literal_from_json`.

    Args:
        literal: the literal to show.
        lt: its type, when known: struct fields are then listed in declared order.

    Example::

        literal_to_json(UnionValue(0, Scalar(3)))  # 3
    """
    if isinstance(literal, Scalar):
        return literal.value
    if isinstance(literal, Blob):
        return {
            "uri": literal.uri,
            "hash": literal.hash,
            "kind": literal.kind,
            "format": literal.format,
            "size": literal.size,
            "preview": literal.preview,
        }
    if isinstance(literal, Collection):
        element = lt.args[0] if lt is not None and lt.kind == "list" and lt.args else None
        return [literal_to_json(item, element) for item in literal.items]
    if isinstance(literal, Map):
        if lt is not None and lt.kind == "struct":
            declared = dict(lt.fields)
            order = [n for n in declared if n in literal.items]
            order += [n for n in literal.items if n not in declared]
            return {n: literal_to_json(literal.items[n], declared.get(n)) for n in order}
        value_type = lt.args[0] if lt is not None and lt.kind == "dict" and lt.args else None
        return {k: literal_to_json(v, value_type) for k, v in literal.items.items()}
    variant = None
    if lt is not None and lt.kind == "union" and 0 <= literal.variant < len(lt.args):
        variant = lt.args[literal.variant]
    return literal_to_json(literal.value, variant)


def _convert(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    convert = _CONVERTERS.get(lt.kind)
    if convert is None:
        raise TypeConversionError(
            f"unknown type kind {lt.kind!r}; the workflow was registered by a newer updraft, "
            "upgrade the server"
        )
    return convert(value, lt, blob_io)


# -- scalars -------------------------------------------------------------------------------


def _int(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if type(value) is int:
        return Scalar(value)
    raise mismatch(lt.describe(), value, "give a whole number such as 3")


def _float(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if isinstance(value, str) and value in _NON_FINITE:
        return Scalar(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            raise mismatch(lt.describe(), value, "the number is too large") from None
        if math.isfinite(number):
            return Scalar(number)
        return Scalar("nan" if number != number else ("inf" if number > 0 else "-inf"))
    raise mismatch(lt.describe(), value, 'give a number such as 0.5 (or "nan", "inf")')


def _str(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if isinstance(value, str):
        return Scalar(str(value))
    raise mismatch(lt.describe(), value, 'give a JSON string such as "text"')


def _bool(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if type(value) is bool:
        return Scalar(value)
    raise mismatch(lt.describe(), value, "give true or false")


def _bytes(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if isinstance(value, str):
        try:
            data = base64.b64decode(value, validate=True)
        except binascii.Error:
            pass
        else:
            return Scalar(base64.b64encode(data).decode("ascii"))
    raise mismatch(lt.describe(), value, 'give base64 text such as "aGVsbG8="')


def _datetime(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return Scalar(moment.isoformat())
    raise mismatch(lt.describe(), value, 'give ISO text such as "2024-05-01T12:30:00Z"')


def _date(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if isinstance(value, str):
        try:
            return Scalar(dt.date.fromisoformat(value).isoformat())
        except ValueError:
            pass
    raise mismatch(lt.describe(), value, 'give ISO text such as "2024-05-01"')


def _timedelta(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return Scalar(dt.timedelta(seconds=value).total_seconds())
        except (OverflowError, ValueError):
            pass
    raise mismatch(lt.describe(), value, "give a finite number of seconds such as 90")


def _none(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if value is None:
        return Scalar(None)
    raise mismatch("None", value, "give null")


# -- containers ----------------------------------------------------------------------------


def _list(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if not isinstance(value, list | tuple):
        raise mismatch(lt.describe(), value, "give a JSON array")
    element = lt.args[0]
    items: list[Literal] = []
    try:
        for item in value:
            items.append(_convert(item, element, blob_io))
    except TypeConversionError as err:
        raise err.at(f"[{len(items)}]") from None
    return Collection(tuple(items))


def _dict(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if not isinstance(value, dict):
        raise mismatch(lt.describe(), value, "give a JSON object")
    element = lt.args[0]
    items: dict[str, Literal] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeConversionError(
                f"expected {lt.describe()} with str keys, got key {key!r} of type "
                f"{type(key).__name__}"
            )
        try:
            items[key] = _convert(item, element, blob_io)
        except TypeConversionError as err:
            raise err.at(f"[{key!r}]") from None
    return Map(items)


def _struct(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if not isinstance(value, dict):
        raise mismatch(lt.describe(), value, "give a JSON object of its fields")
    declared = dict(lt.fields)
    unknown = sorted(str(k) for k in value if k not in declared)
    if unknown:
        raise TypeConversionError(
            f"{lt.describe()} has no field(s) {', '.join(map(repr, unknown))}; its fields are "
            f"{', '.join(declared) or 'none'}"
        )
    items: dict[str, Literal] = {}
    for field, field_type in lt.fields:
        if field in value:
            try:
                items[field] = _convert(value[field], field_type, blob_io)
            except TypeConversionError as err:
                raise err.at(f".{field}") from None
            continue
        none_index = _none_variant(field_type)
        if none_index < 0:
            raise TypeConversionError(
                f"{lt.describe()} is missing field {field!r} of type {field_type.describe()}; "
                "every field without None in its type must be given",
                path=f".{field}",
            )
        items[field] = UnionValue(none_index, Scalar(None))
    return Map(items)


def _none_variant(lt: LiteralType) -> int:
    if lt.kind != "union":
        return -1
    return next((i for i, a in enumerate(lt.args) if a.kind == "none"), -1)


def _enum(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    if isinstance(value, str | int | float) and str(value) in lt.values:
        return Scalar(value)
    raise mismatch(lt.describe(), value, f"give one of {', '.join(lt.values)}")


def _union(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    natural = _NATURAL.get(type(value), frozenset())
    first = [i for i, a in enumerate(lt.args) if a.kind in natural]
    rest = [i for i in range(len(lt.args)) if i not in first]
    errors: list[str] = []
    for index in first + rest:
        try:
            return UnionValue(index, _convert(value, lt.args[index], blob_io))
        except TypeConversionError as err:
            errors.append(str(err))
    detail = f" ({'; '.join(errors)})" if errors and len(errors) < 4 else ""
    raise TypeConversionError(
        f"expected {lt.describe()}, got {type(value).__name__} {short_repr(value)}{detail}"
    )


# -- blobs ---------------------------------------------------------------------------------


def _location(value: object, lt: LiteralType, what: str) -> str:
    """The path or URL a blob input names: a string, or an object with a ``uri`` (the form
    `literal_to_json` shows), so a shown value can be given back."""
    if isinstance(value, dict) and isinstance(value.get("uri"), str):
        value = value["uri"]
    if not isinstance(value, str) or not value.strip():
        raise mismatch(lt.describe(), value, f"give the absolute path or URL of {what}")
    if is_remote(value):
        return value
    path = local_path(value)
    if not os.path.isabs(path):
        raise TypeConversionError(
            f"expected {lt.describe()}, got the relative path {value!r}; give an absolute path "
            "or a URL (the server does not know the caller's working directory)"
        )
    return path


def _file(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    location = _location(value, lt, "an existing file")
    name = base_name(location)
    if is_remote(location):
        digest, size = _remote_file_digest(location, blob_io)
    else:
        if not os.path.isfile(location):
            what = "is a directory (use Directory)" if os.path.isdir(location) else "does not exist"
            raise TypeConversionError(f"File {location!r} {what}")
        digest, size = file_digest(location)
    return Blob(location, digest, "file", format=_extension(name), size=size, preview=name)


def _directory(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    location = _location(value, lt, "an existing folder")
    if is_remote(location):
        digest, size, count = _remote_tree_digest(location, blob_io)
    else:
        if not os.path.isdir(location):
            what = "is a file (use File)" if os.path.isfile(location) else "does not exist"
            raise TypeConversionError(f"Directory {location!r} {what}")
        digest, size, count = directory_digest(location)
    name = base_name(location) or "dir"
    preview_text = f"{name}/ ({count} file{'s' if count != 1 else ''})"
    return Blob(location, digest, "directory", size=size, preview=preview_text)


def _remote_file_digest(uri: str, blob_io: BlobIO) -> tuple[str, int]:
    """Hash a remote file by fetching it to a scratch folder that is removed afterwards, so a
    large file is streamed to disk rather than held in memory."""
    folder = scratch_dir(blob_io)
    try:
        dest = os.path.join(folder, "data")
        _fetch(uri, dest, LiteralType("file"), blob_io.get_file)
        return file_digest(dest)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remote_tree_digest(uri: str, blob_io: BlobIO) -> tuple[str, int, int]:
    """Hash a remote folder the way `directory_digest` hashes a local one: fetch, then hash."""
    folder = scratch_dir(blob_io)
    try:
        dest = os.path.join(folder, "tree")
        _fetch(uri, dest, LiteralType("directory"), blob_io.get_directory)
        return directory_digest(dest)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _fetch(uri: str, dest: str, lt: LiteralType, fetch: Callable[[str, str], None]) -> None:
    try:
        fetch(uri, dest)
    except (OSError, ValueError) as err:
        raise TypeConversionError(
            f"{lt.describe()} {uri!r} cannot be read: {type(err).__name__}: {err}; check that "
            "it exists and that the server may read it"
        ) from None


def _dataframe(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    location = _location(value, lt, "a Parquet file")
    try:
        data = blob_io.get_bytes(location)
    except (OSError, ValueError) as err:
        raise TypeConversionError(
            f"{lt.describe()} {location!r} cannot be read: {type(err).__name__}: {err}; check "
            "that it exists and that the server may read it"
        ) from None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as err:
        raise TypeConversionError(
            f"expected {lt.describe()} as a Parquet file, but {location!r} is not one: {err}; "
            "write the frame with DataFrame.to_parquet"
        ) from None
    schema = parquet.schema_arrow
    if lt.columns:
        check_columns(lt.columns, schema, lt.describe())
    shape = types.SimpleNamespace(column_names=schema.names, num_rows=parquet.metadata.num_rows)
    digest = hashlib.sha256(data).hexdigest()
    return Blob(location, digest, "dataframe", "parquet", len(data), preview(shape))


def _pickle(value: object, lt: LiteralType, blob_io: BlobIO) -> Literal:
    raise TypeConversionError(
        f"inputs of type {lt.describe()} (pickled) cannot be given as JSON; give this input a "
        "default in the workflow or pass it from another task"
    )


_CONVERTERS: dict[str, Callable[[object, LiteralType, BlobIO], Literal]] = {
    "int": _int,
    "float": _float,
    "str": _str,
    "bool": _bool,
    "bytes": _bytes,
    "datetime": _datetime,
    "date": _date,
    "timedelta": _timedelta,
    "none": _none,
    "list": _list,
    "dict": _dict,
    "struct": _struct,
    "enum": _enum,
    "union": _union,
    "file": _file,
    "directory": _directory,
    "dataframe": _dataframe,
    "pickle": _pickle,
}
