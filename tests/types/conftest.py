"""A local-folder BlobIO for the type engine's tests, counting what it is asked to do."""

from __future__ import annotations

import collections
import os
import shutil
from pathlib import Path

import msgspec
import pytest

from updraft.model import BlobIO, Literal
from updraft.types import to_literal, to_python


class LocalBlobIO:
    """Implements `updraft.model.BlobIO` over a folder; URIs are plain local paths."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: collections.Counter[str] = collections.Counter()

    def _target(self, prefix: str, name: str) -> Path:
        path = self.root / "blobs" / prefix / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def put_bytes(self, prefix: str, name: str, data: bytes) -> str:
        self.calls["put_bytes"] += 1
        path = self._target(prefix, name)
        path.write_bytes(data)
        return str(path)

    def get_bytes(self, uri: str) -> bytes:
        self.calls["get_bytes"] += 1
        return Path(uri).read_bytes()

    def put_file(self, prefix: str, name: str, local_path: str) -> str:
        self.calls["put_file"] += 1
        path = self._target(prefix, name)
        shutil.copyfile(local_path, path)
        return str(path)

    def put_directory(self, prefix: str, name: str, local_path: str) -> str:
        self.calls["put_directory"] += 1
        path = self._target(prefix, name)
        shutil.copytree(local_path, path, dirs_exist_ok=True)
        return str(path)

    def get_file(self, uri: str, local_path: str) -> None:
        self.calls["get_file"] += 1
        os.makedirs(os.path.dirname(local_path), exist_ok=True)
        shutil.copyfile(uri, local_path)

    def get_directory(self, uri: str, local_path: str) -> None:
        self.calls["get_directory"] += 1
        shutil.copytree(uri, local_path, dirs_exist_ok=True)

    def local_dir(self) -> str:
        return str(self.root / "local")


@pytest.fixture
def blob_io(tmp_path: Path) -> LocalBlobIO:
    return LocalBlobIO(tmp_path / "store")


def wire(literal: Literal) -> Literal:
    """The literal after a trip through JSON, as it travels between processes."""
    decoded = msgspec.json.decode(msgspec.json.encode(literal), type=Literal)
    assert decoded == literal
    return decoded


class RoundTrip:
    """Value -> literal -> JSON -> literal -> value through one BlobIO."""

    def __init__(self, blob_io: BlobIO) -> None:
        self.blob_io = blob_io

    def __call__(self, value: object, annotation: object) -> object:
        literal = wire(to_literal(value, annotation, self.blob_io, "attempt-1"))
        return to_python(literal, annotation, self.blob_io)


@pytest.fixture
def roundtrip(blob_io: LocalBlobIO) -> RoundTrip:
    return RoundTrip(blob_io)
