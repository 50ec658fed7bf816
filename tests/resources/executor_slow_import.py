"""A task module that takes a second to import, like one pulling in pandas and xgboost; the
executor prewarm tests measure whether a worker imported it ahead of the first attempt."""

from __future__ import annotations

import time

time.sleep(1.0)


def add_one(x: int) -> int:
    return x + 1
