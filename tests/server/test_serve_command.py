"""``updraft serve``: the loopback default, the token rule, and a real server answering."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from updraft.cli import main


def test_a_public_address_without_a_token_is_refused() -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"],
                                env={"UPDRAFT_TOKEN": None})
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "0.0.0.0" in lines[0] and "--token" in lines[0] and "run code" in lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_answers_with_a_default_project_and_requires_its_token(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "UPDRAFT_HOME": str(tmp_path / "home"), "UPDRAFT_TOKEN": "t0k"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "updraft.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"{base}/projects", headers={"Authorization": "Bearer t0k"})
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "the server did not answer in 30 s"
                time.sleep(0.2)
        assert r.status_code == 200
        assert [p["id"] for p in r.json()["projects"]] == ["default"]
        assert httpx.get(f"{base}/projects").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/api/v1" in out


def test_an_unreachable_database_or_bad_store_is_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    for command, options, named in (
        ("serve", ["--db", "postgresql+psycopg://u:secret@127.0.0.1:1/x"], "127.0.0.1:1"),
        ("worker", ["--db", "not-a-database-url"], "not-a-database-url"),
        ("serve", ["--store", str(tmp_path / "file" / "blobs")], "blobs"),
    ):
        (tmp_path / "file").write_text("a file where the blob folder would go")
        result = CliRunner().invoke(
            main, [command, "--home", str(tmp_path / "home"), *options],
            env={"UPDRAFT_TOKEN": None},
        )
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert "cannot open the store" in lines[0] and named in lines[0]
        assert "secret" not in lines[0] and "Traceback" not in result.output
