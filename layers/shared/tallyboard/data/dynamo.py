"""Thin helpers over the low-level DynamoDB client, the one toolkit of every data module: table
names, (de)serialisation, keys, paging, conditional writes, transactions and update expressions."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from itertools import islice
from typing import Any, Literal

from botocore.exceptions import ClientError

from tallyboard.data.aws import dynamodb
from tallyboard.models.common import DYNAMO_MIN_MAGNITUDE, PageSpec
from tallyboard.settings import get_settings

TableName = Literal["entities", "metrics", "keys", "exports", "audit", "rate_limit", "idempotency"]
# The key attributes of the entities, exports and metrics tables and of their index gsi1.
KEY_NAMES = ("pk", "sk", "gsi1pk", "gsi1sk")
TABLE_KEYS = ("pk", "sk")  # what a Query of the table itself resumes from
CONDITION_FAILED = "ConditionalCheckFailed"  # a transaction item's cancellation code


def table(name: TableName) -> str:
    """A table's name, read from the settings at each call (tests point the environment elsewhere)."""
    return str(getattr(get_settings(), f"{name}_table"))


# Items are (de)serialised here rather than by boto3's TypeSerializer: importing boto3 (with
# s3transfer and multiprocessing) costs more of a cold start than the rest of the shared
# package, and the low-level clients come from botocore alone (data/aws.py). Numbers are
# checked as boto3 checks them: what DynamoDB cannot hold exactly (38 digits) fails here.
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, float):
        # Inputs are checked against DynamoDB's range; a derived value (a rollup's sum after
        # cancellation, -0.0) can still fall below it, and rounds to the 0 it nearly is.
        value = Decimal(repr(value)) if abs(value) >= DYNAMO_MIN_MAGNITUDE else Decimal(0)
    text = str(_NUMBERS.create_decimal(value))
    if text in {"Infinity", "-Infinity", "NaN", "sNaN"}:
        raise TypeError("Infinity and NaN are not supported")
    return text


def _attribute(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB AttributeValue."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, dict):
        return {"M": {k: _attribute(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(v) for v in value]}
    if isinstance(value, set | frozenset) and value:
        attribute = _set_attribute(value)
        if attribute is not None:
            return attribute
    raise TypeError(f"DynamoDB holds no {type(value).__name__} value like {value!r}")


def _set_attribute(values: set[Any] | frozenset[Any]) -> dict[str, Any] | None:
    """A set of strings, numbers or bytes as SS, NS or BS; None for a set of mixed kinds."""
    if all(isinstance(v, str) for v in values):
        return {"SS": list(values)}
    if all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values):
        return {"NS": [_number(v) for v in values]}
    if all(isinstance(v, bytes | bytearray) for v in values):
        return {"BS": [bytes(v) for v in values]}
    return None


def _from_number(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def _value(attribute: dict[str, Any]) -> Any:
    """A DynamoDB AttributeValue as a Python value: numbers as int or float, sets as lists."""
    ((kind, raw),) = attribute.items()
    if kind in {"S", "BOOL", "B"}:
        return raw
    if kind == "N":
        return _from_number(raw)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _value(v) for k, v in raw.items()}
    if kind == "L":
        return [_value(v) for v in raw]
    if kind == "NS":
        return [_from_number(v) for v in raw]
    if kind in {"SS", "BS"}:
        return list(raw)
    raise TypeError(f"Unknown DynamoDB type {kind}")


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _attribute(v) for k, v in data.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in item.items()}


def key(**parts: str) -> dict[str, Any]:
    return {k: {"S": v} for k, v in parts.items()}


def without_keys(item: dict[str, Any], names: Collection[str] = KEY_NAMES) -> dict[str, Any]:
    """The item as the logic sees it: without its key attributes (or the other `names`)."""
    return {k: v for k, v in item.items() if k not in names}


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


def batch_write(table: str, requests: Iterable[dict[str, Any]]) -> None:
    """BatchWriteItem the requests (PutRequest, DeleteRequest), 25 a call (the most one takes),
    each call repeated for what it leaves unprocessed; `requests` is read 25 at a time."""
    requests = iter(requests)
    while batch := list(islice(requests, 25)):
        pending: dict[str, Any] = {table: batch}
        while pending:
            pending = dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


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


def update_if(**update: Any) -> dict[str, Any] | None:
    """A conditional UpdateItem: None when its condition failed, else the attributes it returned
    (deserialised; empty unless ReturnValues asked for some)."""
    try:
        response = dynamodb().update_item(**update)
    except ClientError as error:
        if is_condition_failure(error):
            return None
        raise
    return from_item(response.get("Attributes") or {})


