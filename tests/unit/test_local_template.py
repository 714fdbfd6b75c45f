"""tallyboard_local.template: routes, gateway responses and the intrinsic functions read from
template.yaml, on the real template and on small ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tallyboard_local import template as tpl

SMALL = """
Globals:
  Function:
    Handler: app.lambda_handler
Parameters:
  Ttl: {Type: Number, Default: 30}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Sub "${AWS::StackName}-t"}
  ThingsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/things
      Events:
        List: {Type: Api, Properties: {Path: /things, Method: get}}
        One: {Type: Api, Properties: {Path: "/things/{thingId}/parts/{partId}", Method: PATCH}}
        Nightly: {Type: Schedule, Properties: {Schedule: rate(1 day)}}
  DocsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions
      Handler: docs/app.handler
      Events:
        Api: {Type: Api, Properties: {Path: /docs, Method: get, Auth: {Authorizer: NONE}}}
  TallyboardApi:
    Type: AWS::Serverless::Api
    Properties:
      Auth:
        Authorizers:
          Key: {FunctionArn: !GetAtt AuthFunction.Arn}
"""


@pytest.fixture(scope="module")
def small() -> dict:
    return yaml.load(SMALL, Loader=tpl._CfnLoader)  # noqa: S506 - SafeLoader subclass


def test_short_form_tags_become_long_form(small: dict) -> None:
    assert small["Resources"]["Table"]["Properties"]["TableName"] == {"Fn::Sub": "${AWS::StackName}-t"}
    assert small["Resources"]["TallyboardApi"]["Properties"]["Auth"]["Authorizers"]["Key"]["FunctionArn"] == {
        "Fn::GetAtt": ["AuthFunction", "Arn"]
    }


def test_routes_of_a_small_template(small: dict) -> None:
    routes = {(r.method, r.path): r for r in tpl.routes(small)}

    assert set(routes) == {
        ("GET", "/things"),
        ("PATCH", "/things/{thingId}/parts/{partId}"),
        ("GET", "/docs"),
    }
    one = routes[("PATCH", "/things/{thingId}/parts/{partId}")]
    assert one.function == "ThingsFunction" and one.authorized
    assert one.handler_file == tpl.ROOT / "functions/things/app.py" and one.handler_name == "lambda_handler"
    assert one.pattern.match("/things/t_1/parts/p-2").groupdict() == {"thingId": "t_1", "partId": "p-2"}
    assert not one.pattern.match("/things/t_1/parts/p-2/extra")
    assert not one.pattern.match("/things//parts/p")
    docs = routes[("GET", "/docs")]
    assert not docs.authorized
    assert docs.handler_file == tpl.ROOT / "functions/docs/app.py" and docs.handler_name == "handler"


def test_deployable_gives_every_path_a_catch_all_method(small: dict) -> None:
    small["Resources"][tpl.METHOD_NOT_ALLOWED_FUNCTION] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {"CodeUri": "functions", "Handler": "docs/method_not_allowed/app.lambda_handler"},
    }

    deployed = tpl.deployable(small)

    catch_all = {(r.path, r.function, r.authorized) for r in tpl.routes(deployed) if r.method == tpl.ANY}
    assert catch_all == {
        ("/things", tpl.METHOD_NOT_ALLOWED_FUNCTION, True),
        ("/things/{thingId}/parts/{partId}", tpl.METHOD_NOT_ALLOWED_FUNCTION, True),
        ("/docs", tpl.METHOD_NOT_ALLOWED_FUNCTION, True),
    }
    (route,) = [r for r in tpl.routes(deployed) if r.method == tpl.ANY and r.path == "/docs"]
    assert route.handler_file == tpl.ROOT / "functions/docs/method_not_allowed/app.py"
    api = deployed["Resources"]["TallyboardApi"]["Properties"]
    assert api["MergeDefinitions"] is True
    assert tpl.deployable(deployed) == deployed  # applying it to a built template changes nothing
    assert "DefinitionBody" not in small["Resources"]["TallyboardApi"]["Properties"]  # not mutated
    assert {(r.method, r.path) for r in tpl.routes(deployed) if r.method != tpl.ANY} == {
        (r.method, r.path) for r in tpl.routes(small)
    }


def test_route_pattern_escapes_literal_characters() -> None:
    route = tpl.Route("GET", "/openapi.json", "F", Path("x"), "h", False)

    assert route.pattern.match("/openapi.json")
    assert not route.pattern.match("/openapiXjson")


def test_authorizer_function_of_a_small_template(small: dict) -> None:
    assert tpl.authorizer_function(small) == "AuthFunction"


def test_real_template_routes_and_authorizer() -> None:
    routes = {(r.method, r.path): r for r in tpl.routes()}

    assert routes[("POST", "/api-keys")].function == "CreateApiKeyFunction"
    assert routes[("DELETE", "/api-keys/{keyId}")].authorized
    assert not routes[("GET", "/openapi.json")].authorized and not routes[("GET", "/docs")].authorized
    assert routes[("GET", "/openapi.json")].handler_file == tpl.ROOT / "functions/docs/get_openapi/app.py"
    assert all(r.handler_file.is_file() for r in routes.values())
    assert tpl.authorizer_function() == "AuthorizerFunction"


def test_gateway_responses_are_the_documented_bodies() -> None:
    responses = tpl.gateway_responses()

    assert responses["UNAUTHORIZED"][0] == 401
    assert json.loads(responses["UNAUTHORIZED"][1]) == {
        "error": "Unauthorized",
        "message": "Invalid or missing API key",
    }
    status, body, _ = responses["INVALID_API_KEY"]
    assert status == 403
    assert json.loads(body)["message"].startswith("API access requires Scale or Agency plan")
    assert responses["REQUEST_TOO_LARGE"][0] == 413
    for kind in ("UNAUTHORIZED", "ACCESS_DENIED", "INVALID_API_KEY", "THROTTLED", "REQUEST_TOO_LARGE"):
        assert set(json.loads(responses[kind][1])) == {"error", "message"}, kind
    status, body, headers = responses["AUTHORIZER_FAILURE"]  # the key store throttled or failed
    assert status == 503 and headers == {"Retry-After": "1"}
    assert json.loads(body)["error"] == "Service Unavailable"


def test_resolver_sub_ref_and_get_att() -> None:
    names = {"KeysTable": "keys-table", "ExportBucket": "the-bucket"}
    resolver = tpl.Resolver(names, "stack", "eu-west-1", "111")

    assert resolver.resolve({"Fn::Sub": "${AWS::StackName}-usage-plan-key"}) == "stack-usage-plan-key"
    assert resolver.resolve({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}) == (
        "arn:aws:iam::111:root"
    )
    assert resolver.resolve({"Fn::Sub": ["${Name}-${AWS::Region}", {"Name": {"Ref": "KeysTable"}}]}) == (
        "keys-table-eu-west-1"
    )
    table_arn = "arn:aws:dynamodb:eu-west-1:111:table/keys-table"
    assert (
        resolver.resolve({"Fn::Sub": "${KeysTable.Arn}/index/byWorkspace"})
        == f"{table_arn}/index/byWorkspace"
    )
    assert resolver.resolve({"Fn::GetAtt": ["KeysTable", "Arn"]}) == table_arn
    assert resolver.resolve({"Fn::GetAtt": ["ExportBucket", "Arn"]}) == "arn:aws:s3:::the-bucket"
    assert resolver.resolve({"Fn::GetAtt": ["AuthorizerFunction", "Arn"]}) == (
        "arn:aws:lambda:eu-west-1:111:function:AuthorizerFunction"
    )
    assert resolver.resolve({"Ref": "AuthorizerCacheTtl"}) == "30"  # the parameter's default
    assert resolver.resolve([{"Ref": "KeysTable"}, "plain", {"A": {"Ref": "ExportBucket"}}]) == [
        "keys-table",
        "plain",
        {"A": "the-bucket"},
    ]


def test_a_greedy_path_parameter_takes_the_rest_of_the_path() -> None:
    """API Gateway's {proxy+} matches one or more segments, slashes included; {id} stays one."""
    greedy = tpl.Route("ANY", "/console/{proxy+}", "ConsoleFunction", Path("app.py"), "h", False)
    single = tpl.Route("GET", "/dashboards/{dashboardId}", "F", Path("app.py"), "h", True)

    assert greedy.pattern.match("/console/dashboards/dash_1").groupdict() == {"proxy": "dashboards/dash_1"}  # type: ignore[union-attr]
    assert greedy.pattern.match("/console") is None and greedy.pattern.match("/console/") is None
    assert single.pattern.match("/dashboards/a/b") is None
