"""Composed executions in a real browser: a launch plan node leads to the execution it started,
a map whose elements partly failed says so in the graph and the timeline, a map node's panel
is the same wherever it is opened from, a conditional that failed at once still shows on the
timeline, and a small graph is seen on the first screen and beside the node panel."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.console.conftest import API, TOLERANT, Console, Runs, screenshot
from tests.console.test_graph_and_timeline import _click_node, _open, _rgb

#: The window of every test page (conftest's browser context).
WINDOW_HEIGHT = 900


def _boxes(page: Page) -> list[dict[str, Any]]:
    """Every drawn node's box on the screen (page pixels, as the user sees it)."""
    found: list[dict[str, Any]] = page.evaluate("""() => {
        const cy = window.__updraftGraph;
        const box = cy.container().getBoundingClientRect();
        return cy.nodes().map((n) => {
            const b = n.renderedBoundingBox();
            return {id: n.id(), label: n.data('label'), left: box.left + b.x1,
                    right: box.left + b.x2, top: box.top + b.y1, bottom: box.top + b.y2};
        });
    }""")
    return found


def test_a_launch_plan_node_links_to_the_execution_it_started(
    page: Page, console: Console, runs: Runs
) -> None:
    graph = console.api.get(f"{API}/executions/{runs.outer}/graph").json()
    (plan,) = [n for n in graph["nodes"] if n["kind"] == "launchplan"]
    child = plan["child_execution"]
    assert child

    # the node table links the row to the child execution
    page.goto(f"/#/executions/{runs.outer}")
    row = page.locator(f"[data-testid=node-row][data-node='{plan['id']}']")
    link = row.get_by_test_id("child-execution")
    expect(link).to_contain_text(child)
    link.click()
    page.wait_for_url(f"**/#/executions/{child}")
    expect(page.get_by_test_id("execution-name")).to_be_visible()
    parent = page.get_by_test_id("execution-summary").locator("a", has_text=runs.outer)
    expect(parent).to_be_visible()  # and the child links back to its parent

    # so does the node's panel opened from the graph
    _open(page, runs.outer, "graph")
    _click_node(page, plan["id"])
    drawer = page.get_by_test_id("drawer")
    expect(drawer.get_by_test_id("drawer-kind")).to_contain_text("launchplan")
    drawn = drawer.get_by_test_id("child-execution")
    expect(drawn).to_have_attribute("href", f"#/executions/{child}")
    screenshot(page, "launch-plan-node")
    drawn.click()
    page.wait_for_url(f"**/#/executions/{child}")


def test_a_map_whose_elements_partly_failed_says_so_in_the_graph_and_timeline(
    page: Page, console: Console, runs: Runs
) -> None:
    failed = TOLERANT // 3  # every third element fails
    _open(page, runs.tolerant, "graph")
    mapped = page.evaluate("""() => {
        const n = window.__updraftGraph.nodes("[kind = 'map']")[0];
        return {label: n.data('label'), fill: n.style('background-fill'),
                border: n.style('border-color'), phase: n.data('phase')};
    }""")
    assert mapped["label"].splitlines()[1] == f"\u00d7 {TOLERANT} elements · {failed} failed"
    assert mapped["phase"] == "SUCCEEDED"
    succeeded = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--phase-succeeded')")
    assert mapped["border"] == _rgb(succeeded)  # coloured by its phase
    assert mapped["fill"] == "linear-gradient"  # with the failed share in red
    screenshot(page, "map-partly-failed-graph")

    bars = console.api.get(f"{API}/executions/{runs.tolerant}/timeline").json()["bars"]
    assert sum(b["failed"] for b in bars) >= failed  # elements that failed again on retry
    _open(page, runs.tolerant, "timeline")
    drawn = page.get_by_test_id("timeline-bar")
    expect(drawn).to_have_count(len(bars))
    # a batch is red only when all its elements failed; one that failed in part has its own look
    looks = {"succeeded": lambda b: b["failed"] == 0,
             "partial": lambda b: 0 < b["failed"] < b["elements"],
             "failed": lambda b: b["failed"] == b["elements"]}
    for category, test in looks.items():
        shown = page.locator(f"[data-testid=timeline-bar][data-category={category}]")
        expect(shown).to_have_count(sum(1 for b in bars if test(b)))
    expected_partial = sum(1 for b in bars if looks["partial"](b))
    assert expected_partial > 0
    labels = page.get_by_test_id("timeline-failed")
    expect(labels).to_have_count(expected_partial)
    first = next(b for b in bars if 0 < b["failed"] < b["elements"])
    expect(labels.first).to_have_text(f"{first['failed']} failed")
    expect(page.get_by_test_id("timeline-legend")).to_contain_text("batch with failed elements")
    screenshot(page, "map-partly-failed-timeline")


