"""The template against itself, the code and the docs: lint, SAM translation, routes ↔ handlers ↔
OpenAPI, sample events, state machine substitutions, layer requirements, usage plans per plan.
No AWS and no local stack needed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tallyboard.plans import PLANS
from tallyboard_local import samples
from tallyboard_local import template as tpl
from tallyboard_local.functions import load_module

ROOT = tpl.ROOT
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return tpl.load()


def _api_routes_by_function() -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for route in tpl.routes():
        found.setdefault(route.function, set()).add((route.method, route.path))
    return found


# ------------------------------------------------------------------ lint and translation


def test_cfn_lint_is_clean() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "cfn-lint"), "template.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


class _NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs only when a policy is named by string."""

    def load(self) -> dict[str, str]:
        return {}


_LOCAL_URIS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


def _as_packaged(document: dict[str, Any]) -> None:
    """What `sam package` does before the transform: local code paths become S3 URIs."""
    for name, resource in document["Resources"].items():
        prop = _LOCAL_URIS.get(resource["Type"])
        local = resource.get("Properties", {}).get(prop) if prop else None
        if isinstance(local, str) and not local.startswith("s3://"):
            assert (ROOT / local).exists(), f"{name}: {prop} {local} does not exist"
            resource["Properties"][prop] = f"s3://artifacts/{local}"


def _translated(monkeypatch: pytest.MonkeyPatch, document: dict[str, Any] | None = None) -> dict[str, Any]:
    """template.yaml (or `document`) as CloudFormation, after `sam package` and the SAM transform."""
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    document = document or yaml_parse((ROOT / "template.yaml").read_text())
    _as_packaged(document)
    return transform(document, {}, _NoManagedPolicies())  # type: ignore[arg-type]


