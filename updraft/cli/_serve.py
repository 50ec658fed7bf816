"""``updraft serve``: the control plane (REST API and engine) over a store, in one process."""

from __future__ import annotations

import gc
import ipaddress
import socket
import sys
from datetime import datetime

import click

_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--db", "db_url", metavar="URL",
              help="Metadata database (sqlite:///... or postgresql+psycopg://...); "
                   "<home>/updraft.db by default.")
@click.option("--store", "blob_root", metavar="URL",
              help="Blob store: a folder or any fsspec URL; <home>/blobs by default.")
@click.option("--home", envvar="UPDRAFT_HOME", help="The updraft home ($UPDRAFT_HOME).")
@click.option("--token", envvar="UPDRAFT_TOKEN",
              help="API token every request must carry ($UPDRAFT_TOKEN).")
def serve_command(host: str, port: int, db_url: str | None, blob_root: str | None,
                  home: str | None, token: str | None) -> None:
    """Start the control plane: the REST API and the engine that runs executions."""
    if not token and not is_loopback(host):
        click.echo(
            f"updraft serve: refusing to listen on {host} without an API token, since whoever "
            "reaches the API can run code on its workers; pass --token or set UPDRAFT_TOKEN "
            "(or listen on 127.0.0.1)",
            err=True,
        )
        sys.exit(2)
    import uvicorn

    from updraft.cli._shared_store import open_shared_store
    from updraft.model import EntityId, Execution, Project
    from updraft.server import EngineService, create_app

    home_dir, metadata, blobs = open_shared_store("serve", home, db_url, blob_root)
    metadata.create_project(Project(id="default", name="default"))
    from updraft.server._launcher import Launcher, new_execution_id
    from updraft.server._scheduler import Scheduler

    # Named after the machine and home, so that a restarted server resumes its own
    # executions at once instead of waiting for their leases to lapse.
    engine = EngineService(metadata, blobs, owner=f"serve@{socket.gethostname()}:{home_dir}")
    engine.start()
    launcher = Launcher(metadata, metadata, blobs, home_dir)

    def launch_scheduled(plan_id: EntityId, scheduled_at: datetime, execution_id: str) -> Execution:
        execution = launcher.launch_scheduled(plan_id, scheduled_at, execution_id)
        engine.wake()
        return execution

    scheduler = Scheduler(metadata, launch_scheduled, new_execution_id)
    scheduler.start()
    try:
        app = create_app(metadata, blobs, engine, token=token, home=home_dir)
        # Everything loaded so far lives as long as the server: keep it out of the garbage
        # collector's full passes, which otherwise scan it on every large request.
        gc.collect()
        gc.freeze()
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"updraft API on http://{shown}:{port}/api/v1 "
                   f"(OpenAPI docs: http://{shown}:{port}/api/v1/docs)", err=True)
        click.echo(f"store: {metadata!r}; blobs: {blobs.root}", err=True)
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        scheduler.stop()
        engine.stop()
        metadata.close()
