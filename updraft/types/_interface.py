"""A Python function's typed interface: its inputs, its named outputs and their types.

Output names follow DESIGN: no return annotation (or ``None``) means no outputs; a
``tuple[A, B]`` return means outputs ``o0``, ``o1``; a NamedTuple class means its field
names; anything else is the single output ``o0``. Everything is checked when the function is
inspected (at decoration time), so a missing annotation fails before anything runs.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
import weakref
from collections.abc import Callable
from typing import Any

from updraft.model import Interface, Literal, LiteralType, Parameter
from updraft.types._api import to_literal, to_literal_type
from updraft.types._errors import TypeAnnotationError, TypeConversionError, short_repr
from updraft.types._no_blobs import BlobStoreUnavailable, NoBlobStore
from updraft.types._registry import register_alias

_NONE, _SINGLE, _TUPLE, _NAMED = "none", "single", "tuple", "namedtuple"


@dataclasses.dataclass(frozen=True)
class InputInfo:
    """One input of a function.

    Attributes:
        annotation: the resolved annotation (``Annotated`` extras kept).
        default: the default value, or None when there is none (see ``has_default``).
        has_default: whether the parameter has a default.
        literal_type: the annotation's `LiteralType`.
    """

    annotation: object
    default: object
    has_default: bool
    literal_type: LiteralType


def _contains_blob(lt: LiteralType) -> bool:
    if lt.kind in ("file", "directory", "dataframe", "pickle"):
        return True
    return any(_contains_blob(a) for a in lt.args) or any(_contains_blob(t) for _, t in lt.fields)


class PythonInterface:
    """The typed interface of one function, as `interface_of` finds it.

    Attributes:
        name: the function's ``module.qualname``, used in messages.
        inputs: parameter name to `InputInfo`, in signature order.
        outputs: output name to annotation.
        output_types: output name to `LiteralType`.
    """

    def __init__(
        self,
        name: str,
        inputs: dict[str, InputInfo],
        outputs: dict[str, object],
        shape: str,
        named: Callable[..., object] | None,
    ) -> None:
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.output_types = {k: to_literal_type(v) for k, v in outputs.items()}
        self._shape = shape
        self._named = named
        self._names = tuple(outputs)
        self._model: Interface | None = None

    def outputs_to_dict(self, result: object) -> dict[str, object]:
        """Name the values a call returned: ``{"o0": result}``, ``{"o0": a, "o1": b}``, ...

        Raises:
            TypeConversionError: a tuple of the wrong length, or a value returned by a
                function that declares no outputs; the message names the function.
        """
        shape = self._shape
        if shape == _SINGLE:
            return {"o0": result}
        if shape == _NONE:
            if result is not None:
                raise TypeConversionError(
                    f"function {self.name!r} returned {type(result).__name__} "
                    f"{short_repr(result)} but declares no outputs; add a return annotation "
                    "such as '-> int'"
                )
            return {}
        count = len(self._names)
        if not isinstance(result, tuple):
            raise TypeConversionError(
                f"function {self.name!r} must return a tuple of {count} values "
                f"({', '.join(self._names)}), got {type(result).__name__} {short_repr(result)}"
            )
        if len(result) != count:
            raise TypeConversionError(
                f"function {self.name!r} returned {len(result)} values, its return annotation "
                f"declares {count} ({', '.join(self._names)})"
            )
        return dict(zip(self._names, result, strict=True))

    def outputs_from_dict(self, values: dict[str, object]) -> object:
        """What a call returns, from named outputs: None, one value, a tuple or a NamedTuple."""
        shape = self._shape
        if shape == _SINGLE:
            return values["o0"]
        if shape == _NONE:
            return None
        ordered = [values[n] for n in self._names]
        if shape == _NAMED and self._named is not None:
            return self._named(*ordered)
        return tuple(ordered)

    def to_model(self) -> Interface:
        """The wire `Interface`. A default that converts without the blob store (scalars,
        containers, enums, structs of those) is stored as a literal; other defaults have
        ``has_default=True`` and no literal, and are converted when the task runs.

        Raises:
            TypeAnnotationError: a default does not match its parameter's annotation.
        """
        if self._model is None:
            inputs = {name: self._parameter(name, info) for name, info in self.inputs.items()}
            self._model = Interface(inputs=inputs, outputs=dict(self.output_types))
        return self._model

    def _parameter(self, name: str, info: InputInfo) -> Parameter:
        if not info.has_default:
            return Parameter(type=info.literal_type)
        if info.default is not None and _contains_blob(info.literal_type):
            return Parameter(type=info.literal_type, has_default=True)
        try:
            default: Literal | None = to_literal(
                info.default, info.annotation, NoBlobStore(), ""
            )
        except BlobStoreUnavailable:  # converted when the task runs, with the store
            default = None
        except TypeConversionError as err:
            raise TypeAnnotationError(
                f"function {self.name!r}, parameter {name!r}: default "
                f"{short_repr(info.default)} does not match its annotation: {err}"
            ) from None
        return Parameter(type=info.literal_type, default=default, has_default=True)

    def __repr__(self) -> str:
        ins = ", ".join(f"{n}: {i.literal_type.describe()}" for n, i in self.inputs.items())
        outs = ", ".join(f"{n}: {t.describe()}" for n, t in self.output_types.items())
        return f"PythonInterface({self.name}({ins}) -> ({outs}))"


_interfaces: weakref.WeakKeyDictionary[Callable[..., Any], PythonInterface] = (
    weakref.WeakKeyDictionary()
)


def interface_of(func: Callable[..., Any]) -> PythonInterface:
    """Inspect a function's signature and annotations; cached per function.

    Raises:
        TypeAnnotationError: a parameter without annotation, ``*args``/``**kwargs``,
            positional-only parameters, or an unsupported annotation; the message names
            the function and the parameter.

    Example::

        def split(data: File, ratio: float = 0.3) -> tuple[Features, Features]: ...
        interface_of(split).outputs  # {'o0': Features, 'o1': Features}
    """
    try:
        return _interfaces[func]
    except KeyError:
        pass
    except TypeError:  # not weak-referenceable
        return _inspect(func)
    interface = _inspect(func)
    _interfaces[func] = interface
    return interface


def _qualified_name(func: Callable[..., Any]) -> str:
    module = getattr(func, "__module__", None) or "?"
    qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))
    return f"{module}.{qualname}"


def _inspect(func: Callable[..., Any]) -> PythonInterface:
    name = _qualified_name(func)
    try:
        signature = inspect.signature(func)
        hints = typing.get_type_hints(func, include_extras=True)
    except (NameError, TypeError, ValueError, AttributeError, SyntaxError) as err:
        raise TypeAnnotationError(
            f"function {name!r}: cannot read its annotations ({err}); define every type it "
            "uses at module level"
        ) from None
    inputs: dict[str, InputInfo] = {}
    for param in signature.parameters.values():
        _check_kind(name, param)
        if param.name not in hints:
            raise TypeAnnotationError(
                f"function {name!r}: parameter {param.name!r} has no type annotation; "
                f"annotate it, e.g. '{param.name}: int'"
            )
        annotation = hints[param.name]
        try:
            literal_type = to_literal_type(annotation)
        except TypeAnnotationError as err:
            raise TypeAnnotationError(
                f"function {name!r}, parameter {param.name!r}: {err}"
            ) from None
        has_default = param.default is not inspect.Parameter.empty
        default = param.default if has_default else None
        inputs[param.name] = InputInfo(annotation, default, has_default, literal_type)
    outputs, shape, named = _outputs(name, hints)
    _remember_aliases(func, [*hints.values(), *outputs.values()])
    try:
        return PythonInterface(name, inputs, outputs, shape, named)
    except TypeAnnotationError as err:
        raise TypeAnnotationError(f"function {name!r}, return annotation: {err}") from None


def _check_kind(name: str, param: inspect.Parameter) -> None:
    if param.kind is inspect.Parameter.VAR_POSITIONAL:
        raise TypeAnnotationError(
            f"function {name!r}: *{param.name} is not supported; declare each input as a "
            "named parameter (or take a list[T])"
        )
    if param.kind is inspect.Parameter.VAR_KEYWORD:
        raise TypeAnnotationError(
            f"function {name!r}: **{param.name} is not supported; declare each input as a "
            "named parameter (or take a dict[str, T])"
        )
    if param.kind is inspect.Parameter.POSITIONAL_ONLY:
        raise TypeAnnotationError(
            f"function {name!r}: parameter {param.name!r} is positional-only; inputs are "
            "passed by name, so remove the '/' from the signature"
        )


def _outputs(
    name: str, hints: dict[str, Any]
) -> tuple[dict[str, object], str, Callable[..., object] | None]:
    if "return" not in hints:
        return {}, _NONE, None
    ret = hints["return"]
    if ret is None or ret is types.NoneType:
        return {}, _NONE, None
    if typing.get_origin(ret) is tuple:
        args = typing.get_args(ret)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"o0": ret}, _SINGLE, None
        if not args:
            return {}, _NONE, None
        return {f"o{i}": a for i, a in enumerate(args)}, _TUPLE, None
    if isinstance(ret, type) and issubclass(ret, tuple) and hasattr(ret, "_fields"):
        try:
            fields = typing.get_type_hints(ret, include_extras=True)
        except (NameError, TypeError) as err:
            raise TypeAnnotationError(
                f"function {name!r}: cannot read the fields of {ret.__name__}: {err}"
            ) from None
        missing = [f for f in ret._fields if f not in fields]
        if missing:
            raise TypeAnnotationError(
                f"function {name!r}: NamedTuple {ret.__name__} field(s) {missing} have no "
                "type annotation; annotate them"
            )
        return {f: fields[f] for f in ret._fields}, _NAMED, ret
    return {"o0": ret}, _SINGLE, None


def _remember_aliases(func: Callable[..., Any], annotations: list[object]) -> None:
    """Find module-level names of ``Annotated`` hints (``Features = Annotated[...]``), so
    messages can say ``Features`` rather than spelling the whole annotation."""
    wanted: list[object] = []
    for annotation in annotations:
        if typing.get_origin(annotation) is typing.Annotated:
            wanted.append(annotation)
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) is typing.Annotated:
                wanted.append(arg)
    if not wanted:
        return
    namespace = getattr(func, "__globals__", None)
    if not isinstance(namespace, dict):
        return
    for key, value in list(namespace.items()):
        if _is_annotated(value) and any(value is w for w in wanted):
            register_alias(value, key)


def _is_annotated(value: object) -> bool:
    return typing.get_origin(value) is typing.Annotated
