"""Schemathesis over every operation of the served OpenAPI document, every phase and every check:
examples, coverage (each boundary value of each schema), fuzzing (valid and invalid cases) and
stateful (a create, then what the document's links reach: get, update, delete). A request valid
by the document is accepted, an invalid one refused, never a 5xx, and every answer matches its
documented status, content type, headers and schema. Bounded and derandomized (a fixed seed) so
the suite is reproducible and fits CI's budget. Undeclared methods (405 with Allow) have their
own generic suite, tests/e2e/test_method_not_allowed.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES
from schemathesis.generation.hypothesis.builder import ApiOperationMark
from schemathesis.generation.meta import CoveragePhaseData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tallyboard_local.stack import LocalStack, wait_for_workflows
from tests.conftest import Tenant
from tests.e2e.generic_spec import served_spec_for_collection

load_all_checks()
CHECKS_ALL = CHECKS.get_all()  # every built-in check, positive_data_acceptance included
# Fuzzing: generated cases per operation (valid and invalid). Examples: the document's own.
EXAMPLES_PER_OPERATION = 10
# Coverage: every boundary value the schema defines, once. Schemathesis repeats each boundary in
# every branch of a oneOf/anyOf (POST /exports: 243 cases for ~40 distinct ones) and has no bound
# of its own, so a case whose description was already sent is skipped, and an operation sends at
# most this many (a request costs ~40 ms here; the suite must stay within CI's budget).
COVERAGE_CASES_PER_OPERATION = 40
# Stateful: runs of the state machine, and calls per run (a create, then what its links reach).
STATEFUL_RUNS = 15
STATEFUL_STEPS = 6
SEED = 20261125
# What no generator can draw valid: a page's nextCursor, minted and sealed by the API (and sent
# alone, without offset). A valid case leaves it out; invalid cases still send what they drew.
MINTED_BY_THE_API = ("cursor",)
# Rules JSON Schema cannot state (it compares no two values and sees no stored state): a valid
# request may still be refused with a 400 naming only fields of such a rule, and only that 400 is
# let through; every other refusal of a valid request still fails positive_data_acceptance.
# A date range (a pair below, in the query or the body) is one everywhere: its end not before its
# start, both dates the API can hold (1970-2286).
DATE_RANGES = (("startDate", "endDate"), ("start_date", "end_date"), ("from", "to"))
UNSTATABLE_RULES: dict[str, set[str]] = {
    # a permutation of its tiles (the 400 lists the ids missing, unknown or repeated)
    "POST /dashboards/{dashboardId}/reorder_tiles": {"tile_order", "missing", "unknown", "duplicated"},
}
# Gaps between the document and the code found by this suite in work still in flight elsewhere:
# each is expected to fail (not strictly) until its owner states the rule; remove it then.
KNOWN_GAPS: dict[str, str] = {}  # "METHOD /path": "why"

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        # The key is the suite's to send (never drawn, never left out by a negative case).
        "generation": {"max-examples": EXAMPLES_PER_OPERATION, "with-security-parameters": False},
        # 413 (body over 1 MB) refuses an invalid body as a 400 does.
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413"]
            }
        },
        "phases": {
            "examples": {"enabled": True},
            # Valid boundary values only: invalid ones are the fuzzing phase's negative cases and
            # the bad-input corpus (tests/e2e/test_generic_bad_input.py).
            "coverage": {"enabled": True, "generation": {"mode": "positive"}},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": STATEFUL_STEPS},
        },
    }
)
# No shrinking: a failure is reported as found (shrinking one costs hundreds of requests).
HYPOTHESIS = settings(
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
)
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Collected from the same merge that serves /v1/openapi.json (so operations are known at
# collection and each gets its own test id); the first test proves the served document is it.
SPEC = served_spec_for_collection()
schema = schemathesis.openapi.from_dict(SPEC, config=CONFIG)


@pytest.fixture(scope="module")
def fuzz_tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    # enterprise with a limit far above what the suite sends: no answer is a 429
    return make_tenant("enterprise", rate_limit_per_hour=10_000_000)


def _in_tenant_project(case: Any, project_id: str) -> None:
    """A well-formed projectId the generator drew in a body becomes the tenant's own project, so a
    create creates something the links can follow. An ill-formed one is left as drawn: it is what
    a negative case tests. Queries keep the drawn project (a 403 answers before any other rule)."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("projectId"), str) and _ID.match(body["projectId"]):
        body["projectId"] = project_id


def _without_minted(case: Any) -> None:
    if case.meta is not None and case.meta.generation.mode.is_positive and isinstance(case.query, dict):
        for name in MINTED_BY_THE_API:
            case.query.pop(name, None)