def delete_if(**delete: Any) -> bool:
    """A conditional DeleteItem: False when its condition failed."""
    try:
        dynamodb().delete_item(**delete)
    except ClientError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def is_condition_failure(error: Exception) -> bool:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code in {"ConditionalCheckFailedException", "TransactionCanceledException"}


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_key: dict[str, Any] | None  # the raw key to resume after the last item, when more follow

    def without_keys(self, names: Collection[str] = KEY_NAMES) -> Page:
        return Page([without_keys(item, names) for item in self.items], self.next_key)


def query_page(
    table: str,
    spec: PageSpec,
    key_names: tuple[str, ...] = KEY_NAMES,
    keep: Callable[[dict[str, Any]], bool] | None = None,
    **query: Any,
) -> Page:
    """The page of a Query that `spec` asks for: `spec.limit` matching items after `spec.skip`
    matching ones (from `spec.start_key`), reading one more to know whether another page
    follows. `keep` filters deserialised items in Python (a rule no FilterExpression states);
    key_names are the table's and the index's key attributes, which make the resume key."""
    limit, skip = spec.limit, spec.skip
    if spec.start_key:
        query["ExclusiveStartKey"] = spec.start_key
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (raw, deserialised)
    skipped = 0  # skipped items are counted, not kept: memory stays one page
    while len(found) <= limit:
        wanted = skip - skipped + limit + 1 - len(found)
        response = dynamodb().query(TableName=table, Limit=wanted, **query)
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


def transact(items: Sequence[dict[str, Any] | None]) -> list[str] | None:
    """Run a transaction of the items that are not None (nothing to write): None when it
    committed, else each item's cancellation code ("None" for items that were fine,
    "ConditionalCheckFailed", "TransactionConflict", …)."""
    written = [item for item in items if item is not None]
    try:
        dynamodb().transact_write_items(TransactItems=written)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code == "TransactionCanceledException":
            reasons = error.response.get("CancellationReasons") or []
            return [str(r.get("Code") or "None") for r in reasons] or ["Unknown"] * len(written)
        raise
    return None


def failed_conditions(codes: list[str]) -> set[int]:
    """The indexes of a cancelled transaction's items whose condition failed."""
    return {i for i, code in enumerate(codes) if code == CONDITION_FAILED}


class Expression:
    """An UpdateExpression with its condition, names and values, built clause by clause."""

    def __init__(self) -> None:
        self.sets: list[str] = []
        self.adds: list[str] = []
        self.removes: list[str] = []
        self.conditions: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def set(self, attribute: str, value: Any) -> Expression:
        if value is None:
            self.removes.append(self.name(attribute))
        else:
            self.sets.append(f"{self.name(attribute)} = {self.value(value)}")
        return self

    def add(self, attribute: str, amount: int | float) -> Expression:
        self.adds.append(f"{self.name(attribute)} {self.value(amount)}")
        return self

    def append(self, attribute: str, items: list[Any]) -> Expression:
        name = self.name(attribute)
        self.sets.append(
            f"{name} = list_append(if_not_exists({name}, {self.value([])}), {self.value(items)})"
        )
        return self

    def condition(self, text: str, **values: Any) -> Expression:
        """`text` with {name} placeholders for attribute names and :{value} for values."""
        mapping = {}
        for key, value in values.items():
            mapping[key] = self.name(value[1:]) if isinstance(value, str) and value.startswith("#") else None
            if mapping[key] is None:
                mapping[key] = self.value(value)
        self.conditions.append(text.format(**mapping))
        return self

    def equals_or_absent(self, attribute: str, value: Any) -> Expression:
        name = self.name(attribute)
        if value is None:
            self.conditions.append(f"attribute_not_exists({name})")
        else:
            self.conditions.append(f"{name} = {self.value(value)}")
        return self

    def update(self, table: str, key: dict[str, Any]) -> dict[str, Any]:
        clauses = []
        if self.sets:
            clauses.append("SET " + ", ".join(self.sets))
        if self.removes:
            clauses.append("REMOVE " + ", ".join(self.removes))
        if self.adds:
            clauses.append("ADD " + ", ".join(self.adds))
        update: dict[str, Any] = {"TableName": table, "Key": key, "UpdateExpression": " ".join(clauses)}
        if self.conditions:
            update["ConditionExpression"] = " AND ".join(f"({c})" for c in self.conditions)
        if self.names:
            update["ExpressionAttributeNames"] = self.names
        if self.values:
            update["ExpressionAttributeValues"] = to_item(self.values)
        return update
