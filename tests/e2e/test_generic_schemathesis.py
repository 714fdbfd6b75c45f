"""Schemathesis over every operation of the served OpenAPI document: generated requests (with a
real key) never get a 5xx, and every response matches the documented status codes, content
types and schemas. Bounded and derandomized so the suite is reproducible and quick."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from tallyboard_local.stack import LocalStack
from tests.conftest import Tenant, served_spec_for_collection

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
# Generated cases only: schemathesis' coverage phase (every boundary case of every schema, run
# in Hypothesis' explicit phase) costs ~7 s an operation here; the bad-input corpus covers
# those boundaries at a bounded cost instead.
EXAMPLES_PER_OPERATION = 10


@pytest.fixture(scope="module")
def fuzz_tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    # agency: 10,000 requests an hour, far above what the suite sends
    return make_tenant("agency")


# Collected from the same merge that serves /v1/openapi.json (so operations are known at
# collection and each gets its own test id); the first test proves the served document is it.
SPEC = served_spec_for_collection()
schema = schemathesis.openapi.from_dict(SPEC)


def test_collected_spec_is_the_served_one(stack: LocalStack) -> None:
    served = requests.get(f"{stack.base_url}/openapi.json", timeout=30)
    assert served.status_code == 200
    assert served.json() == SPEC


@pytest.mark.xdist_group("schemathesis")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_operation_conforms_to_its_schema(case: Any, stack: LocalStack, fuzz_tenant: Tenant) -> None:
    response = case.call(
        base_url=stack.base_url,
        headers={"Authorization": f"Bearer {fuzz_tenant.api_key}"},
        timeout=30,
    )
    case.validate_response(response, checks=CHECKS)
