"""Sample the server with py-spy while it is under load, and say where its time goes.

py-spy's raw (collapsed) output has one line per distinct stack, ``frame;frame;... count``,
with the thread's name first when ``--threads`` is given. The summary gives each thread's
share of the samples, and the functions with the largest self and inclusive shares.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"^(?P<function>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


def py_spy() -> str | None:
    """The py-spy next to this Python, or on PATH; None when neither exists."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start_recording(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    """Start sampling ``pid`` (and its worker processes) for ``seconds`` into ``out``."""
    exe = py_spy()
    if exe is None:
        print("server benchmark: py-spy not found; install it with "
              ".venv/bin/uv pip install --python .venv/bin/python py-spy", file=sys.stderr)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [exe, "record", "-p", str(pid), "-d", str(max(1, int(seconds))), "-r", "200",
         "--threads", "--subprocesses", "--nonblocking", "--format", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _short(frame: str) -> str:
    found = _FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    file = found["file"]
    for marker in ("/updraft/", "/site-packages/", "/lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{found['function']} ({file})"


def summarize(raw: Path, top: int = 15) -> dict[str, Any]:
    """Thread shares and the top self and inclusive functions of a raw py-spy profile."""
    threads: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        process = "server"
        if frames[0].startswith("process "):
            process = "server" if " serve " in frames[0] else "worker"
            frames = frames[1:]
        thread = frames[0].split(": ", 1)[-1] if frames[0].startswith("thread ") else "?"
        threads[f"{process}: {thread}"] += count
        named = [_short(f) for f in frames[1:] if "(" in f]
        if named:
            own[named[-1]] += count
            for name in set(named):
                inclusive[name] += count
        total += count

    def shares(counter: Counter[str], n: int) -> list[tuple[str, float]]:
        return [(name, round(100 * c / total, 1)) for name, c in counter.most_common(n)]

    if total == 0:
        return {"samples": 0, "threads": [], "self": [], "inclusive": []}
    return {"samples": total, "threads": shares(threads, 12), "self": shares(own, top),
            "inclusive": shares(inclusive, top)}