def _expect_map_panel(page: Page) -> None:
    """The map node's panel: its task, how its elements went, and the first page of them."""
    drawer = page.get_by_test_id("drawer")
    expect(drawer.get_by_test_id("drawer-title")).to_have_text("fragile")
    expect(drawer.get_by_test_id("drawer-kind")).to_contain_text("map")
    expect(drawer.get_by_test_id("node-task")).to_have_text("console_composed.fragile")
    expect(drawer.get_by_test_id("node-elements")).to_have_text(
        f"{TOLERANT} elements: {TOLERANT - TOLERANT // 3} succeeded, {TOLERANT // 3} failed")
    expect(drawer.get_by_test_id("element-row")).to_have_count(100)
    expect(drawer.get_by_test_id("map-elements")).to_contain_text(f"1\u2013100 of {TOLERANT}")


def test_a_map_nodes_panel_is_the_same_from_the_graph_the_table_and_a_link(
    page: Page, runs: Runs
) -> None:
    page.goto(f"/#/executions/{runs.tolerant}?node=n0")
    _expect_map_panel(page)
    screenshot(page, "map-panel-from-link")

    page.goto("about:blank")
    page.goto(f"/#/executions/{runs.tolerant}")
    row = page.get_by_test_id("node-row").first
    expect(row.get_by_test_id("node-row-elements")).to_contain_text(f"{TOLERANT // 3} failed")
    row.click()
    _expect_map_panel(page)

    _open(page, runs.tolerant, "graph")
    _click_node(page, "n0")
    _expect_map_panel(page)

    # a link to the graph with the node open can show the elements inside the map
    page.goto("about:blank")
    page.goto(f"/#/executions/{runs.tolerant}?tab=graph&node=n0")
    _expect_map_panel(page)
    page.get_by_test_id("expand-map").click()
    expect(page.get_by_test_id("graph")).to_have_attribute("data-element-count", "200")


def test_a_conditional_that_failed_at_once_has_a_span_on_the_timeline(
    page: Page, console: Console, runs: Runs
) -> None:
    bars = console.api.get(f"{API}/executions/{runs.strict}/timeline").json()["bars"]
    graph = console.api.get(f"{API}/executions/{runs.strict}/graph").json()
    (branch,) = [n for n in graph["nodes"] if n["kind"] == "branch"]
    _open(page, runs.strict, "timeline")
    span = page.get_by_test_id("timeline-span")
    expect(span).to_have_count(1)
    expect(span).to_have_attribute("data-node", branch["id"])
    expect(span).to_have_attribute("data-category", "failed")
    assert float(span.get_attribute("width") or 0) >= 6
    attempts = [b for b in bars if not b["span"]]
    expect(page.get_by_test_id("timeline-bar")).to_have_count(len(attempts))
    expect(page.get_by_test_id("timeline-summary")).to_contain_text(
        f"{len(attempts)} bar{'' if len(attempts) == 1 else 's'} · 1 span")
    expect(page.get_by_test_id("execution-error-title")).to_have_text(
        f"failed at node 'sign' ({branch['id']})")
    expect(page.get_by_test_id("outputs")).to_contain_text("not produced (the execution failed)")
    screenshot(page, "conditional-span-timeline")


def test_a_small_graph_is_on_the_first_screen_and_beside_the_node_panel(
    page: Page, runs: Runs
) -> None:
    for execution_id in (runs.outer, runs.tolerant):
        _open(page, execution_id, "graph")
        assert page.evaluate("window.scrollY") == 0
        for box in _boxes(page):
            assert box["top"] > 0 and box["bottom"] < WINDOW_HEIGHT, box

    # the 300-number input and output are folded to one line each, and open on request
    inputs = page.get_by_test_id("inputs")
    expect(inputs.get_by_test_id("value-show-all")).to_have_text(f"{TOLERANT} items, show all")
    inputs.get_by_test_id("value-show-all").click()
    expect(inputs.get_by_test_id("value-full")).to_contain_text(f"{TOLERANT - 1}]")
    inputs.get_by_test_id("value-show-less").click()
    expect(inputs.get_by_test_id("value-full")).to_have_count(0)

    _open(page, runs.outer, "graph")
    last = max(_boxes(page), key=lambda b: b["right"])
    _click_node(page, last["id"])
    drawer = page.get_by_test_id("drawer")
    expect(drawer.get_by_test_id("node-summary")).to_be_visible()
    panel_left = drawer.bounding_box()
    assert panel_left is not None
    page.wait_for_function(
        """(left) => window.__updraftGraph.nodes().every((n) =>
            n.renderedBoundingBox().x2 + window.__updraftGraph.container()
                .getBoundingClientRect().left < left)""",
        arg=panel_left["x"])
    screenshot(page, "graph-beside-panel")
    page.get_by_test_id("drawer-close").click()
    expect(drawer).to_be_hidden()
