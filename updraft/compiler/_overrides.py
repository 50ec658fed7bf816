"""``with_overrides(...)``: what one call in a body changes of its task.

Options are checked here, when the body is traced, so ``retries=-1`` or ``limits="2Gi"``
fails on the line that wrote it. The result is the node's name and the model's
`NodeOverrides`; which node kinds may carry them is the tracer's decision.
"""

from __future__ import annotations

import datetime
from typing import Any

from updraft.model import NodeOverrides
from updraft.sdk import Resources

#: The options ``with_overrides`` takes, in the order messages list them.
OPTIONS = ("name", "requests", "limits", "retries", "timeout", "cache", "cache_version")


class OverrideError(ValueError):
    """An override option is unknown or has a value of the wrong kind."""


def parse_overrides(options: dict[str, Any]) -> tuple[str | None, NodeOverrides | None]:
    """The node name and `NodeOverrides` that ``options`` ask for; None where unchanged.

    Raises:
        OverrideError: naming the option, what it takes and what came.
    """
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise OverrideError(
            f"with_overrides() has no option(s) {', '.join(map(repr, unknown))}; it takes "
            f"{', '.join(OPTIONS)}"
        )
    name = options.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise OverrideError(f"with_overrides(name=...) takes non-empty text, got {name!r}")
    fields: dict[str, Any] = {}
    for key in ("requests", "limits"):
        value = options.get(key)
        if value is None:
            continue
        if not isinstance(value, Resources):
            raise OverrideError(
                f"with_overrides({key}=...) takes updraft.Resources(cpu=..., mem=...), got "
                f"{type(value).__name__} {value!r}"
            )
        try:
            fields[key] = value.to_spec()
        except ValueError as exc:
            raise OverrideError(f"with_overrides({key}=...): {exc}") from None
    retries = options.get("retries")
    if retries is not None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise OverrideError(
                f"with_overrides(retries=...) takes an integer >= 0, got {retries!r}"
            )
        fields["retries"] = retries
    timeout = options.get("timeout")
    if timeout is not None:
        fields["timeout_s"] = _seconds(timeout)
    cache = options.get("cache")
    if cache is not None:
        if not isinstance(cache, bool):
            raise OverrideError(f"with_overrides(cache=...) takes True or False, got {cache!r}")
        fields["cache"] = cache
    version = options.get("cache_version")
    if version is not None:
        if not isinstance(version, str):
            raise OverrideError(
                f"with_overrides(cache_version=...) takes text, got {version!r}"
            )
        fields["cache_version"] = version
    return name, NodeOverrides(**fields) if fields else None


def _seconds(timeout: Any) -> float:
    if isinstance(timeout, datetime.timedelta):
        seconds = timeout.total_seconds()
    elif isinstance(timeout, int | float) and not isinstance(timeout, bool):
        seconds = float(timeout)
    else:
        raise OverrideError(
            f"with_overrides(timeout=...) takes seconds or a timedelta, got {timeout!r}"
        )
    if seconds <= 0:
        raise OverrideError(f"with_overrides(timeout=...) must be over 0 seconds, got {timeout!r}")
    return seconds


def merge(old: NodeOverrides | None, new: NodeOverrides | None) -> NodeOverrides | None:
    """``new`` over ``old``: a second ``with_overrides`` on a node keeps what it leaves unset."""
    if old is None or new is None:
        return new or old
    values = {
        field: getattr(new, field) if getattr(new, field) is not None else getattr(old, field)
        for field in NodeOverrides.__struct_fields__
    }
    return NodeOverrides(**values)
