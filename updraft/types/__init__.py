"""The type engine: Python values to and from the wire model's `Literal`s.

Annotations become `LiteralType`s (`to_literal_type`), values become literals
(`to_literal`) and back (`to_python`), command-line text becomes values (`parse_text`), and
`interface_of` reads a function's typed inputs and named outputs. Each type family lives in
its own module (primitives, containers, unions, enums, structs, files, directories, data
frames, and pickle as the fallback), behind a registry that caches one converter per
annotation. Blob data goes only through the `updraft.model.BlobIO` it is handed.

Importing this package loads no pandas, pyarrow, fsspec, pydantic or cloudpickle; each is
imported when a value that needs it is converted.
"""

from updraft.types._api import describe, parse_text, to_literal, to_literal_type, to_python
from updraft.types._assign import is_assignable
from updraft.types._columns import Columns
from updraft.types._directory import Directory
from updraft.types._errors import TypeAnnotationError, TypeConversionError
from updraft.types._file import File
from updraft.types._interface import InputInfo, PythonInterface, interface_of
from updraft.types._json import literal_from_json, literal_to_json
from updraft.types._no_blobs import BlobStoreUnavailable, NoBlobStore

__all__ = [
    "BlobStoreUnavailable",
    "Columns",
    "Directory",
    "File",
    "InputInfo",
    "NoBlobStore",
    "PythonInterface",
    "TypeAnnotationError",
    "TypeConversionError",
    "describe",
    "interface_of",
    "is_assignable",
    "literal_from_json",
    "literal_to_json",
    "parse_text",
    "to_literal",
    "to_literal_type",
    "to_python",
]
