"""Map tasks called outside a workflow loop over the elements here, as plain Python."""

from __future__ import annotations

import functools

import composition_map as cm
import pytest

from updraft import MapTask, map_task


def test_one_list() -> None:
    assert map_task(cm.square)(x=[1, 2, 3]) == [1, 4, 9]


def test_partial_inputs_are_the_same_for_every_element() -> None:
    scaled = map_task(functools.partial(cm.scale, factor=10))
    assert isinstance(scaled, MapTask) and scaled.bound == {"factor": 10}
    assert scaled(x=[1, 2]) == [10, 20]


def test_zipped_lists_give_a_list_per_output() -> None:
    quotients, remainders = map_task(cm.divide)(a=[7, 9], b=[2, 4])
    assert (quotients, remainders) == ([3, 2], [1, 1])


def test_lists_of_different_lengths_are_named() -> None:
    with pytest.raises(ValueError, match=r"differ in length \(a: 2, b: 3\)"):
        map_task(cm.divide)(a=[1, 2], b=[1, 2, 3])


def test_failed_elements_are_none_when_allowed() -> None:
    assert map_task(cm.inverse, min_success_ratio=0.5)(x=[1, 0, 4]) == [1.0, None, 0.25]


def test_too_many_failures_name_the_counts() -> None:
    with pytest.raises(RuntimeError, match=r"1 of 3 elements succeeded.*needs 2") as info:
        map_task(cm.inverse, min_success_ratio=0.6)(x=[0, 0, 4])
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_a_failure_without_a_ratio_is_raised_as_is() -> None:
    with pytest.raises(ZeroDivisionError):
        map_task(cm.inverse)(x=[1, 0])


def test_mapped_inputs_must_be_lists() -> None:
    with pytest.raises(TypeError, match="input 'x' is mapped over, so it takes a list; got int"):
        map_task(cm.square)(x=3)
    with pytest.raises(TypeError, match="maps over nothing"):
        map_task(cm.square)()

