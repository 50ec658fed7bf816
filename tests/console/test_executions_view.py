"""The executions list and the execution page in a real browser: what a user reads there
matches what the server recorded."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.console.conftest import API, Console, Runs, screenshot

EXECUTIONS = "/#/p/default/development/executions"


def test_the_list_shows_executions_newest_first_and_filters_them(
    page: Page, console: Console, runs: Runs
) -> None:
    page.goto(EXECUTIONS)
    rows = page.get_by_test_id("execution-row")
    expect(rows.first).to_be_visible()
    newest = console.api.get(f"{API}/executions", params={
        "project": "default", "domain": "development", "limit": 50}).json()["executions"]
    shown = [rows.nth(i).get_attribute("data-id") for i in range(rows.count())]
    assert shown == [e["id"] for e in newest]

    typed = page.locator(f"[data-testid=execution-row][data-id='{runs.typed}']")
    expect(typed.get_by_test_id("inputs-summary")).to_contain_text("count=3")
    expect(typed.get_by_test_id("phase")).to_have_attribute("data-phase", "SUCCEEDED")
    failed = page.locator(f"[data-testid=execution-row][data-id='{runs.failed}']")
    expect(failed.get_by_test_id("phase")).to_have_attribute("data-phase", "FAILED")
    screenshot(page, "executions")

    page.get_by_test_id("filter-phase").select_option("FAILED")
    expect(rows).to_have_count(2)  # console_workflows.fails and console_composed.strict_pick
    assert {rows.nth(i).get_attribute("data-id") for i in range(2)} == {runs.failed, runs.strict}
    assert "phase=FAILED" in page.url  # the filter is in the address, so it can be shared

    page.get_by_test_id("filter-phase").select_option("")
    page.get_by_test_id("filter-workflow").select_option("console_workflows.retried_and_cached")
    expect(rows).to_have_count(2)
    for execution_id in (runs.retried_first, runs.retried_cached):
        expect(page.locator(f"[data-testid=execution-row][data-id='{execution_id}']")).to_be_visible()

    page.get_by_test_id("filter-after").fill("2999-01-01T00:00")
    expect(page.get_by_test_id("no-executions")).to_be_visible()
    page.get_by_test_id("filter-after").fill("2000-01-01T00:00")
    expect(rows).to_have_count(2)


def test_an_execution_shows_its_outputs_by_type_and_its_nodes(
    page: Page, console: Console, runs: Runs
) -> None:
    page.goto(f"/#/executions/{runs.report}")
    expect(page.get_by_test_id("execution-phase")).to_have_attribute("data-phase", "SUCCEEDED")
    outputs = page.get_by_test_id("outputs")
    frame = outputs.get_by_test_id("frame-preview")
    expect(frame.locator("th")).to_have_count(2)
    expect(frame.locator("thead")).to_contain_text("id")
    expect(frame.locator("thead")).to_contain_text("score")
    expect(frame.locator("tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("inputs")).to_contain_text("rows")

    # the file output is a link that downloads what the task wrote
    links = outputs.get_by_test_id("download")
    expect(links).to_have_count(2)
    report_link = outputs.locator("[data-testid=download]", has_text="report.txt")
    href = report_link.get_attribute("href")
    assert href and href.startswith(f"{API}/blobs?uri=")
    downloaded = console.api.get(href)
    assert downloaded.status_code == 200 and downloaded.text.startswith("row 0\nrow 1")

    nodes = page.get_by_test_id("node-row")
    expect(nodes).to_have_count(2)
    expect(nodes.first).to_contain_text("table")
    screenshot(page, "execution")

    page.goto(f"/#/executions/{runs.typed}")
    expect(page.get_by_test_id("outputs")).to_contain_text('"label":"run"')
    expect(page.get_by_test_id("outputs")).to_contain_text('"total":18')


def test_a_failed_node_shows_its_error_traceback_and_log(page: Page, runs: Runs) -> None:
    page.goto(f"/#/executions/{runs.failed}")
    expect(page.get_by_test_id("execution-error")).to_contain_text("cannot handle 7")
    expect(page.get_by_test_id("execution-error-title")).to_have_text(
        "failed at node 'explode' (n0)")
    expect(page.get_by_test_id("outputs").get_by_test_id("value-missing")).to_have_text(
        "not produced (the execution failed)")
    expect(page.get_by_test_id("recover")).to_be_visible()
    expect(page.get_by_test_id("terminate")).to_have_count(0)  # it has ended

    page.get_by_test_id("node-row").first.click()
    drawer = page.get_by_test_id("drawer")
    expect(drawer.get_by_test_id("drawer-title")).to_have_text("explode")
    expect(drawer.get_by_test_id("node-phase")).to_have_attribute("data-phase", "FAILED")
    traceback = drawer.get_by_test_id("traceback")
    expect(traceback).to_contain_text("Traceback (most recent call last)")
    expect(traceback).to_contain_text("ValueError: cannot handle 7")
    expect(drawer.get_by_test_id("node-inputs")).to_contain_text("7")
    expect(drawer.get_by_test_id("node-log")).to_contain_text("attempt 1: USER_ERROR")
    outcome = drawer.get_by_test_id("attempt-row").get_by_test_id("outcome")
    expect(outcome).to_have_text("user error")  # a pill like the phases, in their colour
    expect(outcome).to_have_class("badge phase-failed")
    expect(drawer.get_by_test_id("node-outputs").get_by_test_id("value-missing")).to_have_text(
        "not produced (the node failed)")
    assert re.search(r"node=n0", page.url)  # the open node is in the address
    screenshot(page, "node-error")

    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()


def test_the_node_table_of_a_large_execution_is_paginated(page: Page, runs: Runs) -> None:
    page.goto(f"/#/executions/{runs.chain}")
    rows = page.get_by_test_id("node-row")
    expect(rows).to_have_count(100)
    expect(page.get_by_test_id("nodes-status")).to_have_text("1\u2013100 of 1,000 nodes")
    page.get_by_test_id("nodes-next").click()
    expect(page.get_by_test_id("nodes-status")).to_have_text("101\u2013200 of 1,000 nodes")
    expect(rows.first).to_have_attribute("data-node", "n100")
    page.get_by_test_id("nodes-search").fill("n999")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-node", "n999")


def test_the_top_bar_follows_the_project_and_domain_of_the_execution_shown(
    page: Page, runs: Runs
) -> None:
    page.goto("/#/p/default/staging/executions")
    expect(page.get_by_test_id("domain-select")).to_have_value("staging")
    expect(page.get_by_test_id("nav-executions")).to_have_attribute(
        "href", "#/p/default/staging/executions")

    page.goto(f"/#/executions/{runs.typed}")  # an execution of default/development
    expect(page.get_by_test_id("execution-phase")).to_be_visible()
    expect(page.get_by_test_id("domain-select")).to_have_value("development")
    expect(page.get_by_test_id("project-select")).to_have_value("default")
    expect(page.get_by_test_id("nav-executions")).to_have_attribute(
        "href", "#/p/default/development/executions")
    page.get_by_test_id("nav-executions").click()
    expect(page.locator(f"[data-testid=execution-row][data-id='{runs.typed}']")).to_be_visible()
