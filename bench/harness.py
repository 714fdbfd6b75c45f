"""What every benchmark shares: a DynamoDB call/item counter hooked into every boto3 client of
the process, the API Gateway event a handler is invoked with, and the results file."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# BENCH_SHORT=1 (CI): every benchmark on small sizes, the same code paths, its figures kept apart
# from the real ones.
SHORT = os.environ.get("BENCH_SHORT") == "1"
RESULTS_PATH = Path(__file__).resolve().parent / ("results-short.json" if SHORT else "results.json")


def sized(full: Any, short: Any) -> Any:
    """A benchmark's size: `short` under BENCH_SHORT=1."""
    return short if SHORT else full


def api_event(
    tenant: dict[str, Any],
    method: str,
    resource: str,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    """The REST API event of one request by the tenant's owner key (enterprise, a limit no bench
    reaches), as API Gateway hands it to a handler after the authorizer: what a bench invokes a
    function with when it measures the handler alone."""
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace(f"{{{name}}}", value)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/v1{path}" + (f"?{urlencode(query)}" if query else ""),
            "stage": "v1",
            "requestId": f"bench-{time.time_ns()}",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "bench"},
            "authorizer": {
                "workspaceId": tenant["workspaceId"],
                "userId": tenant["userId"],
                "keyId": tenant["keyId"],
                "role": "owner",
                "scopes": "",
                "projectIds": "",
                "plan": "enterprise",
                "rateLimit": "100000000",
            },
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


@dataclass
class DynamoCounter:
    calls: int = 0
    items_read: int = 0
    items_written: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    by_caller: Counter[str] = field(default_factory=Counter)  # calls per count_dynamodb(attribute=…)

    def observe(
        self, operation: str, parsed: dict[str, Any], params: dict[str, Any], caller: str | None = None
    ) -> None:
        if operation == "DescribeTable":
            return  # the local stream pump's (tallyboard_local/streams.py): never a request's
        self.calls += 1
        self.by_operation[operation] += 1
        if caller is not None:
            self.by_caller[caller] += 1
        if operation == "GetItem":
            self.items_read += 1 if parsed.get("Item") else 0
        elif operation in {"Query", "Scan"}:
            # ScannedCount: items DynamoDB read (and bills), before any FilterExpression.
            self.items_read += int(parsed.get("ScannedCount", parsed.get("Count", 0)))
        elif operation == "BatchGetItem":
            self.items_read += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif operation == "TransactGetItems":
            self.items_read += sum(1 for r in parsed.get("Responses", []) if r.get("Item"))
        elif operation in {"PutItem", "UpdateItem", "DeleteItem"}:
            self.items_written += 1
        elif operation == "BatchWriteItem":
            self.items_written += sum(len(v) for v in params.get("RequestItems", {}).values())
        elif operation == "TransactWriteItems":
            self.items_written += len(params.get("TransactItems", []))


@contextmanager
def count_dynamodb(attribute: Callable[[], str | None] | None = None) -> Iterator[DynamoCounter]:
    """Count the DynamoDB calls made inside the block by any boto3 client of this process: the
    shared package's client, and any a library creates for itself (Powertools idempotency).
    attribute: names who made a call (e.g. the local function running), counted in by_caller."""
    from botocore.client import BaseClient

    counter = DynamoCounter()
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name != "dynamodb":
            return original(client, operation, params)
        parsed: dict[str, Any] = {}
        try:
            parsed = original(client, operation, params)
            return parsed
        finally:  # a failed conditional write is billed too
            counter.observe(operation, parsed, params, attribute() if attribute else None)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield counter
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


class Results:
    """Named figures; every benchmark adds to one file (untracked)."""

    def __init__(self) -> None:
        self.figures: dict[str, Any] = {}

    def record(self, name: str, value: Any, unit: str = "", echo: bool = True) -> None:
        """echo=False: the benchmark prints the figure itself (e.g. in a table)."""
        self.figures[name] = value
        if echo:
            print(f"  {name:<64} {value}{(' ' + unit) if unit else ''}", flush=True)

    def save(self) -> None:
        existing = json.loads(RESULTS_PATH.read_text()) if RESULTS_PATH.exists() else {}
        existing.update(self.figures)
        RESULTS_PATH.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