def test_sam_translation_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    translated = _translated(monkeypatch)

    resources = translated["Resources"]
    types = {r["Type"] for r in resources.values()}
    assert "AWS::Serverless::Function" not in types  # everything became CloudFormation
    functions = {n for n, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}
    assert functions == set(tpl.functions())
    (api,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    body = api["Properties"]["Body"]
    authorizer = body["securityDefinitions"]["KeyAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "token"
    translated_routes = {
        (tpl.ANY if method == "x-amazon-apigateway-any-method" else method.upper(), path)
        for path, operations in body["paths"].items()
        for method in operations
    }
    assert translated_routes == {(r.method, r.path) for r in tpl.routes()}


def test_deployable_template_answers_every_paths_undeclared_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    """What `make build` deploys: every path of the route table also has API Gateway's catch-all
    ANY method, integrated with the 405 function and guarded like every method (key authorizer,
    usage-plan key); the declared methods are unchanged; one grant covers them all."""
    from samtranslator.translator.transform import transform

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    document = tpl.deployable()
    _as_packaged(document)

    translated = transform(document, {}, _NoManagedPolicies())  # type: ignore[arg-type]

    resources = translated["Resources"]
    (api,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    paths = api["Properties"]["Body"]["paths"]
    assert set(paths) == {r.path for r in tpl.routes()}
    for path, operations in paths.items():
        if path in tpl.page_paths():
            continue  # the console's pages: its own ANY method, integrated with it (below)
        catch_all = operations["x-amazon-apigateway-any-method"]
        uri = catch_all["x-amazon-apigateway-integration"]["uri"]
        assert f"${{{tpl.METHOD_NOT_ALLOWED_FUNCTION}.Arn}}" in uri["Fn::Sub"], path
        assert catch_all["security"] == [{"KeyAuthorizer": []}, {"api_key": []}], path
        declared = {m.upper() for m in operations if m != "x-amazon-apigateway-any-method"}
        assert declared == {r.method for r in tpl.routes() if r.path == path}, path
    grants = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Permission"
        and r["Properties"]["FunctionName"] == {"Ref": tpl.METHOD_NOT_ALLOWED_FUNCTION}
    ]
    assert len(grants) == 1 and grants[0]["SourceArn"]["Fn::Sub"].endswith(":${TallyboardApi}/*")


# CloudFormation refuses a stack of more than 500 resources; past this budget, split the template by
# domain into nested stacks rather than creep up on the hard limit.
RESOURCE_BUDGET = 400


def test_translated_template_stays_within_the_resource_budget(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `make build` deploys (tpl.deployable), translated as CloudFormation receives it."""
    resources = _translated(monkeypatch, tpl.deployable())["Resources"]
    functions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Function"]

    with capsys.disabled():
        print(f"\ntranslated template: {len(resources)} resources, {len(functions)} functions")
    # each API function costs three (function, role, invoke permission): the budget's real driver
    assert len(resources) < RESOURCE_BUDGET, f"{len(resources)} resources (CloudFormation's limit is 500)"


# ------------------------------------------------------------------ routes, handlers, OpenAPI


def _handler_modules() -> Iterator[tuple[str, Path, Any]]:
    for logical_id, properties in tpl.functions().items():
        handler_file, _ = tpl.handler_location(properties)
        yield logical_id, handler_file, load_module(handler_file)


@pytest.fixture(scope="module")
def handler_modules() -> list[tuple[str, Path, Any]]:
    return list(_handler_modules())


def test_every_function_has_its_handler(handler_modules: list[tuple[str, Path, Any]]) -> None:
    for logical_id, properties in tpl.functions().items():
        handler_file, handler_name = tpl.handler_location(properties)
        module = next(m for name, _, m in handler_modules if name == logical_id)
        assert callable(getattr(module, handler_name, None)), f"{logical_id}: {handler_file}:{handler_name}"


def test_functions_are_grouped_by_domain() -> None:
    """functions/<domain>/<endpoint>/app.py, the domains those of logic/ and data/, so every piece
    of one resource sits side by side (events/<domain>/<endpoint>.json likewise)."""
    shared = ROOT / "layers/shared/tallyboard"
    # a domain is a module (logic/tasks.py) or, when too big for one, a package (logic/dashboards/)
    domains = {p.stem for p in [*(shared / "logic").glob("*.py"), *(shared / "data").glob("*.py")]}
    domains |= {
        p.parent.name
        for p in [*(shared / "logic").glob("*/__init__.py"), *(shared / "data").glob("*/__init__.py")]
    }
    handlers = sorted((ROOT / "functions").rglob("app.py"))
    assert handlers
    for handler in handlers:
        domain, endpoint = handler.relative_to(ROOT / "functions").parts[:2]
        assert len(handler.relative_to(ROOT / "functions").parts) == 3, handler
        assert domain in domains, f"{handler}: no logic/{domain}[.py] or data/{domain}[.py]"
        assert (samples.EVENTS_DIR / domain / f"{endpoint}.json").is_file(), handler


def _resolver_routes(module: Any) -> set[tuple[str, str]]:
    schema = module.app.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, item in schema.paths.items()
        for method in item.model_dump(exclude_none=True)
        if method in {"get", "post", "put", "patch", "delete", "head", "options"}
    }


def test_every_route_has_a_handler_declaring_exactly_it(handler_modules: list[tuple[str, Path, Any]]) -> None:
    expected = _api_routes_by_function()
    pages = {r.function for r in tpl.routes() if r.path in tpl.page_paths()}
    for logical_id, handler_file, module in handler_modules:
        if logical_id in pages:
            assert getattr(module, "app", None) is None and callable(module.lambda_handler), logical_id
            continue
        app = getattr(module, "app", None)
        if logical_id not in expected:
            assert app is None, f"{logical_id} has a resolver but no Api event in the template"
            continue
        assert app is not None, f"{logical_id}: {handler_file} has no `app` resolver"
        assert _resolver_routes(module) == expected[logical_id], logical_id


def test_openapi_and_template_routes_match() -> None:
    from tallyboard.logic import docs

    schema = docs.openapi_schema(ROOT / "functions")
    documented = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    in_template = {(r.method, r.path) for r in tpl.routes() if r.path not in tpl.page_paths()}

    assert documented - in_template == set(), "documented but not deployed"
    assert in_template - documented == set(), "deployed but not documented"


def test_only_the_docs_and_console_routes_are_public() -> None:
    from tallyboard.logic import docs

    public = {r.path for r in tpl.routes() if not r.authorized}
    assert public == set(docs.PUBLIC_PATHS) | {"/console", "/console/{proxy+}"}
    assert tpl.page_paths() == {"/console", "/console/{proxy+}"}


def test_route_paths_are_unique_per_method() -> None:
    pairs = [(r.method, r.path) for r in tpl.routes()]
    assert len(pairs) == len(set(pairs))


# ------------------------------------------------------------------ events, policies


def test_every_function_has_a_sample_event() -> None:
    missing = [
        logical_id
        for name, logical_id in samples.function_by_event_name().items()
        if not (samples.EVENTS_DIR / f"{name}.json").is_file()
    ]
    assert missing == []


def test_sample_events_use_the_sample_ids() -> None:
    for path in samples.event_files():
        event = json.loads(path.read_text())
        context = (event.get("requestContext") or {}).get("authorizer")
        if context:
            assert context["workspaceId"] == "ws_sample", path.name
            assert context["keyId"] == "key_sample", path.name


def _statements(properties: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in properties.get("Policies") or []:
        if isinstance(policy, dict):
            found.extend(policy.get("Statement") or [])
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_authenticated_functions_may_count_requests() -> None:
    needs = {r.function for r in tpl.routes() if r.authorized}
    for logical_id in sorted(needs):
        statements = _statements(tpl.functions()[logical_id])
        allowed = any(
            "dynamodb:UpdateItem" in _as_list(s["Action"])
            and {"Fn::GetAtt": ["RateLimitTable", "Arn"]} in _as_list(s["Resource"])
            for s in statements
        )
        assert allowed, f"{logical_id} lacks dynamodb:UpdateItem on RateLimitTable"


def test_function_policies_are_least_privilege() -> None:
    for logical_id, properties in tpl.functions().items():
        for policy in properties.get("Policies") or []:
            assert isinstance(policy, dict), f"{logical_id}: managed policy {policy!r}; list the actions"
        for statement in _statements(properties):
            for action in _as_list(statement["Action"]):
                assert "*" not in action, f"{logical_id}: wildcard action {action}"
            for resource in _as_list(statement["Resource"]):
                assert resource != "*", f"{logical_id}: wildcard resource"


# ------------------------------------------------------------------ state machines


def test_state_machine_substitutions_match_their_definitions() -> None:
    for name, properties in tpl.resources_of_type("AWS::Serverless::StateMachine").items():
        definition = (ROOT / properties["DefinitionUri"]).read_text()
        json.loads(definition)
        used = set(re.findall(r"\$\{([^}]+)\}", definition))
        declared = set(properties.get("DefinitionSubstitutions") or {})
        assert used - declared == set(), f"{name}: used in the ASL but not substituted"
        assert declared - used == set(), f"{name}: substituted but unused in the ASL"


# ------------------------------------------------------------------ layer requirements


def _requirement_lines(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-")
            found[name] = line.replace(" ", "")
    return found


def test_layer_requirements_match_the_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _requirement_lines(project["dependencies"])
    declared.pop("boto3", None)  # the Lambda runtime provides it
    layer = _requirement_lines((ROOT / "layers/shared/requirements.txt").read_text().splitlines())

    assert layer == declared


# ------------------------------------------------------------------ usage plans


def test_every_api_plan_has_a_usage_plan_and_gateway_key(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    keys_by_plan: dict[str, str] = {}
    for name, resource in resources.items():
        if resource["Type"] != "AWS::ApiGateway::ApiKey":
            continue
        value = resource["Properties"]["Value"]
        match = re.fullmatch(r"\$\{AWS::StackName\}-usage-plan-key-(\w+)", value.get("Fn::Sub", ""))
        assert match, f"{name}: Value {value}"
        keys_by_plan[match.group(1)] = name

    assert set(keys_by_plan) == {name for name, plan in PLANS.items() if plan.api_access}

    plan_keys = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::UsagePlanKey"]
    for plan, key in keys_by_plan.items():
        (link,) = [p for p in plan_keys if p["KeyId"] == {"Ref": key}]
        usage_plan = resources[link["UsagePlanId"]["Ref"]]
        assert usage_plan["Type"] == "AWS::ApiGateway::UsagePlan", plan
        (stage,) = usage_plan["Properties"]["ApiStages"]
        assert stage["ApiId"] == {"Ref": "TallyboardApi"}, plan
        assert usage_plan["Properties"]["Throttle"]["RateLimit"] > 0, plan


def test_gateway_key_prefix_matches_the_key_values(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]

    assert variables["GATEWAY_KEY_PREFIX"] == {"Fn::Sub": "${AWS::StackName}-usage-plan-key"}
    api = template["Resources"]["TallyboardApi"]["Properties"]
    assert api["ApiKeySourceType"] == "AUTHORIZER" and api["Auth"]["ApiKeyRequired"] is True


def test_every_asynchronously_invoked_function_has_a_dead_letter_queue() -> None:
    """.checkov.yaml skips CKV_AWS_116 for every function on this ground: each is invoked
    synchronously (an API route, the authorizer, a state machine's task, the deployed template's
    405 catch-all) or by a stream mapping; any other function is an asynchronous target and must
    have its DLQ."""
    resources = tpl.deployable()["Resources"]
    functions = {n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    referenced_by = {
        kind: json.dumps([r for r in resources.values() if r["Type"] == kind])
        for kind in ("AWS::Serverless::Api", "AWS::Serverless::StateMachine", "AWS::Lambda::Permission")
    }
    synchronous = set()
    for name in functions:
        events = (resources[name]["Properties"].get("Events") or {}).values()
        if any(event["Type"] in {"Api", "DynamoDB"} for event in events) or any(
            f'"{name}"' in text for text in referenced_by.values()
        ):
            synchronous.add(name)
    asynchronous = functions - synchronous
    assert asynchronous == {"RunScheduledExportFunction"}, asynchronous  # a new one: check its DLQ too
    for name in asynchronous:
        assert resources[name]["Properties"].get("DeadLetterQueue", {}).get("Type") == "SQS", name
