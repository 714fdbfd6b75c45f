"""Shapes of a dashboard's computed tiles (docs/api.md "Dashboard operations"): run_insights, snapshot,
analyze_refresh_result, generate_metadata, stream_tiles."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from tallyboard.models.common import FORMAT_FIELD, Format, RequestModel
from tallyboard.models.metrics import MetricInfo

Refresh = Literal["blocking", "force_blocking", "force_cache"]
OutputFormat = Literal["json", "optimized"]
TileStatus = Literal[
    "ok",  # computed (or read from the cache)
    "text",  # a text tile: no result to compute
    "no_metric",  # an insight tile whose config names no metricId
    "metric_not_found",  # the metric has no points in the project (yet)
    "invalid_config",  # timeRange, interval or aggregation the API cannot compute
    "cache_miss",  # refresh=force_cache and no cached result younger than the TTL
]
Direction = Literal["up", "down", "unchanged", "appeared", "disappeared", "no_data", "added", "removed"]
CacheKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$"),
    Field(description="The cache_key a snapshot of this dashboard returned"),
]


class RunInsightsQuery(BaseModel):
    refresh: Refresh = Field(
        "blocking",
        description="blocking: a cached result younger than the cache TTL, else compute and cache; "
        "force_blocking: always compute (and cache); force_cache: never compute (a miss says so per tile)",
    )
    output_format: OutputFormat = Field(
        "json", description="json: full tiles; optimized: compact [timestamp, value] rows, no labels"
    )
    format: Format = FORMAT_FIELD


class SeriesPoint(BaseModel):
    timestamp: int = Field(description="Bucket start, epoch ms (UTC)")
    value: int | float


class InsightTile(BaseModel):
    """One tile and its current result."""

    id: str
    title: str
    type: str
    status: TileStatus
    message: str | None = Field(None, description="Why there is no result, when there is none")
    metric: MetricInfo | None = None
    timeRange: str | None = None
    interval: str | None = None
    aggregation: str | None = None
    startDate: str | None = Field(None, description="The computed range's start (ISO 8601 UTC)")
    endDate: str | None = None
    value: int | float | None = Field(
        None,
        description="The headline figure: the last bucket for `last`, the total for sum and count, the "
        "lowest/highest bucket for min/max, the mean of the buckets for avg; null without data",
    )
    series: list[SeriesPoint] | None = None
    text: str | None = Field(None, description="A text tile's config.body")
    cached: bool = Field(False, description="Read from the cache rather than computed by this request")
    last_refresh: int | None = Field(None, description="When the result was computed (epoch ms)")


class OptimizedTile(BaseModel):
    id: str
    status: TileStatus
    value: int | float | None = None
    rows: list[list[int | float]] | None = Field(None, description="[timestamp, value] per bucket")
    last_refresh: int | None = None


class RunInsightsResponse(BaseModel):
    dashboardId: str
    refresh: Refresh
    output_format: OutputFormat
    cacheTtlSeconds: int = Field(description="How long a computed result serves `blocking` refreshes")
    columns: list[str] | None = Field(None, description="optimized only: the columns of each row")
    tiles: list[InsightTile] | list[OptimizedTile] = Field(description="In the dashboard's tile order")


class SnapshotTile(BaseModel):
    id: str
    title: str
    status: TileStatus
    metricId: str | None = None
    unit: str | None = None
    value: int | float | None = None
    last_refresh: int | None = None


class SnapshotResponse(BaseModel):
    cache_key: str = Field(description="Send to analyze_refresh_result; kept 24 hours")
    dashboardId: str
    createdAt: int
    expiresAt: int = Field(description="Epoch ms after which the key answers 410")
    tiles: list[SnapshotTile]


class AnalyzeRequest(RequestModel):
    cache_key: CacheKey


class TileChange(BaseModel):
    id: str
    title: str
    metricId: str | None = None
    unit: str | None = None
    before: int | float | None = None
    after: int | float | None = None
    absoluteChange: int | float | None = Field(None, description="after - before")
    relativeChange: float | None = Field(
        None, description="Percent change from before (2 decimals); null when before is 0 or absent"
    )
    direction: Direction = Field(
        description="up/down/unchanged; appeared (no value before), disappeared (none now), no_data "
        "(neither); added/removed: the tile joined or left the dashboard since the snapshot"
    )


class AnalyzeResponse(BaseModel):
    dashboardId: str
    cache_key: str
    snapshotAt: int
    comparedAt: int
    changed: int = Field(description="Tiles whose value moved (up, down, appeared, disappeared)")
    tiles: list[TileChange] = Field(description="In the dashboard's tile order, then removed tiles")
    biggestMovers: list[TileChange] = Field(description="Up to 3, by relative then absolute change")
    summary: str = Field(description="A short plain-language summary, deterministic")


class MetadataBasis(BaseModel):
    tiles: int
    insightTiles: int
    textTiles: int
    metrics: list[str]
    services: list[str]


class GeneratedMetadata(BaseModel):
    name: str = Field(description="Suggested; not saved until PATCH /dashboards/{id} sends it")
    description: str
    basis: MetadataBasis
