"""Metric shapes: points, the list, a time series, custom pushes (docs/api.md "Analytics")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    computed_field,
    field_validator,
)
from pydantic_core import PydanticCustomError

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
    line_text,
)
from tallyboard.timeutil import MAX_TIMESTAMP_MS

MAX_LIMIT = 1000
_METRIC_ID = "[A-Za-z0-9_.:-]{1,128}"
METRIC_IDS_PATTERN = f"^{_METRIC_ID}(?:,{_METRIC_ID}){{0,49}}$"
MAX_BATCH_POINTS = 1000
MAX_VALUE = 1e15  # |value| above this is refused: sums of a year of points stay exact enough
# The same rule as JSON Schema, so the spec says what check_value enforces.
STORABLE_VALUE_RANGES: list[Any] = number_ranges(MAX_VALUE, DYNAMO_MIN_MAGNITUDE)
METADATA_JSON = JsonLimits(
    name="MetadataValue",
    max_depth=5,
    max_keys=50,
    max_key=128,
    max_number=MAX_VALUE,
    min_fraction=DYNAMO_MIN_MAGNITUDE,
)
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    Metadata = dict[str, Any]
else:
    Metadata = bounded_json_object(8192, METADATA_JSON)
MAX_TIMESERIES_BUCKETS = 1000

MetricId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    Unit = str
    MetricName = str
else:
    Unit = line_text(32, min_length=1)
    MetricName = line_text(200, min_length=1)
Interval = Literal["hour", "day", "week", "month"]
Aggregation = Literal["sum", "avg", "min", "max", "count", "last"]
# A point's time: a JSON integer of epoch ms (12, or 12.0: both are JSON Schema integers, as for
# json_int), or an RFC 3339 date-time (ISO 8601 with seconds and a zone). Nothing else is coerced:
# true, "12" and 12.5 are refused, as for `value`. The string's years are 1971-2285, so that no
# offset takes it outside what an integer may be.
ISO_DATE_TIME_PATTERN = (
    r"^(197[1-9]|19[89][0-9]|2[01][0-9]{2}|22[0-7][0-9]|228[0-5])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.[0-9]{1,9})?(Z|([+-])([01][0-9]|2[0-3]):([0-5][0-9]))$"
)
_ISO_DATE_TIME = re.compile(ISO_DATE_TIME_PATTERN)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIMESTAMP_RULE = (
    f"must be epoch milliseconds (an integer, 0-{MAX_TIMESTAMP_MS}) or an ISO 8601 date-time with "
    "seconds and a zone (2024-01-15T10:30:00Z, 2024-01-15T11:30:00.250+01:00)"
)


def _timestamp_ms(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # -0.0 is the integer 0
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TIMESTAMP_MS:
        return value
    match = _ISO_DATE_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        year, month, day, hour, minute, second, fraction, zone, sign, zone_h, zone_m = match.groups()
        try:
            local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
        except ValueError:  # a day the month does not have
            pass
        else:
            offset = timedelta(0) if zone == "Z" else timedelta(hours=int(zone_h), minutes=int(zone_m))
            moment = local.replace(tzinfo=UTC) - (-offset if sign == "-" else offset)
            millis = int((fraction or ".0")[1:4].ljust(3, "0"))  # below a millisecond: dropped
            return (moment - _EPOCH) // timedelta(milliseconds=1) + millis
    raise PydanticCustomError("timestamp", TIMESTAMP_RULE)


Timestamp = Annotated[
    int,
    PlainValidator(_timestamp_ms),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_TIMESTAMP_MS, "description": "Epoch ms"},
                {
                    "type": "string",
                    "format": "date-time",
                    "pattern": ISO_DATE_TIME_PATTERN,
                    "description": "RFC 3339: seconds and a zone; stored as epoch ms",
                },
            ]
        }
    ),
]


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
    timestamp: Timestamp | None = Field(
        None, description="Epoch ms or an ISO 8601 date-time with a zone; defaults to now"
    )
    unit: Unit | None = None
    metadata: Metadata | None = None
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
    """Points that came through a connection are `synced`; pushed ones are `manual` (the export document)."""
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
