"""Code packages in the blob store: upload once by digest, extract once per machine.

A registered task runs from the code it was registered with, not from the user's working
copy (DESIGN, "Task identity"). The package is a zip of the project root, stored under
``code/<sha256>.zip``; a worker extracts it into ``<cache_dir>/<sha256>/`` and puts that folder
on ``sys.path``.

Extraction is atomic and idempotent: the archive is unpacked into a hidden temporary folder
beside the destination and renamed into place, so any number of threads or processes asking
for the same digest end with one complete folder, and a folder that exists is complete. The
downloaded bytes are checked against the digest, and members that would land outside the
folder (absolute paths, ``..``, links) are refused before anything is written.

This module builds no archives; the runner does (`updraft.runner.build_package`).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import zipfile

from updraft.model import CodePackage
from updraft.store._blobs import BlobStore

#: The blob store prefix code packages live under.
CODE_PREFIX = "code"

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class CodePackageError(ValueError):
    """A code package cannot be used: its bytes do not match its digest, it is not a zip
    archive, or a member would be written outside the extraction folder.

    The message names the package's URI and what is wrong with it.
    """


def package_digest(archive: bytes) -> str:
    """The digest a code package is named by: SHA-256 of the archive bytes, hex encoded."""
    return hashlib.sha256(archive).hexdigest()


def store_package(blobs: BlobStore, archive: bytes) -> CodePackage:
    """Upload a code archive under ``code/<digest>.zip``, unless it is there already.

    The name is the content's digest, so an existing blob of that name holds these bytes and
    registering the same code again uploads nothing.

    Args:
        blobs: the blob store workers read from.
        archive: the zip bytes (`updraft.runner.PackageBuild.archive`).

    Returns:
        The `CodePackage` (URI and digest) to register with the entities.

    Example:
        >>> code = store_package(BlobStore("/tmp/blobs"), build.archive)
        >>> code.uri
        '/tmp/blobs/code/3f9a...e1.zip'
    """
    digest = package_digest(archive)
    name = f"{digest}.zip"
    uri = blobs.uri_for(CODE_PREFIX, name)
    if not blobs.exists(uri):
        blobs.put_bytes(CODE_PREFIX, name, archive)
    return CodePackage(uri=uri, digest=digest)


def extract_package(code: CodePackage, blobs: BlobStore, cache_dir: str) -> str:
    """The folder holding ``code``'s files, extracted on first use.

    Args:
        code: the registered package.
        blobs: where ``code.uri`` is read from.
        cache_dir: the folder extracted packages are kept in, one subfolder per digest.

    Returns:
        ``<cache_dir>/<digest>``: the project root as it was packaged, to put on ``sys.path``.

    Raises:
        CodePackageError: the digest is malformed, the downloaded bytes do not match it,
            the blob is not a zip archive, or a member has an absolute path, a ``..``
            component or is a link.

    Example:
        >>> folder = extract_package(code, blobs, "/var/cache/updraft/code")
        >>> sys.path.insert(0, folder)
    """
    if not _DIGEST.match(code.digest):
        raise CodePackageError(
            f"code package {code.uri!r} has digest {code.digest!r}; expected 64 lowercase hex "
            "characters (a SHA-256). Register the code again to get a valid package."
        )
    cache_dir = os.path.abspath(cache_dir)
    target = os.path.join(cache_dir, code.digest)
    if os.path.isdir(target):
        return target
    data = blobs.get_bytes(code.uri)
    actual = package_digest(data)
    if actual != code.digest:
        raise CodePackageError(
            f"code package {code.uri!r} does not match its digest: expected {code.digest}, "
            f"the downloaded bytes hash to {actual}. The blob was changed or damaged after "
            "registration; register the code again."
        )
    os.makedirs(cache_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{code.digest[:16]}-", suffix=".tmp", dir=cache_dir)
    try:
        _unpack(data, tmp, code.uri)
        _publish(tmp, target)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _publish(tmp: str, target: str) -> None:
    """Rename the extracted folder into place; losing the race to another extractor is fine,
    since the winner's folder is complete."""
    try:
        os.rename(tmp, target)
    except OSError:
        if not os.path.isdir(target):
            raise


def _member_parts(info: zipfile.ZipInfo, uri: str) -> list[str]:
    """The path components of a member, refusing any that would leave the folder."""
    name = info.filename
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    mode = info.external_attr >> 16
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or not parts:
        raise CodePackageError(
            f"code package {uri!r} has a member named {name!r}, which would be written "
            "outside the extraction folder; a package holds only relative paths without "
            "'..'. Rebuild it with `updraft package`."
        )
    if stat.S_ISLNK(mode):
        raise CodePackageError(
            f"code package {uri!r} has a symbolic link {name!r}; packages hold plain files "
            "only. Rebuild it with `updraft package`."
        )
    return parts


def _unpack(data: bytes, folder: str, uri: str) -> None:
    """Check every member, then write them all under ``folder``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise CodePackageError(
            f"code package {uri!r} is not a zip archive ({exc}); register the code again"
        ) from None
    with archive:
        members = [(info, _member_parts(info, uri)) for info in archive.infolist()]
        root = os.path.realpath(folder)
        for info, parts in members:
            dest = os.path.join(root, *parts)
            if os.path.commonpath([root, os.path.realpath(dest)]) != root:
                raise CodePackageError(
                    f"code package {uri!r}: member {info.filename!r} resolves outside the "
                    "extraction folder; rebuild the package with `updraft package`"
                )
            if info.is_dir():
                os.makedirs(dest, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with archive.open(info) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
