"""The order in which type families are asked about an annotation.

Specific families first, the pickle fallback last since it accepts every class. Importing
this module registers them; `updraft.types` does so on import.
"""

from __future__ import annotations

from updraft.types import (
    _containers,
    _dataframe,
    _directory,
    _enum,
    _file,
    _pickle,
    _primitives,
    _registry,
    _structs,
    _union,
)

for _family in (
    _primitives,
    _containers,
    _union,
    _file,
    _directory,
    _dataframe,
    _enum,
    _structs,
    _pickle,
):
    _registry.register(_family.match)
