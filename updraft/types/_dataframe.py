"""Data frames: ``pandas.DataFrame`` and ``pyarrow.Table``, stored as Parquet blobs.

The annotation decides what a task receives: ``pd.DataFrame`` a pandas frame, ``pa.Table``
an Arrow table; either kind of value is accepted for either output. A `Columns` schema in
``Annotated[...]`` is checked when a task returns the frame and again when the next task
receives it. pandas and pyarrow are imported only when a frame is converted: annotations are
recognised by their class's module and name.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
from typing import Any

from updraft.model import Blob, BlobIO, Literal, LiteralType
from updraft.types._columns import Columns, check_columns
from updraft.types._errors import TypeConversionError, bad_literal, mismatch
from updraft.types._registry import Converter

PANDAS = "pandas.DataFrame"
PYARROW = "pyarrow.Table"
_PREVIEW_COLUMNS = 5


def _flavor(tp: object) -> str | None:
    if not isinstance(tp, type):
        return None
    module = tp.__module__
    if tp.__name__ == "DataFrame" and (module == "pandas" or module.startswith("pandas.")):
        return PANDAS
    if tp.__name__ == "Table" and (module == "pyarrow" or module.startswith("pyarrow.")):
        return PYARROW
    return None


def _is_pandas_frame(value: object) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(value, pd.DataFrame)


def _is_arrow_table(value: object) -> bool:
    pa = sys.modules.get("pyarrow")
    return pa is not None and isinstance(value, pa.Table)


def preview(table: Any) -> str:
    """``'768 rows x 9 columns: age, bmi, ...'``."""
    names = list(table.column_names)
    shown = ", ".join(str(n) for n in names[:_PREVIEW_COLUMNS])
    more = ", ..." if len(names) > _PREVIEW_COLUMNS else ""
    return f"{table.num_rows} rows x {len(names)} columns: {shown}{more}"


class DataFrameConverter(Converter):
    """One frame annotation: its flavor (pandas or pyarrow) and optional columns."""

    __slots__ = ("flavor",)

    def __init__(self, annotation: object, flavor: str, columns: Columns | None) -> None:
        lt = LiteralType(
            "dataframe", name=flavor, columns=columns.columns if columns is not None else ()
        )
        super().__init__(annotation, lt)
        self.flavor = flavor

    def _to_arrow(self, value: object) -> Any:
        """The value as an Arrow table, with the declared columns checked."""
        if _is_arrow_table(value):
            table: Any = value
            dtypes = None
        elif _is_pandas_frame(value):
            import pyarrow as pa

            frame: Any = value
            try:
                table = pa.Table.from_pandas(frame)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
                raise TypeConversionError(
                    f"{self.describe()}: cannot store this pandas frame as Parquet: {err}; "
                    "make each column hold one type"
                ) from None
            dtypes = {str(k): str(v) for k, v in frame.dtypes.items()}
        else:
            raise mismatch(self.describe(), value, "return a pandas DataFrame or pyarrow Table")
        if self.literal_type.columns:
            check_columns(self.literal_type.columns, table.schema, self.describe(), dtypes)
        return table

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        import pyarrow.parquet as pq

        table = self._to_arrow(value)
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        data = buffer.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        uri = blob_io.put_bytes(prefix, f"{digest[:16]}.parquet", data)
        return Blob(uri, digest, "dataframe", "parquet", len(data), preview(table))

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is not Blob or literal.kind != "dataframe":
            raise bad_literal(self.describe(), literal)
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(pa.BufferReader(blob_io.get_bytes(literal.uri)))
        return self._from_arrow(table)

    def _from_arrow(self, table: Any) -> object:
        if self.literal_type.columns:
            check_columns(self.literal_type.columns, table.schema, self.describe())
        return table.to_pandas() if self.flavor == PANDAS else table

    def matches(self, value: object) -> bool:
        return _is_pandas_frame(value) or _is_arrow_table(value)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, str):
            return self._read(obj)
        raise mismatch(self.describe(), obj, self.hint())

    def from_text(self, text: str) -> object:
        return self._read(text.strip())

    def _read(self, path: str) -> object:
        """Read a .csv or .parquet file (local path or fsspec URL) as this annotation's type."""
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        extension = os.path.splitext(path.split("?", 1)[0])[1].lower()
        if extension not in (".csv", ".parquet", ".pq"):
            raise self.text_error(path)
        try:
            with _open(path) as handle:
                data = handle.read()
        except OSError as err:
            raise TypeConversionError(
                f"expected {self.describe()}: cannot read {path!r}: {err}"
            ) from None
        reader = pacsv.read_csv if extension == ".csv" else pq.read_table
        import pyarrow as pa

        try:
            table = reader(pa.BufferReader(data))
        except (pa.ArrowInvalid, OSError) as err:
            raise TypeConversionError(
                f"expected {self.describe()}: {path!r} is not a valid {extension[1:]} file: {err}"
            ) from None
        return self._from_arrow(table)

    def hint(self) -> str:
        return "give the path of a .csv or .parquet file"

    def json_example(self) -> str:
        return '"data/frame.parquet"'

    def name(self) -> str:
        return "DataFrame" if self.flavor == PANDAS else "pyarrow.Table"


def _open(path: str) -> Any:
    if "://" in path and not path.startswith("file://"):
        import fsspec

        return fsspec.open(path, "rb")
    return open(path.removeprefix("file://"), "rb")


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """A frame converter for pandas.DataFrame / pyarrow.Table, with `Columns` if annotated."""
    flavor = _flavor(base)
    if flavor is None:
        return None
    columns = next((m for m in metadata if isinstance(m, Columns)), None)
    return DataFrameConverter(annotation, flavor, columns)
