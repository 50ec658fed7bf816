"""Projects, registered workflows, tasks and launch plans in a real browser, and a launch
plan's schedule switched on and off from the console."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.console.conftest import API, Console, screenshot


def test_projects_lead_to_the_registered_workflows_with_their_versions(page: Page) -> None:
    page.goto("/")
    project = page.locator("[data-testid=project][data-project=default]")
    expect(project).to_be_visible()
    project.locator("[data-testid=domain-link][data-domain=development]").click()

    workflows = page.get_by_test_id("entity-row")
    expect(page.locator("[data-testid=entity-row][data-name='console_workflows.typed_inputs']")
           ).to_contain_text("v1")
    names = {workflows.nth(i).get_attribute("data-name") for i in range(workflows.count())}
    assert {"console_workflows.report", "console_big.chain_1000"} <= names
    screenshot(page, "registry")

    page.get_by_test_id("tab-tasks").click()
    expect(page.locator("[data-testid=entity-row][data-name='console_workflows.flaky']")
           ).to_be_visible()
    page.locator("[data-testid=entity-row][data-name='console_workflows.flaky'] a").first.click()
    task = page.get_by_test_id("task")
    expect(task).to_contain_text("Retries")
    expect(page.get_by_test_id("task-retries")).to_have_text("2")
    expect(page.get_by_test_id("interface")).to_contain_text("int")


def test_a_launch_plan_shows_its_schedule_and_switches_on_and_off(
    page: Page, console: Console
) -> None:
    plan_url = f"{API}/launch_plans/default/development/nightly_report/v1"
    page.goto("/#/p/default/development?kind=launch_plans")
    row = page.locator("[data-testid=entity-row][data-name=nightly_report]")
    expect(row).to_contain_text("cron 0 2 * * * (Europe/Berlin)")
    switch = row.get_by_test_id("active-switch")
    expect(switch).not_to_be_checked()
    screenshot(page, "launch-plans")

    row.locator("label.switch").click()
    expect(switch).to_be_checked()
    expect(page.get_by_test_id("toast")).to_contain_text("now active")
    assert console.api.get(plan_url).json()["active"] is True

    row.locator("a.mono").click()
    expect(page.get_by_test_id("schedule")).to_have_text("cron 0 2 * * * (Europe/Berlin)")
    expect(page.get_by_test_id("plan")).to_contain_text("rows = 3")
    detail_switch = page.get_by_test_id("active-switch")
    expect(detail_switch).to_be_checked()
    page.locator("label.switch").click()
    expect(detail_switch).not_to_be_checked()
    expect(page.get_by_test_id("toast")).to_contain_text("now inactive")
    assert console.api.get(plan_url).json()["active"] is False
