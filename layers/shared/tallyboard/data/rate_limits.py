"""Hourly request counters: one item per key binding and hour, expired by TTL."""

from __future__ import annotations

from tallyboard.data import dynamo


def take(binding: str, window_start: int, limit: int, expires_at: int) -> int | None:
    """Count one request in the window atomically; the new count, or None when the limit is spent.

    The conditional ADD never lets the counter pass the limit, so exactly `limit` requests
    succeed however many arrive at once."""
    counted = dynamo.update_if(
        TableName=dynamo.table("rate_limit"),
        Key=dynamo.key(bucket=f"{binding}#{window_start}"),
        # by hand: Expression has no if_not_exists (only the window's first request sets expiresAt)
        UpdateExpression="ADD requests :one SET expiresAt = if_not_exists(expiresAt, :exp)",
        ConditionExpression="attribute_not_exists(requests) OR requests < :limit",
        ExpressionAttributeValues=dynamo.to_item({":one": 1, ":limit": limit, ":exp": expires_at}),
        ReturnValues="UPDATED_NEW",
    )
    return None if counted is None else int(counted["requests"])


def count(binding: str, window_start: int) -> int:
    """Requests counted in one window (benchmarks and tests check the accounting with it)."""
    item = dynamo.get(
        dynamo.table("rate_limit"), dynamo.key(bucket=f"{binding}#{window_start}"), consistent=True
    )
    return int(item["requests"]) if item else 0
