"""The metrics table's item layout: each item's partition and sort keys, a point's item, and
the spans of 4**level seconds that tile time for the project's counts (see the package docstring)."""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo

ROLLUP_INTERVALS = ("hour", "day", "week", "month")


MAX_TRANSACTION_ITEMS = 100


POINT_FIELDS = (
    "id",
    "projectId",
    "connectionId",
    "service",
    "metricId",
    "metricName",
    "value",
    "unit",
    "timestamp",
    "metadata",
    "createdAt",
)


def time_key(ms: int) -> str:
    return f"{ms:013d}"


def position(timestamp: int, point_id: str) -> str:
    """A point's place in time order: the sort key of its item and of its project-index entry."""
    return f"{time_key(int(timestamp))}#{point_id}"


def marker_sk(point: dict[str, Any]) -> str:
    """A pending marker's sort key: by metric, then time."""
    return f"{point['metricId']}#{position(point['timestamp'], point['id'])}"


def point_pk(ws: str, proj: str, metric_id: str) -> str:
    return f"PT#{ws}#{proj}#{metric_id}"


def project_points_pk(ws: str, proj: str) -> str:
    return f"PTS#{ws}#{proj}"


def rollup_pk(ws: str, proj: str, metric_id: str, interval: str) -> str:
    return f"RU#{ws}#{proj}#{metric_id}#{interval}"


def catalog_pk(ws: str, proj: str) -> str:
    return f"CAT#{ws}#{proj}"


def pending_pk(ws: str, proj: str) -> str:
    return f"PEND#{ws}#{proj}"


def project_counts_pk(ws: str, proj: str) -> str:
    return f"PC#{ws}#{proj}"


# The project's folded total sits first in its pending partition ('!' sorts before every metric
# id): one Query reads it, then the markers.
FOLDED_SK = "!folded"


# Project counts are kept per span of 4**level whole seconds (level 0..16: one second up to
# 4**16 seconds, 136 years; the last timestamp accepted is in the third of those). Any run of whole
# seconds is at most three spans of each level on each side: a range under 136 years is ONE
# BatchGetItem of at most 96 keys (102, two calls, past that). A fold adds to 17 spans per
# distinct second. Dates given to the second (the usual) leave no edge to count from raw points.
SPAN_BASE = 4


SPAN_LEVELS = 17


SPAN_UNIT_MS = 1_000


def span_sk(level: int, index: int) -> str:
    return f"span{level:02d}#{time_key(index * SPAN_BASE**level * SPAN_UNIT_MS)}"


def tiling_spans(first_unit: int, end_unit: int) -> list[str]:
    """The sort keys of the fewest spans that tile the seconds [first_unit, end_unit)."""
    keys: list[str] = []
    lo, hi, level = first_unit, end_unit, 0
    while lo < hi:
        while lo < hi and lo % SPAN_BASE:
            keys.append(span_sk(level, lo))
            lo += 1
        while lo < hi and hi % SPAN_BASE:
            hi -= 1
            keys.append(span_sk(level, hi))
        lo, hi, level = lo // SPAN_BASE, hi // SPAN_BASE, level + 1
    return keys


def point_item(ws: str, proj: str, point: dict[str, Any]) -> dict[str, Any]:
    sk = position(point["timestamp"], point["id"])
    return dynamo.to_item(
        {
            **point,
            "pk": point_pk(ws, proj, point["metricId"]),
            "sk": sk,
            "gsi1pk": project_points_pk(ws, proj),
            "gsi1sk": sk,
        }
    )
