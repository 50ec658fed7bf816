"""A typed HTTP client of the updraft server's REST API.

Answers come back as the wire model's structs (`updraft.model.ExecutionDocument` is the
same document ``updraft run --json`` prints), errors as `ClientError` with the server's
message. This package speaks only the wire model.

Example::

    from updraft.client import Client

    with Client("http://127.0.0.1:8080") as client:
        doc = client.launch("default", "development", workflow="wf.chain", inputs={"x": 3})
        print(client.wait(doc.execution.id).execution.outputs)
"""

from updraft.client._client import API_PREFIX, Client, normalize_endpoint
from updraft.client._errors import ClientError, EndpointUnreachableError
from updraft.client._results import (
    Entity,
    LaunchPlanState,
    NodeDetail,
    RegisteredEntity,
    RegisterResult,
)

__all__ = [
    "API_PREFIX",
    "Client",
    "ClientError",
    "EndpointUnreachableError",
    "Entity",
    "LaunchPlanState",
    "NodeDetail",
    "RegisterResult",
    "RegisteredEntity",
    "normalize_endpoint",
]
