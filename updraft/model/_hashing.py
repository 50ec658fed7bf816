"""Content hashes of specs: stable across processes and machines.

The hash covers what changes behaviour and nothing else: source locations and docstrings are
left out, so moving a function in its file does not change its version.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

_encoder = msgspec.json.Encoder(order="sorted")
_IGNORED = frozenset({"location", "docstring"})


def _strip(obj: Any) -> Any:
    if isinstance(obj, dict):
        if isinstance(obj.get("type"), str):
            # A tagged value (a literal or a binding) holds user data and never a location:
            # keep it whole, so a user's key named "location" still counts.
            return obj
        return {k: _strip(v) for k, v in obj.items() if k not in _IGNORED}
    if isinstance(obj, list | tuple):  # to_builtins keeps a Struct's tuples (nodes) as tuples
        return [_strip(v) for v in obj]
    return obj


def canonical_json(spec: msgspec.Struct) -> bytes:
    """The spec as JSON with sorted keys, without locations and docstrings."""
    return _encoder.encode(_strip(msgspec.to_builtins(spec)))


def content_hash(spec: msgspec.Struct) -> str:
    """SHA-256 of `canonical_json`, hex encoded."""
    return hashlib.sha256(canonical_json(spec)).hexdigest()
