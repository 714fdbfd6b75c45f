"""template.yaml read as data: the route table, the gateway responses, resources, environment;
and the template as deployed (`deployable`), which derives what the route table implies."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"
API_STAGE = "v1"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (!Ref, !Sub, !GetAtt …) as their long form."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@cache
def load(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. /api-keys/{keyId}
    function: str  # logical id
    handler_file: Path
    handler_name: str
    authorized: bool

    @property
    def pattern(self) -> re.Pattern[str]:
        # {name+} is API Gateway's greedy parameter: the rest of the path, slashes included.
        regex = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(self.path))
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(f"^{regex}$")


def functions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    template = template or load()
    return {
        name: resource.get("Properties", {})
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def handler_location(properties: dict[str, Any], template: dict[str, Any] | None = None) -> tuple[Path, str]:
    template = template or load()
    handler = properties.get("Handler") or template["Globals"]["Function"]["Handler"]
    module, _, attribute = handler.rpartition(".")
    return ROOT / properties["CodeUri"] / f"{module}.py", attribute


def routes(template: dict[str, Any] | None = None) -> list[Route]:
    template = template or load()
    found = []
    for name, properties in functions(template).items():
        for event in (properties.get("Events") or {}).values():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            auth = props.get("Auth") or {}
            handler_file, handler_name = handler_location(properties, template)
            found.append(
                Route(
                    method=props["Method"].upper(),
                    path=props["Path"],
                    function=name,
                    handler_file=handler_file,
                    handler_name=handler_name,
                    authorized=auth.get("Authorizer") != "NONE",
                )
            )
    return found + _definition_routes(template)


def page_paths(template: dict[str, Any] | None = None) -> set[str]:
    """Paths a function declares with method ANY: the console's pages (an ASGI app behind Mangum
    answers every method itself), not API operations, so outside the OpenAPI document and the
    405 function."""
    return {r.path for r in routes(template) if r.method == ANY and r.function != METHOD_NOT_ALLOWED_FUNCTION}


# Answers a known path's undeclared method with 405 and `Allow`; bound to every path by `deployable`.
METHOD_NOT_ALLOWED_FUNCTION = "MethodNotAllowedFunction"
API = "TallyboardApi"
ANY = "ANY"
_ANY_METHOD = "x-amazon-apigateway-any-method"  # API Gateway's catch-all method in a definition
_INTEGRATION_URI = (
    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${%s.Arn}/invocations"
)


def deployable(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template as deployed: every path of the route table also gets API Gateway's catch-all
    ANY method, integrated with the method-not-allowed function. API Gateway prefers a path's
    explicit methods, so ANY receives only the undeclared ones. Derived here, never written in
    template.yaml, so a route added later is covered with nothing to write; `make build` applies it
    to the built template and the local gateway serves it.

    The methods go into the API's definition (merged with the events' own by `MergeDefinitions`),
    not into Api events: each event would add its own Lambda permission, and one function's
    resource policy holds 20 KB (about 50 paths); the template grants API Gateway once instead.
    The default authorizer and key requirement apply to them as to every method."""
    template = copy.deepcopy(template or load())
    if METHOD_NOT_ALLOWED_FUNCTION not in template["Resources"]:
        return template  # a template without the function (tests' small ones) gets no catch-all
    api = template["Resources"][API]["Properties"]
    paths = sorted({route.path for route in routes(template) if route.method != ANY})
    uri = {"Fn::Sub": _INTEGRATION_URI % METHOD_NOT_ALLOWED_FUNCTION}
    api["DefinitionBody"] = {
        "swagger": "2.0",
        "info": {"title": {"Ref": "AWS::StackName"}, "version": "1.0"},
        "paths": {
            path: {
                _ANY_METHOD: {
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "uri": uri,
                    },
                    "responses": {},
                }
            }
            for path in paths
        },
    }
    api["MergeDefinitions"] = True
    return template


