"""The command line's schemathesis run, in process: `schemathesis run <base>/openapi.json --checks
all --phases examples,coverage,fuzzing,stateful` with an enterprise key, on schemathesis' own engine
(not its pytest plugin), so it sees what the command sees: the examples, every boundary value valid
and invalid (coverage), generated valid and invalid cases (fuzzing), and sequences chained by the
document's links and the ones it infers (stateful), each reusing ids and values earlier answers
returned; every check on every answer. It fails where the command does, but for the answers of
UNSTATABLE, the only ones accepted. Bounded by examples (every phase runs) and derandomized (a
fixed seed). Undeclared methods (405 with Allow) have their own generic suite,
tests/e2e/test_method_not_allowed.py."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.generation.meta import CoveragePhaseData

from tallyboard_local.stack import LocalStack, wait_for_workflows
from tests.conftest import Tenant
from tests.e2e.generic_spec import served_spec_for_collection

SEED = 20261125
# Fuzzing: generated cases per operation (valid and invalid); stateful: scenarios per run.
EXAMPLES_PER_OPERATION = 5
# Coverage sends every boundary value the schema defines. Schemathesis repeats each boundary in
# every branch of a oneOf/anyOf (POST /exports: 243 cases for ~40 distinct ones) and has no bound
# of its own, so a case whose description was already sent is skipped, and an operation sends at
# most this many (a request costs ~40 ms here; the suite must stay within CI's budget).
COVERAGE_CASES_PER_OPERATION = 40
# The only answers accepted where a check fails: rules JSON Schema cannot state (it compares no two
# values and sees no stored state), each said in its operation's description (logic/docs.py for
# cursors and ranges, the route's own text for the rest) and refused by a 400 with this message,
# naming only these fields, for a request that sent them. Every other refusal of a request valid by
# the document fails positive_data_acceptance, exactly as `schemathesis run --checks all` does.
DATE_RANGES = (("startDate", "endDate"), ("start_date", "end_date"), ("from", "to"))


@dataclass(frozen=True)
class Unstatable:
    rule: str
    message: re.Pattern[str]
    fields: frozenset[str]  # what the 400's details may name; a "{end}" is a range's end field
    sent: Callable[[dict[str, Any]], bool] = lambda sent: True  # the request holds what the rule is about


UNSTATABLE = (
    Unstatable(
        "a cursor the API did not mint",
        re.compile(r"^Invalid parameter: cursor is not a nextCursor of this list$"),
        frozenset({"cursor"}),
        lambda sent: "cursor" in sent,
    ),
    Unstatable(
        "offset with cursor",
        re.compile(r"^Invalid parameter: send either offset or cursor, not both$"),
        frozenset({"cursor"}),
        lambda sent: "cursor" in sent and sent.get("offset") not in (None, 0, "0"),
    ),
    Unstatable(
        "a range ending before it starts",
        re.compile(r"^Invalid parameter: (?P<end>[\w.]+):? must not be before (?P<start>[\w.]+)$"),
        frozenset({"{end}"}),
    ),
    Unstatable(
        "a tile_order that is not a permutation of the dashboard's tiles",
        re.compile(r"^Invalid parameter: tile_order is not a permutation of the dashboard's tiles: "),
        frozenset({"tile_order", "missing", "unknown", "duplicated"}),
    ),
    Unstatable(
        "a range over 1,000 buckets",
        re.compile(r"^Invalid parameter: the range holds more than 1000 \w+ buckets; "),
        frozenset({"interval"}),
    ),
    Unstatable(
        "a display name two team members share",
        re.compile(r"^Invalid parameter: assigned_to: more than one member is named "),
        frozenset({"assigned_to"}),
        lambda sent: "assigned_to" in sent,
    ),
    Unstatable(
        "projectId omitted by a key not bound to exactly one project",
        re.compile(r"^Invalid parameter: projectId is required \(a key bound to one project needs none\)$"),
        frozenset({"projectId"}),
        lambda sent: "projectId" not in sent,
    ),
    Unstatable(
        "a holiday request over 366 days",
        re.compile(r"^Invalid parameter: end_date: a request covers at most 366 days$"),
        frozenset({"end_date"}),
    ),
)
# Gaps between the document and the code found by this suite in work still in flight elsewhere:
# each is expected to fail (not strictly) until its owner states the rule; remove it then.
KNOWN_GAPS: dict[str, str] = {}  # "METHOD /path": "why"

SPEC = served_spec_for_collection()


def _range_fields(operation: Any) -> set[str]:
    """The fields of the date ranges an operation takes: query parameters, body properties, and
    the properties of a body's object property (`dateRange.startDate`)."""
    names = {p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "query"}
    content = (operation.definition.raw.get("requestBody") or {}).get("content", {})
    body = _resolve((content.get("application/json") or {}).get("schema") or {})
    # a body of whole variants (oneOf/anyOf of components): the fields of any of them
    properties = dict(body.get("properties") or {})
    for variant in body.get("oneOf", []) + body.get("anyOf", []):
        properties |= _resolve(variant).get("properties") or {}
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


