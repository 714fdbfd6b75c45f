"""What every benchmark shares: a DynamoDB call/item counter hooked into the shared package's
own client, a local stack, and the results file."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


@dataclass
class DynamoCounter:
    calls: int = 0
    items_read: int = 0
    items_written: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)

    def observe(self, operation: str, parsed: dict[str, Any], params: dict[str, Any]) -> None:
        self.calls += 1
        self.by_operation[operation] += 1
        if operation in {"GetItem"}:
            self.items_read += 1 if parsed.get("Item") else 0
        elif operation in {"Query", "Scan"}:
            # ScannedCount: items DynamoDB read (and bills), before any FilterExpression.
            self.items_read += int(parsed.get("ScannedCount", parsed.get("Count", 0)))
        elif operation == "BatchGetItem":
            self.items_read += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif operation in {"PutItem", "UpdateItem", "DeleteItem"}:
            self.items_written += 1
        elif operation == "BatchWriteItem":
            self.items_written += sum(len(v) for v in params.get("RequestItems", {}).values())
        elif operation == "TransactWriteItems":
            self.items_written += len(params.get("TransactItems", []))


@contextmanager
def count_dynamodb() -> Iterator[DynamoCounter]:
    """Count the calls the shared package's DynamoDB client makes inside the block."""
    from tallyboard.data.aws import dynamodb

    counter = DynamoCounter()
    events = dynamodb().meta.events

    def before(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_params"] = params  # the request context is shared with after-call

    def after(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        body = context.get("bench_params", {}).get("body") or b"{}"
        counter.observe(model.name, parsed, json.loads(body) if isinstance(body, bytes | str) else body)

    events.register("before-call.dynamodb", before)
    events.register("after-call.dynamodb", after)
    try:
        yield counter
    finally:
        events.unregister("before-call.dynamodb", before)
        events.unregister("after-call.dynamodb", after)


class Results:
    """Named figures; every benchmark adds to one file (untracked)."""

    def __init__(self) -> None:
        self.figures: dict[str, Any] = {}

    def record(self, name: str, value: Any, unit: str = "") -> None:
        self.figures[name] = value
        print(f"  {name:<64} {value}{(' ' + unit) if unit else ''}", flush=True)

    def save(self) -> None:
        existing = json.loads(RESULTS_PATH.read_text()) if RESULTS_PATH.exists() else {}
        existing.update(self.figures)
        RESULTS_PATH.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
