"""schemathesis against /openapi.json: generated requests to every operation, once without
a token and once with a valid token of each role. No answer may be a 5xx, and every
answer must be one the schema documents (status, media type, body shape).

Bounded on purpose (10 examples an operation, no deadline, a fixed seed so CI never
flakes): this is a contract check in the suite, not a fuzzing campaign. The rate limit is
lifted so the limiter does not answer for the routes.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lexhub.model import UserRole
from lexhub.service.app import create_app
from lexhub.service.limits import TokenBuckets
from lexhub.store import Store
from tests.search.conftest import C
from tests.service.conftest import ApiClient, token_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]  # fmt: skip
EXAMPLES_PER_OPERATION = 10


@schemathesis.serializer("application/x-ndjson")
def _lines(ctx: schemathesis.SerializationContext, value: Any) -> dict[str, Any]:
    """A batch body as sent: the generated text itself (a string, per the schema)."""
    return {"data": value.encode("utf-8") if isinstance(value, str) else bytes(str(value), "utf-8")}


@pytest.mark.parametrize("role", [None, *UserRole])
def test_every_operation_answers_as_documented(
    node: tuple[ApiClient, str, Store], role: UserRole | None
) -> None:
    _, _, store = node
    headers: dict[str, Any] = {}
    if role is not None:
        token = token_for(store, "fuzz", C, role, oversight=role is UserRole.AUDITOR)
        headers = {"authorization": f"Bearer {token}"}
    app = create_app(store.url, limits=TokenBuckets(1e9, 10**9))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations()]
    answered: set[int] = set()
    strategy = st.one_of([op.as_strategy(headers=headers) for op in operations])

    @settings(max_examples=EXAMPLES_PER_OPERATION * len(operations), deadline=None,
              database=None, derandomize=True, suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call_and_validate(checks=CHECKS)
        if case.operation.path.startswith("/api/v1/"):
            answered.add(response.status_code)
            if role is None and response.status_code == 404:  # a path no route matches
                assert response.json()["detail"] == "Not Found", case.formatted_path

    run()
    # Without a token nothing under /api/v1 is answered but 401 (or 422 for a request
    # malformed before any token is read, 404 for a path no route matches, such as an id
    # with a slash); with one, the token is honoured.
    if role is None:
        assert answered <= {401, 404, 422}, sorted(answered)
    else:
        assert answered - {401, 422}, sorted(answered)
