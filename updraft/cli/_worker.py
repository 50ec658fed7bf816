"""``updraft worker``: drive executions of a shared store from another process or machine.

A worker is the engine half of ``updraft serve`` without the API: it claims unfinished
executions under a lease (so a worker and the server never drive the same one), runs their
tasks on this machine's worker processes, and releases what it holds when told to stop.
Point several at one PostgreSQL database and one shared blob store to spread the work.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import click


@click.command("worker")
@click.option("--db", "db_url", metavar="URL",
              help="Metadata database (sqlite:///... or postgresql+psycopg://...); "
                   "<home>/updraft.db by default.")
@click.option("--store", "blob_root", metavar="URL",
              help="Blob store: a folder or any fsspec URL; <home>/blobs by default. "
                   "Workers on other machines need a store they all reach.")
@click.option("--home", envvar="UPDRAFT_HOME", help="The updraft home ($UPDRAFT_HOME).")
@click.option("--lease-seconds", "lease_s", default=15.0, show_default=True,
              type=click.FloatRange(min=0.5),
              help="How long a claim on an execution lasts unless renewed; a worker that "
                   "dies loses its executions to another after this long.")
def worker_command(db_url: str | None, blob_root: str | None, home: str | None,
                   lease_s: float) -> None:
    """Run executions from a shared store until stopped (SIGTERM or Ctrl-C)."""
    from updraft.cli._shared_store import open_shared_store
    from updraft.server import EngineService

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    _, metadata, blobs = open_shared_store("worker", home, db_url, blob_root)
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    engine = EngineService(metadata, blobs, lease_s=lease_s)
    engine.start()
    click.echo(f"updraft worker {engine.owner}: store {metadata!r}; blobs {blobs.root}",
               err=True)
    failed = False
    try:
        while not stopping.wait(0.5):
            if not engine.running:
                failed = True
                break
    finally:
        engine.stop()
        metadata.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failed:
        click.echo(f"updraft worker {engine.owner}: the engine loop stopped (see the log "
                   "above); its executions are released for other workers", err=True)
        sys.exit(1)
    click.echo(f"updraft worker {engine.owner}: stopped", err=True)
