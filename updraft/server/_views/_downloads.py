"""Blob downloads for the console: a file as it is, a directory as a zip archive.

Only URIs inside the server's own blob store are served (see `stored_location`): whoever
reaches the API may read the values executions produced, not any file of the machine.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import os
import shutil
import tempfile
import zipfile

from updraft.server._errors import BadRequestError
from updraft.server._views._values import original_name, stored_location
from updraft.store import BlobStore, NotFoundError


@dataclasses.dataclass
class Download:
    """What to send: a local file at ``path`` (removed afterwards when ``temporary``) or
    ``data``, under ``filename``."""

    filename: str
    media_type: str
    path: str | None = None
    data: bytes | None = None
    temporary: bool = False


def open_download(blobs: BlobStore, uri: str) -> Download:
    """The blob at ``uri`` ready to send.

    Raises:
        BadRequestError: ``uri`` is not in the server's blob store.
        NotFoundError: nothing is stored there (any more).
    """
    location = stored_location(blobs, uri)
    if location is None:
        raise BadRequestError(
            f"{uri!r} is not in this server's blob store ({blobs.root}); only values that "
            "executions stored there can be downloaded — use a download link the API gave"
        )
    name = original_name(uri) or "blob"
    if blobs.is_local:
        if os.path.isfile(location):
            return Download(name, _media_type(name), path=location)
        if os.path.isdir(location):
            return Download(f"{name}.zip", "application/zip", path=_zip(location),
                            temporary=True)
        raise _missing(uri)
    if not blobs.exists(uri):
        raise _missing(uri)
    try:
        return Download(name, _media_type(name), data=blobs.get_bytes(uri))
    except (IsADirectoryError, FileNotFoundError):
        folder = tempfile.mkdtemp(prefix="updraft-download-")
        try:
            blobs.get_directory(uri, folder)
            archive = _zip(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return Download(f"{name}.zip", "application/zip", path=archive, temporary=True)


def _missing(uri: str) -> NotFoundError:
    return NotFoundError(
        f"no blob at {uri!r}: it was removed from the blob store, or never written"
    )


def _media_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _zip(folder: str) -> str:
    """A temporary zip archive of ``folder``'s files, paths relative to it."""
    handle, path = tempfile.mkstemp(prefix="updraft-download-", suffix=".zip")
    os.close(handle)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for file in sorted(files):
                full = os.path.join(root, file)
                archive.write(full, os.path.relpath(full, folder))
    return path
