"""Thin helpers over the low-level DynamoDB client: (de)serialisation and paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tallyboard.data.aws import dynamodb
from tallyboard.models.common import DYNAMO_MIN_MAGNITUDE

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamo_value(value: Any) -> Any:
    if isinstance(value, float):
        # Inputs are checked against DynamoDB's range; a derived value (a rollup's sum after
        # cancellation, -0.0) can still fall below it, and rounds to the 0 it nearly is.
        return Decimal(repr(value)) if abs(value) >= DYNAMO_MIN_MAGNITUDE else Decimal(0)
    if isinstance(value, dict):
        return {k: _to_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo_value(v) for v in value]
    return value


def _from_dynamo_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo_value(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_from_dynamo_value(v) for v in value]
    return value


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(_to_dynamo_value(v)) for k, v in data.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo_value(_deserializer.deserialize(v)) for k, v in item.items()}


def key(**parts: str) -> dict[str, Any]:
    return {k: {"S": v} for k, v in parts.items()}


def get(table: str, item_key: dict[str, Any], consistent: bool = False) -> dict[str, Any] | None:
    response = dynamodb().get_item(TableName=table, Key=item_key, ConsistentRead=consistent)
    item = response.get("Item")
    return from_item(item) if item else None


def query(table: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Yield deserialised items of a Query, following LastEvaluatedKey."""
    while True:
        response = dynamodb().query(TableName=table, **kwargs)
        for item in response.get("Items", []):
            yield from_item(item)
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        kwargs["ExclusiveStartKey"] = last


def batch_get(table: str, keys: list[dict[str, Any]], consistent: bool = False) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), 100):
        pending: dict[str, Any] = {table: {"Keys": keys[start : start + 100], "ConsistentRead": consistent}}
        while pending:
            response = dynamodb().batch_get_item(RequestItems=pending)
            items.extend(from_item(i) for i in response.get("Responses", {}).get(table, []))
            pending = response.get("UnprocessedKeys") or {}
    return items


def put_new(table: str, record: dict[str, Any], key_attribute: str) -> bool:
    """Create an item that must not exist yet; False when another item holds the key.

    botocore retries a timed-out PutItem; when the first attempt had in fact landed, the retry
    fails its condition against our own item, and that is success, not a conflict."""
    item = to_item(record)
    try:
        dynamodb().put_item(
            TableName=table,
            Item=item,
            ConditionExpression="attribute_not_exists(#k)",
            ExpressionAttributeNames={"#k": key_attribute},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if not is_condition_failure(error):
            raise
        return error.response.get("Item") == item
    return True


def is_condition_failure(error: Exception) -> bool:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code in {"ConditionalCheckFailedException", "TransactionCanceledException"}


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_key: dict[str, Any] | None  # the raw key to resume after the last item, when more follow


def query_page(
    table: str,
    limit: int,
    key_names: tuple[str, ...],
    start_key: dict[str, Any] | None = None,
    skip: int = 0,
    keep: Callable[[dict[str, Any]], bool] | None = None,
    **query: Any,
) -> Page:
    """`limit` matching items of a Query after `skip` matching ones (from `start_key`), reading
    one more to know whether another page follows. `keep` filters deserialised items in Python
    (a rule no FilterExpression states); key_names are the table's and the index's key
    attributes, which make the resume key."""
    if start_key:
        query["ExclusiveStartKey"] = start_key
    skipped, found = 0, []  # skipped items are counted, not kept: memory stays one page
    while len(found) <= limit:
        wanted = skip - skipped + limit + 1 - len(found)
        response = dynamodb().query(TableName=table, Limit=min(wanted, 1000), **query)
        for raw in response.get("Items", []):
            item = from_item(raw)
            if keep is not None and not keep(item):
                continue
            if skipped < skip:
                skipped += 1
            else:
                found.append((raw, item))
        last = response.get("LastEvaluatedKey")
        if not last:
            break
        query["ExclusiveStartKey"] = last
    page, more = found[:limit], len(found) > limit
    next_key = {k: page[-1][0][k] for k in key_names if k in page[-1][0]} if more else None
    return Page([item for _, item in page], next_key)


def count(table: str, **query: Any) -> int:
    """How many items a Query matches (Select=COUNT: no items sent back)."""
    total = 0
    while True:
        response = dynamodb().query(TableName=table, Select="COUNT", **query)
        total += response["Count"]
        if "LastEvaluatedKey" not in response:
            return total
        query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
