"""The aggregator: pending markers folded into rollups, catalog counts, the folded total and the
spans, and deleted, in one transaction per chunk, so a marker is folded exactly once."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.metrics.keys import (
    FOLDED_SK,
    MAX_TRANSACTION_ITEMS,
    SPAN_BASE,
    SPAN_LEVELS,
    SPAN_UNIT_MS,
    catalog_pk,
    marker_sk,
    pending_pk,
    project_counts_pk,
    span_sk,
)
from tallyboard.data.metrics.rollups import Rollup, fold_points, rollup_keys

MAX_WRITE_ATTEMPTS = 8


class WriteContention(Exception):
    """Rollups kept changing under this write; the caller may retry later."""


def _read_rollups(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Rollup]:
    records = dynamo.batch_get(
        dynamo.table("metrics"), [dynamo.key(pk=pk, sk=sk) for pk, sk in keys], consistent=True
    )
    return {(r["pk"], r["sk"]): Rollup.from_record(r) for r in records}


def _project_count_keys(ws: str, proj: str, timestamp: int) -> list[tuple[str, str]]:
    """The counts one point adds to: the project's folded total and the spans holding its second."""
    pk, unit = project_counts_pk(ws, proj), timestamp // SPAN_UNIT_MS
    return [(pending_pk(ws, proj), FOLDED_SK)] + [
        (pk, span_sk(level, unit // SPAN_BASE**level)) for level in range(SPAN_LEVELS)
    ]


def project_count_items(ws: str, proj: str, points: Iterable[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """The project counts (folded total and spans) that hold these points, as folded."""
    counts: dict[tuple[str, str], int] = {}
    for p in points:
        for key in _project_count_keys(ws, proj, p["timestamp"]):
            counts[key] = counts.get(key, 0) + 1
    return counts


def _fold_items(ws: str, proj: str, markers: list[dict[str, Any]]) -> int:
    """Items one fold transaction of these markers writes."""
    rollup_keys_ = {k for m in markers for k in rollup_keys(ws, proj, m["metricId"], m["timestamp"])}
    counts = {k for m in markers for k in _project_count_keys(ws, proj, m["timestamp"])}
    return len(markers) + len(rollup_keys_) + len(counts) + len({m["metricId"] for m in markers})


def _fold_chunks(ws: str, proj: str, markers: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for marker in sorted(markers, key=lambda m: (m["metricId"], m["timestamp"], m["id"])):
        if chunk and _fold_items(ws, proj, [*chunk, marker]) > MAX_TRANSACTION_ITEMS:
            yield chunk
            chunk = []
        chunk.append(marker)
    if chunk:
        yield chunk


def count_update(key: tuple[str, str], amount: int, expires_at: int | None = None) -> dict[str, Any]:
    expression = Expression().add("pointCount" if key[0].startswith("CAT#") else "count", amount)
    if expires_at is not None:  # for plans with retention: the newest point's expiry
        expression.set("expiresAt", expires_at)
    return {"Update": expression.update(dynamo.table("metrics"), dynamo.key(pk=key[0], sk=key[1]))}


def _count_updates(ws: str, proj: str, markers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The markers added to their metrics' catalog counts and to the project counts (a span's
    expiry: its latest point's, never the folded total's)."""
    per_metric: dict[str, int] = {}
    per_count: dict[tuple[str, str], list[Any]] = {}
    for m in markers:
        per_metric[m["metricId"]] = per_metric.get(m["metricId"], 0) + 1
        for key in _project_count_keys(ws, proj, m["timestamp"]):
            entry = per_count.setdefault(key, [0, None])
            entry[0] += 1
            if m.get("expiresAt") is not None and key[1] != FOLDED_SK:
                entry[1] = max(entry[1] or 0, int(m["expiresAt"]))
    return [
        *(count_update((catalog_pk(ws, proj), metric_id), n) for metric_id, n in sorted(per_metric.items())),
        *(count_update(key, n, expires) for key, (n, expires) in sorted(per_count.items())),
    ]


def _fold_chunk(ws: str, proj: str, markers: list[dict[str, Any]]) -> int:
    """Fold markers into their rollups, the catalog counts and the project counts, and delete
    them, in ONE transaction: a marker is folded exactly once. A marker already gone (a replayed
    or retried stream batch) fails its condition and is dropped; a rollup changed under us (only
    a retry of this same work can) is re-read. Returns how many markers this call folded."""
    for attempt in range(MAX_WRITE_ATTEMPTS):
        if not markers:
            return 0
        keys = sorted({k for m in markers for k in rollup_keys(ws, proj, m["metricId"], m["timestamp"])})
        rollups = fold_points(ws, proj, markers, _read_rollups(keys))
        items: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": dynamo.table("metrics"),
                    "Key": dynamo.key(pk=pending_pk(ws, proj), sk=marker_sk(m)),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
            for m in markers
        ]
        for pk, sk in keys:
            rollup = rollups[(pk, sk)]
            put: dict[str, Any] = {
                "TableName": dynamo.table("metrics"),
                "Item": dynamo.to_item({**rollup.record(), "pk": pk, "sk": sk}),
            }
            if rollup.version:
                put["ConditionExpression"] = "#v = :v"
                put["ExpressionAttributeNames"] = {"#v": "v"}
                put["ExpressionAttributeValues"] = {":v": {"N": str(rollup.version)}}
            else:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            items.append({"Put": put})
        items += _count_updates(ws, proj, markers)
        codes = dynamo.transact(items)
        if codes is None:
            return len(markers)
        gone = dynamo.failed_conditions(codes[: len(markers)])
        markers = [m for i, m in enumerate(markers) if i not in gone]
        if not gone:
            time.sleep(min(0.02 * 2**attempt, 0.5) * random.random())
    raise WriteContention("rollups kept changing under the aggregator")


def fold_pending(markers: Iterable[dict[str, Any]]) -> int:
    """Fold pending markers (as the stream delivers them: any projects, any order, possibly
    again) into rollups and counts. Returns how many were folded by this call."""
    by_project: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for marker in markers:
        _, ws, proj = marker["pk"].split("#", 2)
        by_project.setdefault((ws, proj), {})[marker["sk"]] = marker  # a batch may repeat a record
    folded = 0
    for (ws, proj), unique in by_project.items():
        for chunk in _fold_chunks(ws, proj, list(unique.values())):
            folded += _fold_chunk(ws, proj, chunk)
    return folded
