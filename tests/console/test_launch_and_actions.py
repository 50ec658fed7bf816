"""Launching from the form generated from a workflow's typed interface, and the execution
page's actions (terminate, relaunch), in a real browser; the server's records confirm what
happened."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.console.conftest import API, Console, Runs, screenshot

TYPED = "/#/p/default/development/launch/workflows/console_workflows.typed_inputs/v1"


def test_the_form_has_the_interface_with_defaults_filled(page: Page) -> None:
    page.goto(TYPED)
    expect(page.get_by_test_id("field")).to_have_count(5)
    expect(page.get_by_test_id("field-count")).to_have_value("3")
    expect(page.get_by_test_id("field-ratio")).to_have_value("0.5")
    expect(page.get_by_test_id("field-label")).to_have_value("run")
    expect(page.get_by_test_id("field-flag")).to_be_checked()
    expect(page.get_by_test_id("field-sizes")).to_have_value("")
    sizes = page.locator("[data-testid=field][data-name=sizes]")
    expect(sizes).to_contain_text("list[int]")
    expect(sizes).to_contain_text("*")  # required: it has no default


def test_bad_values_get_a_message_next_to_their_field_and_nothing_is_launched(
    page: Page, console: Console
) -> None:
    before = console.execution_ids("console_workflows.typed_inputs")
    page.goto(TYPED)
    page.get_by_test_id("field-count").fill("three")
    page.get_by_test_id("field-ratio").fill("1/2")
    page.get_by_test_id("field-sizes").fill('[1, 2, "x"]')
    page.get_by_test_id("launch-submit").click()

    expect(page.get_by_test_id("field-error-count")).to_contain_text(
        "expected a whole number such as 3, got “three”")
    expect(page.get_by_test_id("field-error-ratio")).to_contain_text("expected a number")
    expect(page.get_by_test_id("field-error-sizes")).to_contain_text(
        'at [2]: expected int, got "x"')
    expect(page.get_by_test_id("field-error-label")).to_be_empty()
    expect(page.get_by_test_id("launch-invalid")).to_contain_text("nothing was launched")
    screenshot(page, "launch-invalid")

    page.get_by_test_id("field-sizes").fill("")
    page.get_by_test_id("launch-submit").click()
    expect(page.get_by_test_id("field-error-sizes")).to_contain_text("required")
    assert "/launch/" in page.url
    assert console.execution_ids("console_workflows.typed_inputs") == before


def test_a_value_the_server_refuses_shows_the_servers_message(
    page: Page, console: Console, tmp_path: Path
) -> None:
    before = console.execution_ids("console_workflows.count_lines")
    missing = tmp_path / "missing.txt"
    page.goto("/#/p/default/development/launch/workflows/console_workflows.count_lines/v1")
    page.get_by_test_id("field-data").fill(str(missing))
    page.get_by_test_id("launch-submit").click()
    expect(page.get_by_test_id("launch-error")).to_contain_text("The server refused the launch")
    message = page.get_by_test_id("field-error-data")
    expect(message).to_contain_text(f"File '{missing}' does not exist")
    assert console.execution_ids("console_workflows.count_lines") == before
    screenshot(page, "launch-refused")


def test_good_values_launch_and_open_the_running_execution(
    page: Page, console: Console
) -> None:
    page.goto(TYPED)
    page.get_by_test_id("field-count").fill("4")
    page.get_by_test_id("field-sizes").fill("[1, 2, 3]")
    page.locator("[data-testid=field][data-name=flag] label.switch").click()
    expect(page.get_by_test_id("field-flag")).not_to_be_checked()
    page.get_by_test_id("launch-submit").click()
    page.wait_for_url(re.compile(r"#/executions/[0-9a-f]+"))
    execution_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    assert console.execution_ids("console_workflows.typed_inputs")[0] == execution_id

    # the page follows the execution until it ends
    expect(page.get_by_test_id("execution-phase")).to_have_attribute(
        "data-phase", "SUCCEEDED", timeout=60_000)
    expect(page.get_by_test_id("outputs")).to_contain_text('"total":0')
    doc = console.api.get(f"{API}/executions/{execution_id}").json()["execution"]
    assert doc["inputs"]["count"] == {"type": "scalar", "value": 4}
    assert doc["inputs"]["flag"] == {"type": "scalar", "value": False}
    assert doc["launched_by"] == "console"
    screenshot(page, "launched")


def test_terminate_stops_a_running_execution_and_the_graph_follows_in_place(
    page: Page, console: Console
) -> None:
    execution_id = console.launch("console_workflows.slow")
    console.wait_for_phase(execution_id, "RUNNING")
    page.goto(f"/#/executions/{execution_id}?tab=graph")
    expect(page.get_by_test_id("execution-phase")).to_have_attribute("data-phase", "RUNNING")
    expect(page.get_by_test_id("graph")).to_have_attribute("data-ready", "true")
    node = "window.__updraftGraph.getElementById('n0')"
    page.wait_for_function(f"{node}.data('phase') === 'RUNNING'")
    before = page.evaluate(f"{node}.position()")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("terminate").click()
    expect(page.get_by_test_id("execution-phase")).to_have_attribute(
        "data-phase", "ABORTED", timeout=30_000)
    expect(page.get_by_test_id("terminate")).to_have_count(0)
    assert console.wait(execution_id)["execution"]["phase"] == "ABORTED"
    # the graph's poll recoloured the node where it was: no new layout
    page.wait_for_function(f"{node}.data('phase') === 'ABORTED'", timeout=30_000)
    assert page.evaluate(f"{node}.position()") == before
    screenshot(page, "terminated")


def test_relaunch_opens_a_new_execution_with_the_same_inputs(
    page: Page, console: Console, runs: Runs
) -> None:
    page.goto(f"/#/executions/{runs.typed}")
    page.get_by_test_id("relaunch").click()
    page.wait_for_url(re.compile(rf"#/executions/(?!{runs.typed})[0-9a-f]+"))
    new_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    doc = console.wait(new_id)["execution"]
    original = console.api.get(f"{API}/executions/{runs.typed}").json()["execution"]
    assert doc["inputs"] == original["inputs"]
    assert doc["launched_by"] == "relaunch"
    expect(page.get_by_test_id("launched-by")).to_have_text("relaunch")
    source = page.get_by_test_id("source-execution")
    expect(source).to_have_text(runs.typed)
    source.click()
    page.wait_for_url(re.compile(rf"#/executions/{runs.typed}"))
