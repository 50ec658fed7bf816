"""A bounded schemathesis run over the OpenAPI spec: no generated request gets a 500.

Each operation gets a few generated requests (valid by the spec and, through schemathesis'
negative mode, invalid ones) against the real application over SQLite and PostgreSQL.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from updraft.server import create_app
from updraft.store import BlobStore, SqlMetadataStore

#: Generated requests per operation and mode; raise it locally to search harder.
EXAMPLES_PER_OPERATION = int(os.environ.get("UPDRAFT_FUZZ_EXAMPLES", "6"))


def test_no_request_gets_a_server_error(
    store: SqlMetadataStore, blobs: BlobStore, home: str
) -> None:
    app = create_app(store, blobs, None, home=home)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # every route is in the spec
    failures: list[str] = []

    for operation in operations:
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=strategy)
        @settings(max_examples=2 * EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: schemathesis.Case) -> None:
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} "
                                f"{case.body!r} -> {response.status_code}: {response.text}")

        check()
    assert not failures, "\n".join(failures[:5])
