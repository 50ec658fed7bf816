"""The typed client against a real server: projects, registration, launching, waiting,
listing, nodes, logs, events, and the errors a user sees."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import wf_basic

from tests.client._server import free_port, running_server
from tests.server.conftest import resources_archive
from updraft.client import (
    Client,
    ClientError,
    EndpointUnreachableError,
    normalize_endpoint,
)
from updraft.model import (
    ExecutionPhase,
    LaunchPlanSpec,
    Registration,
    Scalar,
    TaskSpec,
    WorkflowSpec,
)

CHAIN = wf_basic.chain.spec.name


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="module")
def registered(endpoint: str) -> str:
    """Project ``client-tests`` with wf_basic's chain and shapes registered as v1."""
    with Client(endpoint) as client:
        client.create_project("client-tests", description="tests of the client")
        specs = (wf_basic.chain.spec, wf_basic.shapes.spec)
        tasks = tuple({t.name: t for s in specs for t in s.tasks.values()}.values())
        registration = Registration(project="client-tests", domain="development",
                                    version="v1", tasks=tasks, workflows=specs)
        first = client.register(registration, resources_archive())
        again = client.register(registration, resources_archive())
    assert first.version == "v1" and first.code is not None
    assert {e.id.name for e in first.created if e.kind == "launch_plan"} == {
        CHAIN, wf_basic.shapes.spec.name}
    assert again.created == [] and len(again.existing) == len(first.created)
    return "client-tests"


def test_projects_are_created_once_and_listed(endpoint: str) -> None:
    with Client(endpoint) as client:
        made = client.create_project("proj-a", name="Project A", description="first")
        same = client.create_project("proj-a", name="other name")
        ids = [p.id for p in client.list_projects()]
        assert client.get_project("proj-a") == made
        assert client.list_domains() == ["development", "staging", "production"]
    assert made.name == "Project A" and same == made
    assert "proj-a" in ids and "default" in ids


def test_registered_entities_come_back_as_typed_specs(endpoint: str, registered: str) -> None:
    with Client(endpoint) as client:
        workflow = client.get_entity("workflow", registered, "development", CHAIN, "v1")
        plan = client.get_entity("launch_plan", registered, "development", CHAIN, "v1")
        task_name = next(iter(wf_basic.chain.spec.tasks))
        task = client.get_entity("task", registered, "development", task_name, "v1")
        versions = client.list_entities("workflow", registered, "development", CHAIN)
        latest = client.latest("launch_plan", registered, "development", CHAIN)
    assert isinstance(workflow.spec, WorkflowSpec) and workflow.spec == wf_basic.chain.spec
    assert isinstance(plan.spec, LaunchPlanSpec) and plan.spec.workflow == CHAIN
    assert plan.active is False
    assert isinstance(task.spec, TaskSpec) and task.spec.name == task_name
    assert [v.version for v in versions] == ["v1"] and latest.version == "v1"


def test_launch_wait_and_read_an_execution(endpoint: str, registered: str) -> None:
    with Client(endpoint) as client:
        queued = client.launch(registered, "development", workflow=CHAIN, inputs={"x": 3},
                               labels={"team": "ml"}, launched_by="cli")
        execution_id = queued.execution.id
        done = client.wait(execution_id, timeout=60)
        listed = client.list_executions(project=registered, labels={"team": "ml"})
        succeeded = client.list_executions(project=registered, phases=["SUCCEEDED"])
        node = client.node(execution_id, "n4")
        logs = client.logs(execution_id)
        one_node = client.logs(execution_id, "n0")
        events = list(client.events(execution_id))
    assert done.execution.phase == ExecutionPhase.SUCCEEDED
    assert done.execution.outputs == {"o0": Scalar(8)}
    assert done.execution.launched_by == "cli" and done.execution.labels == {"team": "ml"}
    assert [n.phase.value for n in done.nodes] == ["SUCCEEDED"] * 5
    assert execution_id in [e.id for e in listed]
    assert execution_id in [e.id for e in succeeded]
    assert node.inputs == {"x": Scalar(7)} and node.outputs == {"o0": Scalar(8)}
    assert "node n4 (inc) attempt 1: SUCCEEDED" in logs
    assert "node n0" in one_node and "node n1" not in one_node
    assert events and all(e.execution_id == execution_id for e in events)
    assert events[-1].node_id is None and events[-1].phase == "SUCCEEDED"


def test_relaunch_makes_a_new_execution_with_the_same_inputs(
    endpoint: str, registered: str
) -> None:
    with Client(endpoint) as client:
        first = client.launch(registered, "development", launch_plan=CHAIN, inputs={"x": 1})
        client.wait(first.execution.id, timeout=60)
        again = client.relaunch(first.execution.id)
        done = client.wait(again.execution.id, timeout=60)
    assert again.execution.id != first.execution.id
    assert done.execution.launched_by == "relaunch"
    assert done.execution.outputs == {"o0": Scalar(6)}


def test_refused_requests_carry_the_server_message(endpoint: str, registered: str) -> None:
    with Client(endpoint) as client:
        with pytest.raises(ClientError) as bad_input:
            client.launch(registered, "development", workflow=CHAIN, inputs={"x": "three"})
        with pytest.raises(ClientError) as missing:
            client.get_execution("nosuchexecution")
        with pytest.raises(ClientError) as unknown_plan:
            client.latest("launch_plan", registered, "development", "nope")
        done = client.launch(registered, "development", workflow=CHAIN)
        client.wait(done.execution.id, timeout=60)
        with pytest.raises(ClientError) as ended:
            client.terminate(done.execution.id)
    assert bad_input.value.status == 400 and bad_input.value.refused
    assert "'x'" in bad_input.value.message and "int" in bad_input.value.message
    assert missing.value.status == 404 and "nosuchexecution" in missing.value.message
    assert unknown_plan.value.status == 404 and "updraft register" in unknown_plan.value.message
    assert ended.value.status == 409 and "ended already" in ended.value.message


def test_an_unreachable_server_is_one_line_naming_the_address() -> None:
    address = f"http://127.0.0.1:{free_port()}"
    with Client(address) as client, pytest.raises(EndpointUnreachableError) as caught:
        client.list_projects()
    message = str(caught.value)
    assert message == (
        f"cannot reach the updraft server at {address} (connection refused); start it with "
        "`updraft serve` or set `endpoint` in updraft.yaml or UPDRAFT_ENDPOINT"
    )
    assert isinstance(caught.value, ClientError) and caught.value.status == 0


def test_a_server_with_a_token_needs_it(tmp_path: Path) -> None:
    with running_server(tmp_path / "guarded", token="s3cret") as url:
        with Client(url) as anonymous, pytest.raises(ClientError) as refused:
            anonymous.list_projects()
        with Client(url, token="s3cret") as client:
            assert [p.id for p in client.list_projects()] == ["default"]
    assert refused.value.status == 401 and "token" in refused.value.message


def test_endpoints_are_normalized() -> None:
    assert normalize_endpoint("127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert normalize_endpoint("https://updraft.example/api/v1") == "https://updraft.example"
