"""`@task` and `@dynamic` as decorators: their options, checked when they are applied."""

from __future__ import annotations

import pytest

from updraft import dynamic, task


def test_an_unknown_task_option_names_the_ones_that_exist() -> None:
    with pytest.raises(TypeError, match=r"@task has no option\(s\) 'cach'; its options are cache"):
        task(cach=True)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"@dynamic has no option\(s\) 'retry'"):
        dynamic(retry=2)  # type: ignore[call-overload]
