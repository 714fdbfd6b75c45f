"""Which AWS calls each function makes, and whether its template policy allows exactly those.

moto enforces no IAM, so a policy missing an action would first fail deployed, with
AccessDenied. Locally every boto3 call a function's handler makes (the function is known from
the in-process invoke) is recorded as the IAM action and resource ARN it needs —
TransactWriteItems per item, Query on an index as the index's ARN, presigned URLs as the action
they grant — and checked against the function's `Policies`: every call allowed, and every
granted action used by some call (nothing granted for nothing)."""

from __future__ import annotations

import contextvars
import fnmatch
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.client
import botocore.signers

from tallyboard_local import template as tpl

current_function: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_function", default=None
)


@dataclass(frozen=True, order=True)
class Call:
    function: str
    action: str
    resource: str


_recorded: set[Call] = set()
_installed = False
# The local stack's logical → physical names, for resolving policies as the calls saw them.
local_names: dict[str, str] = {}


def recorded() -> set[Call]:
    return set(_recorded)


# ----------------------------------------------------------------------------- call → action, ARN


def _arn(service: str, region: str, account: str, rest: str) -> str:
    return f"arn:aws:{service}:{region}:{account}:{rest}"


def _dynamodb(operation: str, params: dict[str, Any], region: str, account: str) -> Iterator[tuple[str, str]]:
    def table(name: str, index: str | None = None) -> str:
        return _arn("dynamodb", region, account, f"table/{name}" + (f"/index/{index}" if index else ""))

    if operation in {"TransactWriteItems", "TransactGetItems"}:
        actions = {
            "Put": "PutItem",
            "Update": "UpdateItem",
            "Delete": "DeleteItem",
            "ConditionCheck": "ConditionCheckItem",
            "Get": "GetItem",
        }
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            yield f"dynamodb:{actions[kind]}", table(body["TableName"])
    elif operation in {"BatchGetItem", "BatchWriteItem"}:
        for name in params["RequestItems"]:
            yield f"dynamodb:{operation}", table(name)
    elif "TableName" in params:
        yield f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName"))
    else:
        yield f"dynamodb:{operation}", "*"


_S3_ACTIONS = {
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "PutObject": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "ListObjectsV2": "s3:ListBucket",
    "ListParts": "s3:ListMultipartUploadParts",
}


def actions_of(
    service: str, operation: str, params: dict[str, Any], region: str, account: str
) -> list[tuple[str, str]]:
    """The IAM (action, resource ARN) pairs one API call needs."""
    if service == "dynamodb":
        return list(_dynamodb(operation, params, region, account))
    if service == "s3":
        bucket = f"arn:aws:s3:::{params['Bucket']}"
        if operation == "DeleteObjects":
            return [("s3:DeleteObject", f"{bucket}/{o['Key']}") for o in params["Delete"]["Objects"]]
        resource = bucket + (f"/{params['Key']}" if "Key" in params else "")
        return [(_S3_ACTIONS.get(operation, f"s3:{operation}"), resource)]
    if service == "stepfunctions":
        return [(f"states:{operation}", params.get("stateMachineArn") or params.get("executionArn") or "*")]
    if service == "scheduler":
        if "Name" not in params:
            return [(f"scheduler:{operation}", "*")]
        group = params.get("GroupName", "default")
        needed = [
            (
                f"scheduler:{operation}",
                _arn("scheduler", region, account, f"schedule/{group}/{params['Name']}"),
            )
        ]
        role = (params.get("Target") or {}).get("RoleArn")
        return needed + ([("iam:PassRole", role)] if role else [])
    if service == "kms":
        key = params.get("KeyId", "*")
        return [
            (
                f"kms:{operation}",
                key if key.startswith("arn:") else _arn("kms", region, account, f"key/{key}"),
            )
        ]
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", params.get("SecretId", "*"))]
    return [(f"{service}:{operation}", "*")]


def _record(client: Any, operation: str, params: dict[str, Any]) -> None:
    function = current_function.get()
    if function is None:
        return  # a test's or the local stack's own call, not a function's
    meta = client.meta
    service = meta.service_model.service_name
    if service == "sfn":
        service = "stepfunctions"
    for action, resource in actions_of(service, operation, params, meta.region_name, ACCOUNT):
        _recorded.add(Call(function, action, resource))


ACCOUNT, REGION, STACK_NAME = "123456789012", "us-east-1", "tallyboard-local"


def install() -> None:
    """Record every botocore call (and presigned URL) made while a function runs."""
    global _installed
    if _installed:
        return
    _installed = True
    make_api_call = botocore.client.BaseClient._make_api_call
    presign = botocore.signers.generate_presigned_url

    def recording_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        _record(self, operation_name, api_params)
        return make_api_call(self, operation_name, api_params)

    def recording_presign(self: Any, ClientMethod: str, Params: Any = None, **kwargs: Any) -> Any:
        operation = self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod)
        _record(self, operation, Params or {})
        return presign(self, ClientMethod, Params, **kwargs)

    botocore.client.BaseClient._make_api_call = recording_call  # type: ignore[method-assign]
    botocore.signers.generate_presigned_url = recording_presign


def dump(path: Path) -> None:
    """This process's calls, with the names its stack resolved (each test process has its own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    calls = [[c.function, c.action, c.resource] for c in sorted(_recorded)]
    path.write_text(json.dumps({"names": local_names, "calls": calls}))


def load(paths: Iterable[Path]) -> list[tuple[dict[str, str], set[Call]]]:
    loaded = []
    for path in paths:
        data = json.loads(path.read_text())
        if data["names"]:
            loaded.append((data["names"], {Call(*call) for call in data["calls"]}))
    return loaded


# ----------------------------------------------------------------------------- the policies


@dataclass(frozen=True)
class Grant:
    action: str
    resource: str  # an ARN pattern (`*` wildcards)

    def allows(self, call: Call) -> bool:
        return fnmatch.fnmatchcase(call.action, self.action) and fnmatch.fnmatchcase(
            call.resource, self.resource
        )


def grants(properties: dict[str, Any], resolver: tpl.Resolver) -> list[Grant]:
    """A function's `Policies` as (action, resource) grants, resolved to local ARNs."""
    found = []
    for policy in properties.get("Policies") or []:
        for statement in (policy or {}).get("Statement") or []:
            if statement.get("Effect") != "Allow":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            for action in actions:
                for resource in resources:
                    found.append(Grant(action, str(resolver.resolve(resource))))
    return found


def check(
    processes: list[tuple[dict[str, str], set[Call]]], template: dict[str, Any] | None = None
) -> tuple[list[str], list[str]]:
    """(calls no policy statement allows, grants no recorded call used), over the calls of every
    test process, each resolved against the names of its own local stack."""
    denied: set[str] = set()
    used: set[tuple[str, int]] = set()
    functions = tpl.functions(template)
    for names, calls in processes:
        resolver = tpl.Resolver(dict(names), STACK_NAME, REGION, ACCOUNT, template)
        for function, properties in functions.items():
            allowed = grants(properties, resolver)
            for call in (c for c in calls if c.function == function):
                matching = [index for index, grant in enumerate(allowed) if grant.allows(call)]
                if not matching:
                    denied.add(f"{function}: {call.action} on {call.resource}")
                used.update((function, index) for index in matching)
    shown = tpl.Resolver(dict(processes[0][0]), STACK_NAME, REGION, ACCOUNT, template) if processes else None
    unused = [
        f"{function}: {grant.action} on {grant.resource}"
        for function, properties in functions.items()
        for index, grant in enumerate(grants(properties, shown) if shown else [])
        if (function, index) not in used
    ]
    return sorted(denied), unused