def _sent(case: Any) -> dict[str, Any]:
    """The query parameters and body fields a case sends, an object's own as `outer.inner`."""
    sent = dict(case.query) if isinstance(case.query, dict) else {}
    if isinstance(case.body, dict):
        for name, value in case.body.items():
            sent[name] = value
            if isinstance(value, dict):
                sent |= {f"{name}.{inner}": inner_value for inner, inner_value in value.items()}
    return sent


_TEXT_ERROR = re.compile(r"^\d{3} [^:]+: (?P<message>[^\n]*)(?:\n  details:\n(?P<details>(?:    .*\n?)*))?")


def _text_error(text: str) -> dict[str, Any]:
    """An error answered as text (format=txt, tallyboard/text_format.py `render`): its message
    and the names of its details."""
    found = _TEXT_ERROR.match(text)
    if found is None:
        return {}
    lines = (found["details"] or "").splitlines()
    details = {line.strip().split(":", 1)[0]: "" for line in lines if line.startswith("    ") and ":" in line}
    return {"message": found["message"], "details": details}


def unstatable_rule(case: Any, response: Any) -> str | None:
    """The rule of UNSTATABLE a 400 answers for this case, if it is one exactly."""
    if response.status_code != 400:
        return None
    try:
        body = json.loads(response.content) or {}
    except ValueError:
        body = _text_error(response.content.decode(errors="replace"))
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return None
    named, sent, ranges = set(body.get("details") or {}), _sent(case), _range_fields(case.operation)
    for rule in UNSTATABLE:
        found = rule.message.match(body["message"])
        if found is None or not named or not rule.sent(sent):
            continue
        allowed = set(rule.fields)
        if "{end}" in allowed:
            end = found["end"]
            prefix = end.rsplit(".", 1)[0] + "." if "." in end else ""
            start = prefix + found["start"].rsplit(".", 1)[-1]  # `dateRange.startDate` or `startDate`
            if not ({end, start} <= ranges and end in sent and start in sent):
                continue
            allowed = {end}
        if named <= allowed:
            return rule.rule
    return None


def _soft_delete(label: str) -> bool:
    """A DELETE the document marks as the contract's soft delete (`x-soft-delete`: the resource
    stays readable by id), which use_after_free cannot know."""
    method, _, path = label.partition(" ")
    return (SPEC["paths"].get(path, {}).get(method.lower()) or {}).get("x-soft-delete") is True


