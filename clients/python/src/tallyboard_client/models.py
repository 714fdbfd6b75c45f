"""Response models, written by hand (see the README: why not generated).

Each model names the OpenAPI component it reads (`SCHEMA`); attributes are snake_case, read from
the API's field names (camelCase for analytics resources, snake_case for agency ones). A field
typed without `None` is one the SDK counts on being there; tests/clients/test_drift.py checks
every field against the served spec. `raw` keeps the whole answer, fields the SDK does not know
yet included."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from functools import cache
from types import UnionType
from typing import Any, ClassVar, TypeVar

M = TypeVar("M", bound="Model")


def json_name(cls: type[Model], f: dataclasses.Field[Any]) -> str:
    if "json" in f.metadata:
        return f.metadata["json"]
    if cls.SNAKE:
        return f.name
    head, *rest = f.name.split("_")
    return head + "".join(part.title() for part in rest)


def api(name: str) -> Any:
    """A field whose API name is not the automatic one (a snake_case field of a camelCase model)."""
    return field(default=None, metadata={"json": name})


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _model_of(hint: Any) -> type[Model] | None:
    """The model a field holds (X, X | None), or None."""
    if isinstance(hint, type) and issubclass(hint, Model):
        return hint
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        for arg in typing.get_args(hint):
            found = _model_of(arg)
            if found:
                return found
    return None


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    model = _model_of(hint)
    if model is not None and isinstance(value, dict):
        return model.from_dict(value)
    if typing.get_origin(hint) is list and isinstance(value, list):
        (item,) = typing.get_args(hint) or (Any,)
        item_model = _model_of(item)
        if item_model is not None:
            return [item_model.from_dict(v) if isinstance(v, dict) else v for v in value]
    return value


@dataclass(kw_only=True)
class Model:
    SCHEMA: ClassVar[str] = ""
    SNAKE: ClassVar[bool] = False  # agency resources' fields are snake_case in the API
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls: type[M], data: dict[str, Any]) -> M:
        hints = _hints(cls)
        values = {
            f.name: _convert(hints[f.name], data.get(json_name(cls, f)))
            for f in dataclasses.fields(cls)
            if f.name != "raw"
        }
        return cls(raw=data, **values)

    @classmethod
    def api_fields(cls) -> dict[str, tuple[str, Any]]:
        """API field name -> (attribute, type hint): what the drift test compares with the spec."""
        hints = _hints(cls)
        return {
            json_name(cls, f): (f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.name != "raw"
        }

    def to_dict(self) -> dict[str, Any]:
        return self.raw


# ------------------------------------------------------------------------------- analytics


@dataclass(kw_only=True)
class Pagination(Model):
    SCHEMA = "Pagination"
    total: int = 0
    limit: int = 0
    offset: int = 0
    has_more: bool = False
    next_cursor: str | None = None


@dataclass(kw_only=True)
class MetricPoint(Model):
    SCHEMA = "MetricPoint"
    id: str = ""
    project_id: str = ""
    connection_id: str | None = None
    service: str = ""
    metric_id: str = ""
    metric_name: str = ""
    value: float = 0
    unit: str | None = None
    timestamp: int = 0
    metadata: dict[str, Any] | None = None
    created_at: int = 0
    data_quality: str = ""


@dataclass(kw_only=True)
class TimeseriesPoint(Model):
    SCHEMA = "TimeseriesPoint"
    timestamp: int = 0
    value: float = 0


@dataclass(kw_only=True)
class MetricInfo(Model):
    SCHEMA = "MetricInfo"
    id: str = ""
    name: str = ""
    unit: str | None = None
    service: str = ""


@dataclass(kw_only=True)
class Timeseries(Model):
    SCHEMA = "TimeseriesResponse"
    data: list[TimeseriesPoint] = field(default_factory=list)
    metric: MetricInfo | None = None
    interval: str = ""
    start_date: str = ""
    end_date: str = ""


@dataclass(kw_only=True)
class PushResult(Model):
    SCHEMA = "CustomMetricResponse"
    metric_id: str = ""  # the stored point's id (metric_…), as the document names it
    success: bool | None = None
    message: str | None = None


@dataclass(kw_only=True)
class BatchResult(Model):
    SCHEMA = "CustomMetricBatchResponse"
    count: int = 0
    metric_ids: list[str] = field(default_factory=list)
    success: bool | None = None
    message: str | None = None


@dataclass(kw_only=True)
class Position(Model):
    SCHEMA = "Position"
    x: int = 0
    y: int = 0
    w: int = 0
    h: int = 0


@dataclass(kw_only=True)
class Widget(Model):
    SCHEMA = "Widget"
    id: str = ""
    dashboard_id: str = ""
    type: str = ""
    title: str = ""
    position: Position | None = None
    visible: bool = True
    config: dict[str, Any] = field(default_factory=dict)
    created_at: int = 0
    updated_at: int = 0


@dataclass(kw_only=True)
class Dashboard(Model):
    SCHEMA = "Dashboard"
    id: str = ""
    project_id: str = ""
    name: str = ""
    slug: str = ""
    type: str = ""
    category: str | None = None
    is_default: bool = False
    description: str | None = None
    tags: list[str] | None = None
    pinned: bool | None = None
    created_by: str = ""
    created_at: int = 0
    updated_at: int = 0


@dataclass(kw_only=True)
class DashboardDetail(Dashboard):
    SCHEMA = "DashboardWithWidgets"
    widgets: list[Widget] = field(default_factory=list)


@dataclass(kw_only=True)
class Connection(Model):
    SCHEMA = "Connection"
    id: str = ""
    service: str = ""
    service_name: str | None = None
    category: str | None = None
    auth_type: str | None = None
    status: str | None = None
    last_synced_at: int | None = None
    created_at: int = 0


# ------------------------------------------------------------------------------- exports


@dataclass(kw_only=True)
class ExportRange(Model):
    SCHEMA = "ExportRange"
    start_date: int = 0
    end_date: int = 0


@dataclass(kw_only=True)
class ExportJob(Model):
    SCHEMA = "ExportJob"
    export_job_id: str = ""
    project_id: str = ""
    status: str = ""
    format: str = ""
    date_range: ExportRange | None = None
    data_types: list[str] = field(default_factory=list)
    progress: int = 0
    record_count: int = 0
    size_bytes: int | None = None
    download_url: str | None = None
    expires_at: int | None = None
    error: str | None = None
    created_at: int = 0
    completed_at: int | None = None

    TERMINAL: ClassVar[frozenset[str]] = frozenset({"completed", "failed", "cancelled"})

    @property
    def done(self) -> bool:
        return self.status in self.TERMINAL


@dataclass(kw_only=True)
class ExportCreated(Model):
    SCHEMA = "ExportCreated"
    export_job_id: str = ""
    status: str = ""
    created_at: int = 0


@dataclass(kw_only=True)
class ExportSchedule(Model):
    SCHEMA = "ExportSchedule"
    project_id: str = ""
    frequency: str = ""
    day_of_week: str | None = None
    day_of_month: int | None = None
    hour: int = 0
    format: str = ""
    date_range: str = ""
    data_types: list[str] = field(default_factory=list)
    next_run_at: int = 0
    updated_at: int = 0


@dataclass(kw_only=True)
class AuditLogEntry(Model):
    SCHEMA = "AuditLogEntry"
    id: str = ""
    user_id: str = ""
    action: str = ""
    resource: str = ""
    resource_id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    ip_address: str = ""
    user_agent: str = ""
    created_at: int = 0


# ------------------------------------------------------------------------------- keys


@dataclass(kw_only=True)
class ApiKey(Model):
    SCHEMA = "ApiKey"
    id: str = ""
    name: str = ""
    role: str = ""
    project_ids: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    masked_key: str = ""
    status: str = ""
    user_id: str = ""
    created_by: str = ""
    created_at: int = 0
    revoked_at: int | None = None


@dataclass(kw_only=True)
class CreatedApiKey(ApiKey):
    SCHEMA = "CreatedApiKey"
    key: str = ""  # the plaintext key: shown this once


# ------------------------------------------------------------------------------- agency


@dataclass(kw_only=True)
class Project(Model):
    SCHEMA = "Project"
    SNAKE = True
    id: str = ""
    name: str = ""
    slug: str = ""
    description: str | None = None
    status: str = ""
    client_id: str | None = None
    budget: float | None = None
    start_date: str | None = None
    end_date: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(kw_only=True)
class Client(Model):
    SCHEMA = "Client"
    SNAKE = True
    id: str = ""
    name: str = ""
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    status: str = ""
    created_at: str = ""
    updated_at: str = ""


@dataclass(kw_only=True)
class Task(Model):
    SCHEMA = "Task"
    SNAKE = True
    id: str = ""
    project_id: str = ""
    name: str = ""
    description: str | None = None
    status: str = ""
    priority: str | None = None
    assigned_to: list[str] = field(default_factory=list)
    task_list: str | None = None
    due_date: str | None = None
    start_date: str | None = None
    created_at: str = ""
    updated_at: str = ""
    completed_at: str | None = None


@dataclass(kw_only=True)
class Lead(Model):
    SCHEMA = "Lead"
    SNAKE = True
    id: str = ""
    name: str = ""
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    status: str = ""
    tags: list[str] = field(default_factory=list)
    rep: str | None = None
    value: float | None = None
    source: str | None = None
    notes: str | None = None
    project_id: str | None = None
    client_id: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(kw_only=True)
class TimeEntry(Model):
    SCHEMA = "TimeEntry"
    SNAKE = True
    id: str = ""
    project_id: str = ""
    user_id: str = ""
    user_name: str = ""
    task_id: str | None = None
    date: str = ""
    hours: float = 0
    description: str | None = None
    billable: bool = False
    created_at: str = ""


@dataclass(kw_only=True)
class Note(Model):
    SCHEMA = "Note"
    SNAKE = True
    id: str = ""
    project_id: str = ""
    title: str | None = None
    notes: str = ""
    meeting_date: str | None = None
    attendees: list[str] = field(default_factory=list)
    action_items: list[str] = field(default_factory=list)
    created_by: str = ""
    created_at: str = ""


@dataclass(kw_only=True)
class Holiday(Model):
    SCHEMA = "Holiday"
    SNAKE = True
    id: str = ""
    user_id: str = ""
    user_name: str = ""
    start_date: str = ""
    end_date: str = ""
    days: int = 0
    type: str = ""
    note: str | None = None
    status: str = ""
    created_at: str = ""
    updated_at: str = ""


@dataclass(kw_only=True)
class HolidayStats(Model):
    SCHEMA = "HolidayStats"
    SNAKE = True
    year: int = 0
    allowance_days: int = 0
    taken_days: int = 0
    pending_days: int = 0
    remaining_days: int = 0


@dataclass(kw_only=True)
class Member(Model):
    SCHEMA = "Member"
    SNAKE = True
    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""
    title: str | None = None
    created_at: str = ""


ALL_MODELS: tuple[type[Model], ...] = tuple(
    obj
    for obj in list(globals().values())
    if isinstance(obj, type) and issubclass(obj, Model) and obj is not Model and obj.SCHEMA
)
