"""`Resources`: CPU, memory and GPU amounts as users write them ("200Mi", "500m")."""

from __future__ import annotations

import dataclasses
import re

from updraft.model import ResourceSpec

_MEM_UNITS = {
    "": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
    "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40,
}
_MEM_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*$", re.IGNORECASE)


def parse_memory(value: str | int) -> int:
    """Bytes from ``"200Mi"``, ``"1G"``, ``"512Ki"`` or a plain integer.

    Raises:
        ValueError: naming the value and the accepted forms.
    """
    if isinstance(value, int):
        return value
    match = _MEM_RE.match(value)
    if not match:
        raise ValueError(
            f"memory amount {value!r} is not understood; write it like '200Mi', '1Gi' or '500M'"
        )
    number, unit = match.groups()
    return int(float(number) * _MEM_UNITS[(unit or "").lower()])


def parse_cpu(value: str | float | int) -> float:
    """Cores from ``"2"``, ``"0.5"``, ``"500m"`` (millicores) or a number."""
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        raise ValueError(
            f"CPU amount {value!r} is not understood; write it like '2', '0.5' or '500m'"
        ) from None


@dataclasses.dataclass(frozen=True)
class Resources:
    """Requests or limits for a task, in Kubernetes' notation as flytekit writes them.

    Requests decide how many tasks start at once on a machine; limits are enforced (memory
    and CPU by cgroups on the process executor).

    Example:
        ``@task(limits=Resources(mem="200Mi", cpu="1"))``
    """

    cpu: str | float | int | None = None
    mem: str | int | None = None
    gpu: int | str | None = None

    def to_spec(self) -> ResourceSpec:
        """The canonical form the model stores: cores, bytes, GPU count."""
        return ResourceSpec(
            cpu=None if self.cpu is None else parse_cpu(self.cpu),
            mem=None if self.mem is None else parse_memory(self.mem),
            gpu=None if self.gpu is None else int(self.gpu),
        )
