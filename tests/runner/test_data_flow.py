"""Data frames, files and dataclasses travel between tasks in worker processes."""

from __future__ import annotations

import wf_data

from updraft.model import Blob, ExecutionPhase
from updraft.runner import run_entity


def test_frames_files_and_dataclasses_flow_between_workers() -> None:
    result = run_entity(
        wf_data.frames, {"n": 4, "settings": wf_data.Settings(factor=3)}, executor="process"
    )
    assert result.python_outputs == (3 * (0 + 1 + 2 + 3), 5)
    frame_output = result.document.nodes[0].outputs["o0"]
    assert isinstance(frame_output, Blob) and frame_output.format == "parquet"
    assert frame_output.uri and frame_output.preview


def test_a_frame_that_breaks_its_declared_columns_fails_naming_the_column() -> None:
    result = run_entity(wf_data.bad_schema, {}, executor="process")
    assert result.execution.phase == ExecutionPhase.FAILED
    error = result.document.nodes[0].error
    assert error is not None and "age" in error.message
    assert result.document.nodes[0].name == "wrong_people"