def _definition_routes(template: dict[str, Any]) -> list[Route]:
    """The catch-all methods of the API's definition (what `deployable` adds)."""
    definition = template["Resources"].get(API, {}).get("Properties", {}).get("DefinitionBody") or {}
    found = []
    for path, operations in (definition.get("paths") or {}).items():
        operation = operations.get(_ANY_METHOD)
        if operation is None:
            continue
        uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        function = re.search(r"\$\{(\w+)\.Arn\}", uri).group(1)  # type: ignore[union-attr]
        handler_file, handler_name = handler_location(functions(template)[function], template)
        found.append(Route(ANY, path, function, handler_file, handler_name, authorized=True))
    return found


def gateway_responses(template: dict[str, Any] | None = None) -> dict[str, tuple[int, str, dict[str, str]]]:
    """Gateway response kind → status, JSON body and headers (their values are quoted literals)."""
    template = template or load()
    api = template["Resources"]["TallyboardApi"]["Properties"]
    return {
        kind: (
            int(spec.get("StatusCode", 400)),
            spec["ResponseTemplates"]["application/json"],
            {
                k: v.strip("'")
                for k, v in ((spec.get("ResponseParameters") or {}).get("Headers") or {}).items()
            },
        )
        for kind, spec in api.get("GatewayResponses", {}).items()
    }


def authorizer_function(template: dict[str, Any] | None = None) -> str:
    template = template or load()
    authorizers = template["Resources"]["TallyboardApi"]["Properties"]["Auth"]["Authorizers"]
    (spec,) = authorizers.values()
    return spec["FunctionArn"]["Fn::GetAtt"][0]


def resources_of_type(kind: str, template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    template = template or load()
    return {n: r.get("Properties", {}) for n, r in template["Resources"].items() if r["Type"] == kind}


def parameter_defaults(template: dict[str, Any] | None = None) -> dict[str, Any]:
    template = template or load()
    return {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}


class Resolver:
    """Resolves the intrinsic functions the template uses to their local values."""

    def __init__(
        self,
        names: dict[str, str],
        stack_name: str,
        region: str,
        account: str,
        template: dict[str, Any] | None = None,
    ):
        self.names = names  # logical id → physical id (Ref)
        self.template = template or load()
        self.pseudo = {
            "AWS::StackName": stack_name,
            "AWS::Region": region,
            "AWS::AccountId": account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.parameters = parameter_defaults(self.template)

    def ref(self, name: str) -> str:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return str(self.parameters[name])
        return self.names[name]

    def get_att(self, name: str, attribute: str) -> str:
        account, region = self.pseudo["AWS::AccountId"], self.pseudo["AWS::Region"]
        if attribute == "Arn":
            kind = self.template["Resources"][name]["Type"]
            if kind == "AWS::DynamoDB::Table":
                return f"arn:aws:dynamodb:{region}:{account}:table/{self.names[name]}"
            if kind == "AWS::Serverless::Function":
                return f"arn:aws:lambda:{region}:{account}:function:{name}"
            if kind == "AWS::S3::Bucket":
                return f"arn:aws:s3:::{self.names[name]}"
            if kind == "AWS::SQS::Queue":
                return f"arn:aws:sqs:{region}:{account}:{self.names[name]}"
            if kind == "AWS::IAM::Role":
                return f"arn:aws:iam::{account}:role/{self.names[name]}"
            if kind == "AWS::KMS::Key":
                return f"arn:aws:kms:{region}:{account}:key/{self.names[name]}"
        if attribute == "Name" and self.names[name].startswith("arn:aws:states:"):
            return self.names[name].rsplit(":", 1)[-1]  # a state machine's name
        return self.names[name]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.ref(arg)
            if fn == "Fn::GetAtt":
                return self.get_att(*arg)
            if fn == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

                def substitute(match: re.Match[str]) -> str:
                    token = match.group(1)
                    if token in variables:
                        return str(self.resolve(variables[token]))
                    if "." in token:
                        return self.get_att(*token.split(".", 1))
                    return self.ref(token)

                return re.sub(r"\$\{([^}]+)\}", substitute, text)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value