def judged(check: Any, case: Any, response: Any) -> str | None:
    """Why a failed check is an accepted answer (an UNSTATABLE rule, a soft delete), or None."""
    if check.name == "positive_data_acceptance" and response is not None:
        return unstatable_rule(case, response)
    failure = check.failure_info.failure if check.failure_info is not None else None
    if check.name == "use_after_free" and failure is not None and _soft_delete(failure.operation):
        return "a soft delete (API.md: an archived project stays readable by id)"
    if check.name == "ensure_resource_availability" and response is not None:
        return _missing_body_reference(case, response)
    return None


def _missing_body_reference(case: Any, response: Any) -> str | None:
    """A 404 naming only ids the body sent (`client_id` of a lead): the resource just made is
    there, another one the body names is not (docs/api.md: an id a body names that the workspace
    does not hold is a 404 naming the field), which the check cannot tell from a lost resource."""
    if response.status_code != 404 or not isinstance(case.body, dict):
        return None
    try:
        body = json.loads(response.content) or {}
    except ValueError:
        body = _text_error(response.content.decode(errors="replace"))
    named = set((body.get("details") or {}) if isinstance(body, dict) else ())
    if named and named <= {name for name, value in case.body.items() if isinstance(value, (str, list))}:
        return "an id the body names that the workspace does not hold (404 naming the field)"
    return None


def test_collected_spec_is_the_served_one(stack: LocalStack) -> None:
    served = requests.get(f"{stack.base_url}/openapi.json", timeout=30)
    assert served.status_code == 200
    assert served.json() == SPEC


def test_the_command_line_run_fails_only_on_unstatable_rules(
    stack: LocalStack, make_tenant: Callable[..., Tenant]
) -> None:
    # enterprise (every route's plan) with a limit far above what the run sends: no answer is a 429
    tenant = make_tenant("enterprise", rate_limit_per_hour=10_000_000)
    config = SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": stack.base_url,
            "headers": {"Authorization": f"Bearer {tenant.api_key}"},
            "generation": {"max-examples": EXAMPLES_PER_OPERATION},
            "phases": {name: {"enabled": True} for name in ("examples", "coverage", "fuzzing", "stateful")},
        }
    )
    run = schemathesis.openapi.from_dict(copy.deepcopy(SPEC), config=config)
    coverage_sent: dict[str, set[str]] = {}

    @run.hook("filter_case")
    def _within_budget(context: Any, case: Any) -> bool:
        """Drops a coverage case whose boundary this operation already sent, or one over the bound
        (never a failure: what is sent is judged whole)."""
        data = case.meta.phase.data if case.meta is not None else None
        if not isinstance(data, CoveragePhaseData):
            return True
        sent = coverage_sent.setdefault(case.operation.label, set())
        key = f"{data.parameter_location}:{data.parameter}:{data.description}"
        if key in sent or len(sent) >= COVERAGE_CASES_PER_OPERATION:
            return False
        sent.add(key)
        return True

    found: list[str] = []
    gaps: list[str] = []
    accepted: dict[str, int] = {}
    try:
        for event in from_schema(run).execute():
            if isinstance(event, (events.NonFatalError, events.FatalError)):
                found.append(f"error: {event.info.title}: {event.value}")
            if not isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
                continue
            recorder = event.recorder
            for case_id, checks in recorder.checks.items():
                case = recorder.cases[case_id].value
                interaction = recorder.interactions.get(case_id)
                response = interaction.response if interaction is not None else None
                for check in (c for c in checks if c.status == Status.FAILURE):
                    why = judged(check, case, response)
                    if why is not None:
                        accepted[why] = accepted.get(why, 0) + 1
                        continue
                    answer = response.content[:300].decode(errors="replace") if response is not None else ""
                    line = f"{check.name}: {case.operation.label} query={case.query} body={case.body!r:.300}"
                    (gaps if case.operation.label in KNOWN_GAPS else found).append(f"{line} → {answer}")
    finally:
        wait_for_workflows()  # exports it started finish before the stack is shared on
    print("accepted:", accepted, "known gaps:", *dict.fromkeys(gaps), sep="\n")
    assert not found, "\n".join(dict.fromkeys(found))