def _range_fields(operation: Any) -> set[str]:
    """The fields of the date ranges an operation takes: query parameters, body properties, and
    the properties of a body's object property (`dateRange.startDate`)."""
    names = {p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "query"}
    content = (operation.definition.raw.get("requestBody") or {}).get("content", {})
    body = (content.get("application/json") or {}).get("schema") or {}
    properties = _resolve(body).get("properties") or {}
    names |= set(properties)
    for name, schema in properties.items():
        for option in [_resolve(schema), *(_resolve(o) for o in _resolve(schema).get("anyOf", []))]:
            names |= {f"{name}.{inner}" for inner in option.get("properties") or {}}
    fields = set()
    for start, end in DATE_RANGES:
        for prefix in {name.rsplit(".", 1)[0] + "." if "." in name else "" for name in names}:
            if f"{prefix}{start}" in names and f"{prefix}{end}" in names:
                fields |= {f"{prefix}{start}", f"{prefix}{end}"}
    return fields


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _unstatable(operation: Any) -> set[str]:
    return UNSTATABLE_RULES.get(operation.label, set()) | _range_fields(operation)


def _accepted_unless_unstatable(ctx: Any, response: Any, case: Any) -> bool | None:
    """positive_data_acceptance, but for a 400 naming only fields of a rule JSON Schema cannot
    state (a date range, UNSTATABLE_RULES)."""
    fields = _unstatable(case.operation)
    if fields and response.status_code == 400:
        try:
            named = set((json.loads(response.content) or {}).get("details") or {})
        except ValueError:
            named = set()
        if named and named <= fields:
            return None
    return positive_data_acceptance(ctx, response, case)


CHECKS_JUDGED = [
    _accepted_unless_unstatable if check is positive_data_acceptance else check for check in CHECKS_ALL
]


def _checks_for(case: Any) -> list[Any]:
    return CHECKS_JUDGED if _unstatable(case.operation) else CHECKS_ALL


_coverage_sent: dict[str, set[str]] = {}


def _skip_as_sent_before(case: Any) -> bool:
    """A coverage case whose boundary this operation already sent, or one over the bound."""
    data = case.meta.phase.data if case.meta is not None else None
    if not isinstance(data, CoveragePhaseData):
        return False
    sent = _coverage_sent.setdefault(case.operation.label, set())
    key = f"{data.parameter_location}:{data.parameter}:{data.description}"
    if key in sent or len(sent) >= COVERAGE_CASES_PER_OPERATION:
        return True
    sent.add(key)
    return False


def test_collected_spec_is_the_served_one(stack: LocalStack) -> None:
    served = requests.get(f"{stack.base_url}/openapi.json", timeout=30)
    assert served.status_code == 200
    assert served.json() == SPEC


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # pytest 9 gives every operation's item the same node id (the function's name), and xdist then
    # runs one of them; a parameter makes schemathesis name each item after its operation.
    if "phases" in metafunc.fixturenames:
        operation = ApiOperationMark.get(metafunc.function)
        gap = KNOWN_GAPS.get(operation.label) if operation is not None else None
        marks = [pytest.mark.xfail(reason=gap, strict=False)] if gap else []
        metafunc.parametrize("phases", [pytest.param("all-phases", marks=marks)])


@schema.parametrize()
@HYPOTHESIS
def test_operation_conforms_to_its_schema(
    case: Any, phases: str, stack: LocalStack, fuzz_tenant: Tenant
) -> None:
    if _skip_as_sent_before(case):
        return
    _without_minted(case)
    headers = {"Authorization": f"Bearer {fuzz_tenant.api_key}"}
    response = case.call(base_url=stack.base_url, headers=headers, timeout=30)
    case.validate_response(
        response, checks=_checks_for(case), headers=headers, transport_kwargs={"base_url": stack.base_url}
    )


def test_resource_lifecycles_follow_the_links(stack: LocalStack, fuzz_tenant: Tenant) -> None:
    """The stateful phase: sequences of calls chained by the document's links (a create's id into
    the get, update and delete of what it made), every check on every answer."""
    base_url = stack.base_url
    walked = schema
    for label in KNOWN_GAPS:
        method, path = label.split(" ", 1)
        walked = walked.exclude(method=method, path=path)

    class Lifecycles(walked.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            _in_tenant_project(case, fuzz_tenant.project_id)
            _without_minted(case)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {fuzz_tenant.api_key}"}
            return {"base_url": base_url, "headers": headers, "timeout": 30}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                checks=_checks_for(case),
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs,
                recorder=getattr(self, "recorder", None),
            )

    try:
        run_state_machine_as_test(
            Lifecycles,
            settings=settings(HYPOTHESIS, max_examples=STATEFUL_RUNS, stateful_step_count=STATEFUL_STEPS),
        )
    finally:
        wait_for_workflows()  # exports it started finish before the stack is shared on
