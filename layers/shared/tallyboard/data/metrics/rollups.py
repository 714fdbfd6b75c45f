"""Rollup maths: a bucket's count, sum, min, max and last, folded from points in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tallyboard import timeutil
from tallyboard.data.metrics.keys import ROLLUP_INTERVALS, position, rollup_pk, time_key
from tallyboard.models.common import DYNAMO_MIN_MAGNITUDE


@dataclass
class Rollup:
    bucket: int
    count: int = 0
    sum: float = 0.0
    min: float | None = None
    max: float | None = None
    last: float | None = None
    last_key: str = ""
    version: int = 0  # 0: not stored yet
    expires_at: int | None = None
    forever: bool = False  # holds a point that never expires

    def add(self, value: float, timestamp: int, point_id: str, expires_at: int | None) -> None:
        self.count += 1
        self.sum += value
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)
        key = position(timestamp, point_id)
        if key > self.last_key:
            self.last, self.last_key = value, key
        if expires_at is None:
            self.forever = True
        else:
            self.expires_at = max(self.expires_at or 0, expires_at)

    def value(self, aggregation: str) -> float:
        if aggregation == "count":
            return self.count
        if aggregation == "avg":
            value = self.sum / self.count if self.count else 0.0
        else:
            value = {"sum": self.sum, "min": self.min, "max": self.max, "last": self.last}[aggregation] or 0.0
        # as stored (dynamo rounds what it cannot hold to 0), whether folded yet or pending
        return value if abs(value) >= DYNAMO_MIN_MAGNITUDE else 0.0

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Rollup:
        return cls(
            bucket=int(record["bucket"]),
            count=int(record["count"]),
            sum=float(record["sum"]),
            min=float(record["min"]),
            max=float(record["max"]),
            last=float(record["last"]),
            last_key=record["lastKey"],
            version=int(record.get("v", 0)),
            expires_at=record.get("expiresAt"),
            forever="expiresAt" not in record,
        )

    def record(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "count": self.count,
            "sum": self.sum,
            "min": self.min,
            "max": self.max,
            "last": self.last,
            "lastKey": self.last_key,
            "v": self.version + 1,
            "expiresAt": None if self.forever else self.expires_at,
        }


def rollup_keys(ws: str, proj: str, metric_id: str, timestamp: int) -> list[tuple[str, str]]:
    return [
        (rollup_pk(ws, proj, metric_id, i), time_key(timeutil.bucket_start(timestamp, i)))
        for i in ROLLUP_INTERVALS
    ]


def fold_points(
    ws: str,
    proj: str,
    points: Iterable[dict[str, Any]],
    existing: dict[tuple[str, str], Rollup] | None = None,
) -> dict[tuple[str, str], Rollup]:
    """Fold points into rollups (new or existing), keyed by (pk, sk)."""
    rollups = dict(existing or {})
    for p in points:
        for pk, sk in rollup_keys(ws, proj, p["metricId"], p["timestamp"]):
            rollup = rollups.get((pk, sk))
            if rollup is None:
                rollup = rollups[(pk, sk)] = Rollup(bucket=int(sk))
            rollup.add(p["value"], p["timestamp"], p["id"], p.get("expiresAt"))
    return rollups
