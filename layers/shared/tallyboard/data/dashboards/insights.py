"""Computed tile results (the insight cache) and snapshots, in the entities table beside the
dashboard's own partition. Both carry DynamoDB's TTL attribute `expiresAt` (epoch seconds) so
the table sweeps them; reads check freshness and expiry themselves (TTL deletes lazily).

  result    pk WS#<ws>#DASH#<dashId>#RESULTS    sk <widgetId>     configHash, computedAt, tile
  snapshot  pk WS#<ws>#DASH#<dashId>#SNAPSHOT   sk <cache_key>    createdAt, tiles

| request                                   | operations                             |
|-------------------------------------------|----------------------------------------|
| GET …/run_insights, stream_tiles          | Query RESULTS (1), BatchWriteItem (2)  |
| POST …/snapshot                           | Query RESULTS, BatchWrite (2), PutItem |
| POST …/analyze_refresh_result             | GetItem SNAPSHOT, BatchWriteItem       |

(1) one Query for every tile's cached result. (2) only the results this request computed, 25
per call.
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dashboards.dashboards import dashboard_pk


def _results_pk(workspace_id: str, dashboard_id: str) -> str:
    return f"{dashboard_pk(workspace_id, dashboard_id)}#RESULTS"


def _snapshots_pk(workspace_id: str, dashboard_id: str) -> str:
    return f"{dashboard_pk(workspace_id, dashboard_id)}#SNAPSHOT"


def cached_results(workspace_id: str, dashboard_id: str) -> dict[str, dict[str, Any]]:
    """Every cached tile result of the dashboard, by widget id (one Query)."""
    items = dynamo.query(
        dynamo.table("entities"),
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": _results_pk(workspace_id, dashboard_id)}},
    )
    return {item["sk"]: dynamo.without_keys(item) for item in items}


def put_results(workspace_id: str, dashboard_id: str, results: dict[str, dict[str, Any]]) -> None:
    """Store computed results by widget id (each replaces the tile's previous one)."""
    pk = _results_pk(workspace_id, dashboard_id)
    dynamo.batch_write(
        dynamo.table("entities"),
        (
            {"PutRequest": {"Item": dynamo.to_item({**record, "pk": pk, "sk": widget_id})}}
            for widget_id, record in results.items()
        ),
    )


def put_snapshot(workspace_id: str, dashboard_id: str, cache_key: str, record: dict[str, Any]) -> None:
    item = {**record, "pk": _snapshots_pk(workspace_id, dashboard_id), "sk": cache_key}
    if not dynamo.put_new(dynamo.table("entities"), item, key_attribute="pk"):
        raise RuntimeError("snapshot key already taken")  # fresh random keys: never expected


def get_snapshot(workspace_id: str, dashboard_id: str, cache_key: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=_snapshots_pk(workspace_id, dashboard_id), sk=cache_key)
    item = dynamo.get(dynamo.table("entities"), key, consistent=True)
    return dynamo.without_keys(item) if item else None
