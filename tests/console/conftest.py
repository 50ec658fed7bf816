"""Fixtures of the console's browser tests: one real ``updraft serve`` with the workflows of
tests/resources/console_workflows.py, console_composed.py and console_big.py registered, the
executions the tests
look at, and one headless Chromium, all shared by every test of the run; a fresh browser
page per test.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright for Python; the tests are
skipped, with the reason, where it is not installed. Screenshots of every view go to
tests/console/artifacts/ (not kept in git), with timings.json, the load times the page
measured for the 1,000-node executions.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests._support import RESOURCES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
PROJECT = "default"
DOMAIN = "development"
VERSION = "v1"
API = "/api/v1"
TERMINAL = {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}
#: Elements of the console_composed.tolerant run: every third one fails.
TOLERANT = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclasses.dataclass
class Console:
    """The server under test: its address and an API client for arranging and checking."""

    url: str
    api: httpx.Client

    def launch(self, workflow: str, inputs: dict[str, Any] | None = None) -> str:
        """Launch a registered workflow of the console_* resources; return the id."""
        response = self.api.post(f"{API}/executions", json={
            "project": PROJECT, "domain": DOMAIN, "workflow": workflow,
            "inputs": inputs or {},
        })
        assert response.status_code == 201, response.text
        execution_id: str = response.json()["execution"]["id"]
        return execution_id

    def wait(self, execution_id: str, timeout_s: float = 90.0) -> dict[str, Any]:
        """The execution document once the execution has ended."""
        deadline = time.monotonic() + timeout_s
        while True:
            doc: dict[str, Any] = self.api.get(f"{API}/executions/{execution_id}").json()
            if doc["execution"]["phase"] in TERMINAL:
                return doc
            assert time.monotonic() < deadline, f"execution {execution_id} did not end: {doc}"
            time.sleep(0.1)

    def wait_for_phase(self, execution_id: str, phase: str, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        url = f"{API}/executions/{execution_id}"
        while self.api.get(url).json()["execution"]["phase"] != phase:
            assert time.monotonic() < deadline, f"execution {execution_id} never became {phase}"
            time.sleep(0.1)

    def execution_ids(self, workflow: str) -> list[str]:
        """Ids of a workflow's executions, newest first."""
        page = self.api.get(f"{API}/executions", params={
            "project": PROJECT, "domain": DOMAIN, "workflow": workflow, "limit": 1000,
        }).json()
        return [e["id"] for e in page["executions"]]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it")
    return CHROMIUM


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Console]:
    """``updraft serve`` on a free port over its own home, with the fixture workflows
    registered as version v1 of default/development."""
    home = tmp_path_factory.mktemp("console-home")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "UPDRAFT_TOKEN"}
    env["UPDRAFT_HOME"] = str(home)
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "updraft.cli", "serve", "--home", str(home), "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    client = httpx.Client(base_url=url, timeout=30)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.get(f"{API}/domains").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (home / "serve.log").read_text()
            assert time.monotonic() < deadline, "updraft serve did not answer in 60 s"
            time.sleep(0.1)
        registered = subprocess.run(
            [sys.executable, "-m", "updraft.cli", "register", "console_workflows.py",
             "console_composed.py", "console_big.py", "--endpoint", url, "--project", PROJECT,
             "--domain", DOMAIN, "--version", VERSION],
            cwd=RESOURCES, env=env, capture_output=True, text=True, timeout=120,
        )
        assert registered.returncode == 0, registered.stdout + registered.stderr
        yield Console(url=url, api=client)
    finally:
        client.close()
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclasses.dataclass
class Runs:
    """Finished executions the read-only tests look at, by what they show."""

    typed: str
    report: str
    failed: str
    retried_first: str
    retried_cached: str
    dynamic: str
    chain: str
    fan_out: str
    map: str
    outer: str
    tolerant: str
    strict: str


@pytest.fixture(scope="session")
def runs(console: Console) -> Runs:
    """Launch every execution the read-only tests need, at once, and wait for them; the
    second run of retried_and_cached starts after the first so that it hits the cache."""
    first = console.launch("console_workflows.retried_and_cached")
    ids = {
        "typed": console.launch("console_workflows.typed_inputs", {"sizes": [1, 2, 3]}),
        "report": console.launch("console_workflows.report"),
        "failed": console.launch("console_workflows.fails"),
        "dynamic": console.launch("console_workflows.dynamic_spread"),
        "chain": console.launch("console_big.chain_1000"),
        "fan_out": console.launch("console_big.fan_out_1000"),
        "map": console.launch("console_big.map_1000"),
        "outer": console.launch("console_composed.outer"),
        "tolerant": console.launch("console_composed.tolerant", {"xs": list(range(TOLERANT))}),
        "strict": console.launch("console_composed.strict_pick"),
    }
    assert console.wait(first)["execution"]["phase"] == "SUCCEEDED"
    ids["retried_first"] = first
    ids["retried_cached"] = console.launch("console_workflows.retried_and_cached")
    for name, execution_id in ids.items():
        phase = console.wait(execution_id)["execution"]["phase"]
        assert phase == ("FAILED" if name in ("failed", "strict") else "SUCCEEDED"), (name, phase)
    return Runs(**ids)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    """A new page of a new browser context (no shared storage) on the server under test.

    The test fails when the page throws or logs an error, other than the browser's own line
    for a request the server refused (the tests make the server refuse some on purpose).
    """
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=console.url)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    opened.on("pageerror", lambda exc: errors.append(f"{exc}"))
    opened.on("console", on_console)
    try:
        yield opened
    finally:
        context.close()
    assert not errors, f"the console's page reported errors: {errors}"


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows as tests/console/artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def record_timings(name: str, values: dict[str, Any]) -> None:
    """Add one view's timings to tests/console/artifacts/timings.json and print them."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "timings.json"
    found: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    found[name] = values
    path.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
    print(f"{name}: {json.dumps(values, sort_keys=True)}")
