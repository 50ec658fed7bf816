"""What the process executor and its workers say to each other over their pipes.

Each message is a msgpack document behind a 4-byte little-endian length. The executor sends
`RunBatch` (many attempts at once, so tiny attempts cost one write per batch) and `Stop`; a
worker answers `Ready` once it has imported what it needs, then `Done` with results in the
order it ran the attempts. Also here: where an attempt's log goes, which both sides compute.
"""

from __future__ import annotations

import os
import struct

import msgspec

from updraft.model import AttemptRequest, AttemptResult

HEADER = struct.Struct("<I")
#: The shared state block: (batch sequence, index in the batch) of the attempt running now.
STATE = struct.Struct("<qq")


class RunBatch(msgspec.Struct, tag="run", array_like=True):
    """Attempts to run one after another; ``queued_at[i]`` belongs to ``attempts[i]``."""

    seq: int
    attempts: list[AttemptRequest]
    queued_at: list[float]


class Stop(msgspec.Struct, tag="stop", array_like=True):
    """Exit after the current batch."""


class Ready(msgspec.Struct, tag="ready", array_like=True):
    """The worker has started and imported what it needs."""

    pid: int


class Done(msgspec.Struct, tag="done", array_like=True):
    """Results of finished attempts, in the order they ran."""

    results: list[AttemptResult]


ToWorker = RunBatch | Stop
FromWorker = Ready | Done

_encoder = msgspec.msgpack.Encoder()


def encode_frame(message: ToWorker | FromWorker) -> bytes:
    """One framed message, ready to write."""
    buffer = bytearray(HEADER.size)
    _encoder.encode_into(message, buffer, HEADER.size)
    HEADER.pack_into(buffer, 0, len(buffer) - HEADER.size)
    return bytes(buffer)


class FrameReader:
    """Cuts a byte stream into frames, however the reads split it."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        buffer = self._buffer
        buffer += data
        frames = []
        start, size = 0, len(buffer)
        while size - start >= HEADER.size:
            (length,) = HEADER.unpack_from(buffer, start)
            end = start + HEADER.size + length
            if end > size:
                break
            frames.append(bytes(buffer[start + HEADER.size : end]))
            start = end
        if start:
            del buffer[:start]
        return frames


def _safe(part: str) -> str:
    return part.replace(os.sep, "_") or "_"


def attempt_log_path(log_dir: str, request: AttemptRequest) -> str:
    """Where the output of ``request`` is kept: ``<log_dir>/<execution>/<node>-<attempt>.log``."""
    return os.path.join(log_dir, _safe(request.execution_id),
                        f"{_safe(request.node_id)}-{request.attempt}.log")
