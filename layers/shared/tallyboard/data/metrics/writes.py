"""The push path: each point with its pending marker in conditional Puts (no two pushes write one
item), the catalog entry a metric's first push creates, and the bulk back-fill of imports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.metrics.fold import count_update, project_count_items
from tallyboard.data.metrics.keys import (
    MAX_TRANSACTION_ITEMS,
    catalog_pk,
    marker_sk,
    pending_pk,
    point_item,
)
from tallyboard.data.metrics.rollups import fold_points


def _pending_item(ws: str, proj: str, point: dict[str, Any]) -> dict[str, Any]:
    """The point's "not folded yet" marker: what the aggregator folds, and what reads add to
    the rollups until it has (one project partition, sorted by metric then time)."""
    return dynamo.to_item(
        {
            "pk": pending_pk(ws, proj),
            "sk": marker_sk(point),
            **{k: point.get(k) for k in ("id", "metricId", "value", "timestamp", "expiresAt")},
        }
    )


_known_catalog: set[tuple[str, str, str]] = set()  # per container: entries known to exist


def _ensure_catalog(ws: str, proj: str, catalog: dict[str, dict[str, Any]]) -> None:
    """A metric's catalog entry (its name, unit, natural aggregation) is created by the first
    push that names it and never rewritten by a push (its count is the aggregator's)."""
    for metric_id, entry in catalog.items():
        if (ws, proj, metric_id) in _known_catalog:
            continue
        dynamo.put_new(dynamo.table("metrics"), {**entry, "pk": catalog_pk(ws, proj), "sk": metric_id}, "pk")
        _known_catalog.add((ws, proj, metric_id))


def write_points(
    ws: str, proj: str, points: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]
) -> None:
    """Store points (each a full point record with its `id` and optional `expiresAt`) and their
    pending markers. Nothing shared is written (rollups and counts are the aggregator's), so
    concurrent pushes never contend. Each chunk is one transaction of conditional Puts: a chunk
    whose point already exists was committed before (a retry with the same ids) and is skipped."""
    _ensure_catalog(ws, proj, catalog)
    ordered = sorted(points, key=lambda p: (p["metricId"], p["timestamp"], p["id"]))
    per_chunk = MAX_TRANSACTION_ITEMS // 2
    for start in range(0, len(ordered), per_chunk):
        chunk = ordered[start : start + per_chunk]
        items = []
        for p in chunk:
            for item in (point_item(ws, proj, p), _pending_item(ws, proj, p)):
                items.append(
                    {
                        "Put": {
                            "TableName": dynamo.table("metrics"),
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                )
        codes = dynamo.transact(items)
        if codes is not None and dynamo.CONDITION_FAILED not in codes:
            raise RuntimeError(f"points not stored: {codes}")  # a conflict: a 500, as ever


def bulk_items(
    ws: str, proj: str, points: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The items that back-fill metrics with no data yet: every raw point, its rollups computed
    in memory, and the catalog entries with their point counts (low-level DynamoDB format)."""
    counts: dict[str, int] = {}
    for p in points:
        counts[p["metricId"]] = counts.get(p["metricId"], 0) + 1
    for (pk, sk), rollup in fold_points(ws, proj, points).items():
        yield dynamo.to_item({**rollup.record(), "pk": pk, "sk": sk})
    for metric_id, count in counts.items():
        yield dynamo.to_item(
            {**catalog[metric_id], "pointCount": count, "pk": catalog_pk(ws, proj), "sk": metric_id}
        )
    for p in points:
        yield point_item(ws, proj, p)


def bulk_import(ws: str, proj: str, points: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]) -> None:
    """Back-fill metrics that have no data yet with BatchWriteItem (no conditions, no
    transactions): for imports and benchmarks, never a request path."""
    requests = ({"PutRequest": {"Item": item}} for item in bulk_items(ws, proj, points, catalog))
    dynamo.batch_write(dynamo.table("metrics"), requests)
    for key, n in project_count_items(ws, proj, points).items():  # ADD: counts may hold other metrics'
        dynamodb().update_item(**count_update(key, n)["Update"])
