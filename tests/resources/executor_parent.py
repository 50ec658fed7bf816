"""Run as a script by the executor tests: start a ProcessExecutor running a long task, print
the worker's pid and the executor's cgroup folders, then wait to be killed."""

from __future__ import annotations

import json
import sys
import time

from updraft.engine.executors import ProcessExecutor
from updraft.model import AttemptRequest, Scalar


def main() -> None:
    blob_root, resources = sys.argv[1], sys.argv[2]
    executor = ProcessExecutor(blob_root, max_workers=1)
    request = AttemptRequest(
        id="long", execution_id="e", node_id="n0", attempt=1, task_name="executor_tasks.nap",
        entry_point="executor_tasks:nap", inputs={"seconds": Scalar(120.0)},
        output_prefix="e/n0/1", blob_root=blob_root, code_paths=(resources,))
    executor.submit([request])
    deadline = time.monotonic() + 20
    while executor.worker_of("long") is None and time.monotonic() < deadline:
        executor.wait(0.05)
        executor.results()
    info = executor.worker_of("long")
    print(json.dumps({"pid": info.pid if info else 0, "roots": list(executor.cgroup_roots)}),
          flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
