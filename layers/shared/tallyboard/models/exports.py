"""Export shapes (docs/api.md "Data export"): create, job, list, schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from tallyboard.models.common import (
    Cursor,
    Limit,
    Offset,
    Pagination,
    QueryDate,
    RequestModel,
    ResourceId,
    json_int,
)
from tallyboard.timeutil import MAX_TIMESTAMP_MS

ExportFormat = Literal["json", "csv"]
DateRangePreset = Literal["last_7_days", "last_30_days", "last_90_days", "last_year", "all_time"]
ExportStatus = Literal["queued", "processing", "completed", "failed", "cancelled"]
DataType = Literal["metrics", "connections", "dashboards", "auditLogs"]
DATA_TYPES: tuple[DataType, ...] = ("metrics", "connections", "dashboards", "auditLogs")
MAX_HISTORY_LIMIT = 100

# A bound in a custom range: epoch milliseconds or an ISO 8601 date (the seed's client sends ms).
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    RangeBound = int | str
else:
    RangeBound = Annotated[json_int(0, MAX_TIMESTAMP_MS), Field(description="Epoch milliseconds")] | QueryDate


class CustomDateRange(RequestModel):
    startDate: RangeBound
    endDate: RangeBound


DateRange = Annotated[
    DateRangePreset | CustomDateRange,
    Field(description="A preset, or {startDate, endDate} in epoch ms or ISO 8601"),
]


_INCLUDE_FLAGS = ("includeMetrics", "includeConnections", "includeDashboards", "includeAuditLogs")
# What `_something_to_export` enforces, as JSON Schema: no flag sent (every type), includeAll
# true, or some include… flag true.
_SOMETHING_TO_EXPORT: dict[str, Any] = {
    "anyOf": [
        {"properties": {flag: {"type": "null"} for flag in _INCLUDE_FLAGS}},
        *(
            {"properties": {flag: {"const": True}}, "required": [flag]}
            for flag in ("includeAll", *_INCLUDE_FLAGS)
        ),
    ]
}


class ExportContents(RequestModel):
    """What an export holds: format, range and data types (shared by a job and a schedule)."""

    model_config = ConfigDict(json_schema_extra=_SOMETHING_TO_EXPORT)

    format: ExportFormat = "json"
    dateRange: DateRange = "all_time"
    includeMetrics: StrictBool | None = None
    includeConnections: StrictBool | None = None
    includeDashboards: StrictBool | None = None
    includeAuditLogs: StrictBool | None = None
    includeAll: StrictBool | None = Field(
        None, description="Every data type; also the default when no flag is sent"
    )

    def data_types(self) -> list[DataType]:
        flags: dict[DataType, bool | None] = {
            "metrics": self.includeMetrics,
            "connections": self.includeConnections,
            "dashboards": self.includeDashboards,
            "auditLogs": self.includeAuditLogs,
        }
        if self.includeAll or all(v is None for v in flags.values()):
            return list(DATA_TYPES)
        return [name for name, included in flags.items() if included]

    @model_validator(mode="after")
    def _something_to_export(self) -> ExportContents:
        if not self.data_types():
            raise ValueError("select at least one data type (includeAll or an include… flag)")
        return self


class CreateExportRequest(ExportContents):
    projectId: ResourceId | None = Field(None, description="Optional for a key bound to exactly one project")


class ExportCreated(BaseModel):
    exportJobId: str
    status: Literal["queued"]
    createdAt: int


class ExportRange(BaseModel):
    startDate: int
    endDate: int


class ExportJob(BaseModel):
    exportJobId: str
    projectId: str
    status: ExportStatus
    format: ExportFormat
    dateRange: ExportRange
    dataTypes: list[DataType]
    trigger: Literal["api", "schedule"]
    progress: int = Field(ge=0, le=100)
    recordCount: int
    sizeBytes: int | None = None
    downloadUrl: str | None = Field(None, description="Completed jobs only: signed, valid until expiresAt")
    expiresAt: int | None = Field(None, description="When the file is deleted: 24 hours after completion")
    fileExpired: bool = Field(False, description="The file is gone (past expiresAt): create a new export")
    error: str | None = Field(None, description="Failed jobs only")
    createdAt: int
    completedAt: int | None = None


class ExportList(BaseModel):
    data: list[ExportJob]
    pagination: Pagination


class ExportListQuery(BaseModel):
    projectId: ResourceId | None = None
    limit: Annotated[Limit, Field(le=MAX_HISTORY_LIMIT)] = 20
    offset: Offset = 0
    cursor: Cursor | None = None


class ProjectQuery(BaseModel):
    projectId: ResourceId | None = Field(None, description="Optional for a key bound to exactly one project")


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class _ScheduleContents(ExportContents):
    # A schedule exports a moving window: fixed dates would export the same data every run.
    dateRange: DateRangePreset = "last_7_days"
    hour: json_int(0, 23) = Field(0, description="UTC hour it runs")  # type: ignore[valid-type]


class WeeklySchedule(_ScheduleContents):
    frequency: Literal["weekly"]
    dayOfWeek: Weekday = Field("monday", description="The day it runs")


class MonthlySchedule(_ScheduleContents):
    frequency: Literal["monthly"]
    dayOfMonth: json_int(1, 28) = Field(1, description="The day it runs, 1-28")  # type: ignore[valid-type]


# The day that fits the frequency, as the schema says (dayOfMonth on a weekly schedule is unknown).
ExportScheduleRequest = Annotated[WeeklySchedule | MonthlySchedule, Field(discriminator="frequency")]


class ExportSchedule(BaseModel):
    projectId: str
    frequency: Literal["weekly", "monthly"]
    dayOfWeek: Weekday | None
    dayOfMonth: int | None
    hour: int
    format: ExportFormat
    dateRange: DateRangePreset
    dataTypes: list[DataType]
    nextRunAt: int = Field(description="Epoch ms (UTC) of the next run")
    updatedAt: int
