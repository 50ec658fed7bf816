"""Node overrides and explicit ordering: ``with_overrides(...)`` and ``a >> b``."""

from __future__ import annotations

import functools
from datetime import timedelta

import composition_policy as cp
import composition_sub as cs
import pytest
import wf_basic

from updraft import CompileError, Resources, conditional, map_task, task, workflow
from updraft.model import NodeOverrides, ResourceSpec
from updraft.sdk import source_version


def test_overrides_and_ordering_from_the_fixture() -> None:
    prepare, train = cp.tuned.spec.nodes
    assert train.name == "train_big" and train.task == cp.train.name
    assert train.overrides == NodeOverrides(
        limits=ResourceSpec(cpu=1.0, mem=300 * 2**20),
        retries=2,
        timeout_s=300.0,
        cache=True,
        cache_version="2",
    )
    assert train.upstream == ("n0",)
    assert prepare.overrides is None


def test_overrides_chain_and_later_ones_win() -> None:
    @workflow
    def chained(x: int) -> int:
        return (
            wf_basic.inc(x=x)
            .with_overrides(retries=1, requests=Resources(cpu="500m"))
            .with_overrides(retries=3, timeout=30)
        )

    node = chained.spec.nodes[0]
    assert node.overrides == NodeOverrides(
        requests=ResourceSpec(cpu=0.5), retries=3, timeout_s=30.0
    )
    assert node.name == "inc"


def test_overrides_on_one_output_of_a_multi_output_call() -> None:
    @workflow
    def tuple_call(a: int, b: int) -> int:
        q, r = wf_basic.divmod_task(a=a, b=b)
        r.with_overrides(name="split")
        return q

    @workflow
    def whole_call(a: int, b: int) -> int:
        q, _ = wf_basic.divmod_task(a=a, b=b).with_overrides(retries=4)
        return q

    @workflow
    def named_tuple(xs: list[int]) -> float:
        return wf_basic.stats(xs=xs).with_overrides(retries=1).mean

    assert tuple_call.spec.nodes[0].name == "split"
    assert whole_call.spec.nodes[0].overrides == NodeOverrides(retries=4)
    assert named_tuple.spec.nodes[0].overrides == NodeOverrides(retries=1)


def test_overrides_on_a_map_and_a_call_without_outputs() -> None:
    @workflow
    def mapped(xs: list[int]) -> list[int]:
        cp.prepare().with_overrides(name="setup", limits=Resources(mem="1Gi"))
        return map_task(wf_basic.inc)(x=xs).with_overrides(limits=Resources(gpu=1))

    setup, node = mapped.spec.nodes
    assert setup.name == "setup" and setup.overrides == NodeOverrides(
        limits=ResourceSpec(mem=2**30)
    )
    assert node.kind == "map" and node.overrides == NodeOverrides(limits=ResourceSpec(gpu=1))


def test_cache_without_a_version_takes_the_source_version() -> None:
    @workflow
    def cached(x: int) -> int:
        return wf_basic.inc(x=x).with_overrides(cache=True)

    overrides = cached.spec.nodes[0].overrides
    assert overrides == NodeOverrides(cache=True,
                                      cache_version=source_version(wf_basic.inc.function))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"retries": -1}, r"retries=\.\.\.\) takes an integer >= 0, got -1"),
        ({"timeout": timedelta(0)}, r"timeout=\.\.\.\) must be over 0 seconds"),
        ({"limits": "2Gi"}, r"limits=\.\.\.\) takes updraft.Resources"),
        ({"cache": "yes"}, r"cache=\.\.\.\) takes True or False"),
        ({"name": ""}, r"name=\.\.\.\) takes non-empty text"),
        ({"memory": "1Gi"}, r"no option\(s\) 'memory'; it takes name, requests, limits"),
    ],
)
def test_bad_overrides_name_the_node_and_line(options: dict[str, object], expected: str) -> None:
    with pytest.raises(CompileError, match=expected) as info:

        @workflow
        def bad(x: int) -> int:
            return wf_basic.inc(x=x).with_overrides(**options)

    assert "node 'inc' (n0)" in str(info.value)
    assert str(info.value).startswith(f"{__file__}:")


def test_subworkflow_nodes_take_a_name_but_no_resources() -> None:
    @workflow
    def renamed(x: int) -> int:
        return cs.inner(x=x).with_overrides(name="first_pass")

    assert renamed.spec.nodes[0].name == "first_pass"
    with pytest.raises(CompileError, match="is a subworkflow node; with_overrides"):

        @workflow
        def limited(x: int) -> int:
            return cs.inner(x=x).with_overrides(limits=Resources(mem="1Gi"))


def test_overrides_on_a_workflow_input_are_refused() -> None:
    with pytest.raises(CompileError, match="workflow input 'x' was not made by a call"):

        @workflow
        def on_input(x: int) -> int:
            return x.with_overrides(retries=1)  # type: ignore[attr-defined]


@task
def side_effect() -> None:
    pass


def test_ordering_between_every_kind_of_node() -> None:
    @workflow
    def ordered(x: int, xs: list[int]) -> int:
        first = side_effect()
        mapped = map_task(wf_basic.inc)(x=xs)
        sub = cs.inner(x=x)
        branch = conditional("b").if_(x > 1).then(side_effect())
        last = wf_basic.inc(x=x)
        first >> mapped >> sub >> branch >> last
        q, r = wf_basic.divmod_task(a=x, b=2)
        last >> wf_basic.divmod_task(a=q, b=r)
        return last

    nodes = ordered.spec.nodes
    assert [n.kind for n in nodes[:5]] == ["task", "map", "subworkflow", "branch", "task"]
    assert nodes[1].upstream == ("n0",)
    assert nodes[2].upstream == ("n1",)
    assert nodes[3].upstream == ("n2",)
    assert nodes[4].upstream == ("n3",)
    assert nodes[6].upstream == ("n5", "n4")


def test_ordering_with_something_that_is_not_a_call() -> None:
    with pytest.raises(CompileError, match=r"its right side is int 3, which no call"):

        @workflow
        def not_a_node(x: int) -> int:
            y = wf_basic.inc(x=x)
            y >> 3
            return y


def test_ordering_that_makes_a_cycle() -> None:
    with pytest.raises(CompileError, match=r"cycle through nodes \['n0', 'n1'\]; check the"):

        @workflow
        def cycle(x: int) -> int:
            a = wf_basic.inc(x=x)
            b = wf_basic.inc(x=a)
            b >> a
            return b


def test_partial_map_outputs_can_be_ordered_after_a_task() -> None:
    @workflow
    def after(xs: list[int]) -> list[int]:
        ready = cp.prepare()
        out = map_task(functools.partial(wf_basic.add, b=1))(a=xs)
        ready >> out
        return out

    assert after.spec.nodes[1].upstream == ("n0",)
