"""Metric shapes: points, the list, a time series, custom pushes (API.md "Analytics", seed 000_…)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, computed_field, field_validator

from tallyboard.models.bounded_json import JsonLimits, bounded_json_object, number_ranges
from tallyboard.models.common import (
    DYNAMO_MIN_MAGNITUDE,
    Cursor,
    Limit,
    Offset,
    Pagination,
    QueryDate,
    RequestModel,
    ResourceId,
    check_number,
)
from tallyboard.timeutil import MAX_TIMESTAMP_MS

MAX_LIMIT = 1000
_METRIC_ID = "[A-Za-z0-9_.:-]{1,128}"
METRIC_IDS_PATTERN = f"^{_METRIC_ID}(?:,{_METRIC_ID}){{0,49}}$"
MAX_BATCH_POINTS = 1000
MAX_VALUE = 1e15  # |value| above this is refused: sums of a year of points stay exact enough
# The same rule as JSON Schema, so the spec says what check_value enforces.
STORABLE_VALUE_RANGES = number_ranges(MAX_VALUE, DYNAMO_MIN_MAGNITUDE)
METADATA_JSON = JsonLimits(
    name="MetadataValue",
    max_depth=5,
    max_keys=50,
    max_key=128,
    max_number=MAX_VALUE,
    min_fraction=DYNAMO_MIN_MAGNITUDE,
)
Metadata = bounded_json_object(8192, METADATA_JSON)
MAX_TIMESERIES_BUCKETS = 1000

MetricId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=32, strip_whitespace=True)]
MetricName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Interval = Literal["hour", "day", "week", "month"]
Aggregation = Literal["sum", "avg", "min", "max", "count", "last"]
Timestamp = Annotated[int, Field(ge=0, le=MAX_TIMESTAMP_MS, description="Epoch milliseconds")]


def check_value(value: float) -> float:
    check_number(value, MAX_VALUE)
    return value


class PointInput(RequestModel):
    """One point of a batch (the projectId is the batch's)."""

    metricId: MetricId
    value: float = Field(
        strict=True,
        description="A finite number: 0, or 1e-130 <= |value| <= 1e15 (what DynamoDB can hold)",
        json_schema_extra={"anyOf": STORABLE_VALUE_RANGES},
    )
    timestamp: Timestamp | None = Field(None, description="Epoch ms; defaults to now")
    unit: Unit | None = None
    metadata: Metadata | None = None  # type: ignore[valid-type]
    metricName: MetricName | None = Field(None, description="Display name, kept from the first point")
    aggregation: Aggregation | None = Field(
        None,
        description="The metric's natural aggregation, kept from the first point "
        "(default: last for gauges such as *_mrr, sum otherwise)",
    )

    _value = field_validator("value")(check_value)


_PROJECT_ID = Field(None, description="Required unless the key is bound to one project")


class CustomMetricRequest(PointInput):
    projectId: ResourceId | None = _PROJECT_ID


class CustomMetricBatchRequest(RequestModel):
    projectId: ResourceId | None = _PROJECT_ID
    points: Annotated[list[PointInput], Field(min_length=1, max_length=MAX_BATCH_POINTS)]


class CustomMetricResponse(BaseModel):
    success: bool = True
    metricId: str = Field(description="The stored point's id (metric_…)")
    message: str = "Custom metric created successfully"


class CustomMetricBatchResponse(BaseModel):
    success: bool = True
    count: int
    metricIds: list[str] = Field(description="The stored points' ids, in the order of the request")
    message: str = "Custom metrics created successfully"


DataQuality = Literal["synced", "manual"]


def data_quality(connection_id: str | None) -> DataQuality:
    """Points that came through a connection are `synced`; pushed ones are `manual` (seed 002_…)."""
    return "synced" if connection_id else "manual"


class MetricPoint(BaseModel):
    id: str
    projectId: str
    connectionId: str | None = None
    service: str
    metricId: str
    metricName: str
    value: int | float
    unit: str | None = None
    timestamp: int
    metadata: dict[str, Any] = Field(default_factory=dict)
    createdAt: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def dataQuality(self) -> DataQuality:
        return data_quality(self.connectionId)


class MetricList(BaseModel):
    data: list[MetricPoint]
    pagination: Pagination


class ListMetricsQuery(BaseModel):
    projectId: ResourceId | None = Field(None, description="Required unless the key is bound to one project")
    # The pattern states what logic/metrics._metric_ids reads: 1-50 ids, commas between, no spaces.
    metricIds: Annotated[str, StringConstraints(max_length=4000, pattern=METRIC_IDS_PATTERN)] | None = Field(
        None, description="Comma-separated metric ids (at most 50)"
    )
    startDate: QueryDate | None = Field(None, description="From this moment (inclusive)")
    endDate: QueryDate | None = Field(None, description="To this moment (inclusive), not before startDate")
    # The maximum is checked by the logic (a 400 naming `limit`), and shown here for the spec.
    limit: Annotated[Limit, Field(json_schema_extra={"maximum": MAX_LIMIT})] = Field(
        100, description=f"1-{MAX_LIMIT}; above {MAX_LIMIT} is a 400, never clamped"
    )
    offset: Offset = 0
    cursor: Cursor | None = None


class TimeseriesQuery(BaseModel):
    projectId: ResourceId | None = Field(None, description="Required unless the key is bound to one project")
    startDate: QueryDate = Field(description="From this moment (inclusive)")
    endDate: QueryDate = Field(description="To this moment (inclusive), not before startDate")
    interval: Interval = "day"
    aggregation: Aggregation | None = Field(
        None, description="Default: the metric's natural aggregation (last for gauges, sum for counters)"
    )


class TimeseriesPoint(BaseModel):
    timestamp: int = Field(description="Bucket start, epoch ms (UTC)")
    value: int | float


class MetricInfo(BaseModel):
    id: str
    name: str
    unit: str | None = None
    service: str


class TimeseriesResponse(BaseModel):
    data: list[TimeseriesPoint]
    metric: MetricInfo
    interval: Interval
    startDate: str
    endDate: str
