"""The live progress display appears when the command runs in a terminal."""

from __future__ import annotations

import os
import subprocess
import sys

from tests._support import RESOURCES


def test_progress_is_drawn_on_a_terminal(cli_env: dict[str, str]) -> None:
    controller, terminal = os.openpty()
    cli_env["TERM"] = "xterm"
    cli_env["COLUMNS"] = "120"
    proc = subprocess.Popen(
        [sys.executable, "-m", "updraft.cli", "run", str(RESOURCES / "wf_basic.py"), "chain"],
        env=cli_env, stdout=subprocess.PIPE, stderr=terminal, text=True,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    stdout, _ = proc.communicate(timeout=60)
    os.close(controller)
    screen = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0
    assert stdout.strip() == "o0: 5"
    assert "nodes" in screen and "5/5" in screen
