"""A real updraft server for client and CLI tests: the REST application with its engine,
served by uvicorn on a free loopback port from a background thread, over a SQLite home."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from updraft.model import Project
from updraft.server import EngineService, create_app
from updraft.store import BlobStore, SqlMetadataStore


@contextmanager
def running_server(folder: Path, token: str | None = None) -> Iterator[str]:
    """Serve a new home under ``folder`` and yield its endpoint, ``http://127.0.0.1:PORT``.

    The ``default`` project exists, as under ``updraft serve``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    store = SqlMetadataStore(f"sqlite:///{folder / 'updraft.db'}")
    blobs = BlobStore(str(folder / "blobs"))
    store.create_project(Project(id="default", name="default"))
    engine = EngineService(store, blobs, lease_s=5.0, poll_s=0.2)
    engine.start()
    app = create_app(store, blobs, engine, token=token, home=str(folder / "home"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        engine.stop()
        store.close()


def free_port() -> int:
    """A loopback port nothing listens on (for the unreachable-server tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
