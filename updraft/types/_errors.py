"""The type engine's two errors, one for annotations and one for values.

::

    TypeError
    └── TypeAnnotationError   an annotation the engine cannot handle (decoration time)
    ValueError
    └── TypeConversionError   a value that does not match its declared type (run time)

`TypeConversionError` carries where in a nested value the mismatch is (``[2].name``), so a
container can add its own step while the error travels up without losing the reason.
"""

from __future__ import annotations

_REPR_LIMIT = 60


class TypeAnnotationError(TypeError):
    """An annotation is missing, incomplete (bare ``list``) or not supported.

    Raised when a task or workflow is decorated, so the mistake shows before anything runs.
    The message names the annotation and says what to write instead.
    """


class TypeConversionError(ValueError):
    """A value does not match its declared type.

    Attributes:
        reason: what was expected and what came, e.g. ``expected int, got str 'a'``.
        path: where inside the value, e.g. ``[2].name``; empty for the value itself.
    """

    def __init__(self, reason: str, *, path: str = "") -> None:
        self.reason = reason
        self.path = path
        where = path[1:] if path.startswith(".") else path
        super().__init__(f"{reason} (at {where})" if path else reason)

    def at(self, step: str) -> TypeConversionError:
        """The same error one level further out: ``step`` is ``[i]``, ``['key']`` or ``.field``."""
        return TypeConversionError(self.reason, path=step + self.path)


def short_repr(value: object) -> str:
    """``repr(value)`` cut to a length that fits in one line of an error message."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


def mismatch(expected: str, value: object, hint: str = "") -> TypeConversionError:
    """The error for a value of the wrong type: ``expected int, got str 'a'``."""
    message = f"expected {expected}, got {type(value).__name__} {short_repr(value)}"
    return TypeConversionError(f"{message}; {hint}" if hint else message)


def bad_literal(expected: str, literal: object) -> TypeConversionError:
    """The error for a stored literal that does not fit the annotation it is read as."""
    return TypeConversionError(
        f"cannot read {short_repr(literal)} as {expected}: the stored value has another type; "
        "check that the producing task's output type matches this input"
    )
