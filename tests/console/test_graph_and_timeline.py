"""The graph and timeline views in a real browser: every node and every attempt drawn, phases,
retries and cache hits told apart, map nodes collapsed and expandable, and the load times of
1,000-node executions measured (recorded in artifacts/timings.json, never asserted)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.console.conftest import API, Console, Runs, record_timings, screenshot


def _graph(page: Page) -> dict[str, Any]:
    """What the drawn graph holds: node ids by phase, parents and children."""
    found: dict[str, Any] = page.evaluate("""() => {
        const cy = window.__updraftGraph;
        return {
            nodes: cy.nodes().map((n) => ({
                id: n.id(), phase: n.data('phase'), parent: n.data('parent') || null,
                label: n.data('label'), fill: n.style('background-color'),
            })),
            edges: cy.edges().length,
            parents: cy.nodes(':parent').map((n) => n.id()),
        };
    }""")
    return found


def _click_node(page: Page, node_id: str) -> None:
    """Click a node of the canvas where cytoscape drew it."""
    point = page.evaluate("""(id) => {
        const cy = window.__updraftGraph;
        const node = cy.getElementById(id);
        const box = cy.container().getBoundingClientRect();
        const p = node.renderedPosition();
        return {x: box.left + p.x, y: box.top + p.y};
    }""", node_id)
    page.mouse.click(point["x"], point["y"])


def _open(page: Page, execution_id: str, tab: str) -> None:
    """Load the page afresh on an execution's tab and wait until the view has drawn."""
    page.goto("about:blank")
    page.goto(f"/#/executions/{execution_id}?tab={tab}")
    expect(page.get_by_test_id(tab)).to_have_attribute("data-ready", "true", timeout=30_000)


def test_the_graph_draws_every_node_and_children_inside_their_parent(
    page: Page, console: Console, runs: Runs
) -> None:
    api_graph = console.api.get(f"{API}/executions/{runs.dynamic}/graph").json()
    _open(page, runs.dynamic, "graph")
    drawn = _graph(page)
    assert len(drawn["nodes"]) == len(api_graph["nodes"]) == 5  # spread, 3 squares, add_up
    assert drawn["edges"] == len(api_graph["edges"])
    assert {n["id"]: n["phase"] for n in drawn["nodes"]} == {
        n["id"]: n["phase"] for n in api_graph["nodes"]}
    [parent] = drawn["parents"]
    children = [n for n in drawn["nodes"] if n["parent"] == parent]
    assert [c["label"] for c in children] == ["square"] * 3
    succeeded = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--phase-succeeded-soft')")
    assert {n["fill"] for n in children} == {_rgb(succeeded)}  # coloured by phase
    screenshot(page, "graph")

    leaf = next(n for n in drawn["nodes"] if n["label"] == "add_up")
    _click_node(page, leaf["id"])
    drawer = page.get_by_test_id("drawer")
    expect(drawer.get_by_test_id("drawer-title")).to_have_text("add_up")
    expect(drawer.get_by_test_id("node-outputs")).to_contain_text("5")  # 0 + 1 + 4


def _rgb(hex_colour: str) -> str:
    value = hex_colour.strip().lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r},{g},{b})"


def test_the_timeline_has_a_bar_per_attempt_and_tells_retries_and_cache_hits_apart(
    page: Page, console: Console, runs: Runs
) -> None:
    bars = console.api.get(f"{API}/executions/{runs.retried_cached}/timeline").json()["bars"]
    assert not any(b["span"] for b in bars)  # tasks only: one bar per attempt
    _open(page, runs.retried_cached, "timeline")
    drawn = page.get_by_test_id("timeline-bar")
    expect(drawn).to_have_count(len(bars))
    categories = [drawn.nth(i).get_attribute("data-category") for i in range(drawn.count())]
    # cached_square is served from the cache; flaky fails twice, then succeeds
    assert sorted(categories) == ["cache", "failed", "failed", "succeeded"]
    retries = page.locator("[data-testid=timeline-bar][data-attempt='2'], "
                           "[data-testid=timeline-bar][data-attempt='3']")
    expect(retries).to_have_count(2)
    for i in range(2):
        assert retries.nth(i).get_attribute("stroke-width") == "2"  # outlined as a retry
    legend = page.get_by_test_id("timeline-legend")
    expect(legend).to_contain_text("cache hit")
    expect(legend).to_contain_text("retry")
    expect(legend).to_contain_text("aborted")  # the graph's word for a stopped node
    # a cache hit of a millisecond is still a visible bar, and the last bar ends inside the
    # drawing with room for its retry mark
    hit = page.locator("[data-testid=timeline-bar][data-category=cache]")
    assert float(hit.get_attribute("width") or 0) >= 3
    svg_width = float(page.get_by_test_id("timeline-svg").get_attribute("width") or 0)
    right = max(float(drawn.nth(i).get_attribute("x") or 0)
                + float(drawn.nth(i).get_attribute("width") or 0) for i in range(drawn.count()))
    assert right + 30 <= svg_width
    screenshot(page, "timeline")

    drawn.first.click()
    expect(page.get_by_test_id("drawer")).to_be_visible()


def test_a_map_node_is_one_node_that_expands_to_its_elements(page: Page, runs: Runs) -> None:
    _open(page, runs.map, "graph")
    drawn = _graph(page)
    assert len(drawn["nodes"]) == 3  # numbers, the map, count
    mapped = next(n for n in drawn["nodes"] if "elements" in n["label"])
    assert "\u00d7 1,000 elements" in mapped["label"] and "failed" not in mapped["label"]
    expect(page.get_by_test_id("graph-note")).to_contain_text("3 nodes")

    _click_node(page, mapped["id"])
    drawer = page.get_by_test_id("drawer")
    expect(drawer.get_by_test_id("element-row")).to_have_count(100)
    expect(drawer.get_by_test_id("map-elements")).to_contain_text("1\u2013100 of 1,000")
    drawer.get_by_test_id("expand-map").click()
    expect(page.get_by_test_id("graph")).to_have_attribute("data-element-count", "200")
    page.get_by_test_id("drawer-close").click()
    screenshot(page, "graph-map-expanded")


@pytest.mark.parametrize("which", ["chain", "fan_out", "map"])
def test_a_large_execution_opens_and_draws_its_graph_and_timeline(
    page: Page, console: Console, runs: Runs, which: str
) -> None:
    execution_id = getattr(runs, which)
    api_graph = console.api.get(f"{API}/executions/{execution_id}/graph").json()
    api_bars = console.api.get(f"{API}/executions/{execution_id}/timeline").json()["bars"]
    expected_nodes = {"chain": 1000, "fan_out": 1001, "map": 3}[which]
    assert len(api_graph["nodes"]) == expected_nodes

    _open(page, execution_id, "graph")
    assert page.get_by_test_id("graph").get_attribute("data-node-count") == str(expected_nodes)
    assert len(_graph(page)["nodes"]) == expected_nodes
    graph_timings = page.evaluate("window.__updraftTimings.graph")
    screenshot(page, f"large-{which}-graph")

    _open(page, execution_id, "timeline")
    attempts = [b for b in api_bars if not b["span"]]  # none of these nodes runs others
    expect(page.get_by_test_id("timeline-bar")).to_have_count(len(attempts))
    if which != "map":  # a map has one bar per batch of elements
        assert len(attempts) == expected_nodes
    timeline_timings = page.evaluate("window.__updraftTimings.timeline")
    screenshot(page, f"large-{which}-timeline")

    record_timings(which, {"graph": graph_timings, "timeline": timeline_timings})
