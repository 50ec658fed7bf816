"""The fallback: ``typing.Any`` and classes no other family knows travel as pickles.

A pickle works for nearly any object, but it ties the value to the Python and library
versions that wrote it and shows nothing in the console, so choosing it emits a
`UserWarning` naming the type when the annotation is first seen (at decoration time).
cloudpickle writes (it handles lambdas and classes defined in ``__main__``); the standard
`pickle` reads. This family must be registered last: it accepts every class.
"""

from __future__ import annotations

import hashlib
import typing
import warnings

from updraft.model import Blob, BlobIO, Literal, LiteralType
from updraft.types._errors import TypeAnnotationError, TypeConversionError, bad_literal, mismatch
from updraft.types._registry import Converter, type_name


class PickleConverter(Converter):
    """Values of ``cls`` (any value for ``typing.Any``), pickled into a blob."""

    __slots__ = ("cls",)

    def __init__(self, annotation: object, name: str, cls: type | None) -> None:
        super().__init__(annotation, LiteralType("pickle", name=name))
        self.cls = cls

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if self.cls is not None and not isinstance(value, self.cls):
            raise mismatch(self.describe(), value)
        import cloudpickle

        try:
            data = cloudpickle.dumps(value)
        except Exception as err:
            raise TypeConversionError(
                f"cannot pickle {type(value).__name__} for {self.describe()}: {err}"
            ) from None
        digest = hashlib.sha256(data).hexdigest()
        uri = blob_io.put_bytes(prefix, f"{digest[:16]}.pkl", data)
        return Blob(uri, digest, "pickle", "pickle", len(data), type_name(type(value)))

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Blob and literal.kind == "pickle":
            import pickle

            return pickle.loads(blob_io.get_bytes(literal.uri))
        raise bad_literal(self.describe(), literal)

    def matches(self, value: object) -> bool:
        return self.cls is None or isinstance(value, self.cls)

    def from_text(self, text: str) -> object:
        raise TypeConversionError(
            f"expected {self.describe()}, got {text!r}: values of {self.describe()} are "
            "pickled and cannot be given as text; give this input a default or pass it "
            "from another task"
        )

    def name(self) -> str:
        return self.literal_type.name.rsplit(".", 1)[-1]


def _warn(name: str) -> None:
    warnings.warn(
        f"updraft has no converter for type {name}; its values will be pickled, which ties "
        "them to the Python and library versions that wrote them; use a dataclass, a "
        "supported type or File to avoid this",
        UserWarning,
        stacklevel=2,
    )


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """A pickle converter for typing.Any, any class and generics of classes; an error for
    the typing constructs that do not name a type of value."""
    if base is typing.Any or base is object:
        name = "typing.Any" if base is typing.Any else "builtins.object"
        _warn(name)
        return PickleConverter(annotation, name, None)
    if isinstance(base, type):
        name = type_name(base)
        _warn(name)
        return PickleConverter(annotation, name, base)
    origin = typing.get_origin(base)
    if isinstance(origin, type):
        name = type_name(origin)
        _warn(f"{name} ({base!r})")
        return PickleConverter(annotation, name, origin)
    if isinstance(base, str | typing.ForwardRef):
        raise TypeAnnotationError(
            f"annotation {base!r} is a string that was not resolved; define the type it names "
            "at module level so typing.get_type_hints can find it"
        )
    if origin is typing.Literal:
        raise TypeAnnotationError(f"{base!r} is not supported; use an enum.Enum with these values")
    raise TypeAnnotationError(
        f"annotation {base!r} is not supported; use a concrete type such as int, "
        "list[str], a dataclass, File or typing.Any"
    )
