"""Hourly request counters: one item per key binding and hour, expired by TTL."""

from __future__ import annotations

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.settings import get_settings


def take(binding: str, window_start: int, limit: int, expires_at: int) -> int | None:
    """Count one request in the window atomically; the new count, or None when the limit is spent.

    The conditional ADD never lets the counter pass the limit, so exactly `limit` requests
    succeed however many arrive at once."""
    try:
        response = dynamodb().update_item(
            TableName=get_settings().rate_limit_table,
            Key=dynamo.key(bucket=f"{binding}#{window_start}"),
            UpdateExpression="ADD requests :one SET expiresAt = if_not_exists(expiresAt, :exp)",
            ConditionExpression="attribute_not_exists(requests) OR requests < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":exp": {"N": str(expires_at)},
            },
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as error:
        if dynamo.is_condition_failure(error):
            return None
        raise
    return int(response["Attributes"]["requests"]["N"])


def count(binding: str, window_start: int) -> int:
    """Requests counted in one window (benchmarks and tests check the accounting with it)."""
    item = dynamo.get(
        get_settings().rate_limit_table, dynamo.key(bucket=f"{binding}#{window_start}"), consistent=True
    )
    return int(item["requests"]) if item else 0
