"""Resources: one class per API area. Written once for both clients: each method returns what the
client's `call`/`paginate` return (a value for Tallyboard, an awaitable or async iterator for
AsyncTallyboard); the few methods that loop (exports' run, wait, download) have async twins."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tallyboard_client._client import iso
from tallyboard_client._errors import ExportFailedError
from tallyboard_client.models import (
    ApiKey,
    AuditLogEntry,
    BatchResult,
    Client,
    Connection,
    CreatedApiKey,
    Dashboard,
    DashboardDetail,
    ExportCreated,
    ExportJob,
    ExportSchedule,
    Holiday,
    Lead,
    Member,
    MetricPoint,
    Note,
    Project,
    PushResult,
    Task,
    TimeEntry,
    Timeseries,
)

if TYPE_CHECKING:
    from tallyboard_client._client import AsyncTallyboard, Tallyboard
    from tallyboard_client.batcher import MetricsBatcher

When = datetime | date | int | str
Progress = Callable[[ExportJob], Any]

# Python names of a point's fields -> the API's
_POINT_FIELDS = {"metric_id": "metricId", "metric_name": "metricName"}
POINT_KEYS = ("metricId", "value", "timestamp", "unit", "metadata", "metricName", "aggregation")


def point_body(point: Mapping[str, Any]) -> dict[str, Any]:
    body = {_POINT_FIELDS.get(k, k): v for k, v in point.items() if v is not None}
    unknown = set(body) - set(POINT_KEYS)
    if unknown:
        raise ValueError(f"a point has no field {sorted(unknown)}")
    return body


class Resource:
    def __init__(self, client: Tallyboard | AsyncTallyboard):
        self._c = client

    def _project(self, project_id: str | None, *, required: bool = False) -> str | None:
        chosen = project_id or self._c.project_id
        if required and not chosen:
            raise ValueError(
                "project_id is required (or set TALLYBOARD_PROJECT_ID / the client's project_id)"
            )
        return chosen


class Metrics(Resource):
    def list(
        self,
        project_id: str | None = None,
        *,
        metric_ids: Iterable[str] | str | None = None,
        start_date: When | None = None,
        end_date: When | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Any:
        """Points, newest first, across pages (following nextCursor); `limit` is the page size."""
        ids = metric_ids if isinstance(metric_ids, str) or metric_ids is None else list(metric_ids)
        query = {
            "projectId": self._project(project_id),
            "metricIds": ids,
            "startDate": iso(start_date),
            "endDate": iso(end_date),
            "limit": limit,
            "offset": offset,
        }
        return self._c.paginate("metrics.list", MetricPoint, query=query)

    def push(
        self,
        metric_id: str,
        value: float,
        *,
        project_id: str | None = None,
        timestamp: int | datetime | None = None,
        unit: str | None = None,
        metadata: dict[str, Any] | None = None,
        metric_name: str | None = None,
        aggregation: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """One point (POST /metrics/custom). An Idempotency-Key is made per call and sent on each
        of its retries, so a retried push is stored once."""
        body = {
            "projectId": self._project(project_id),
            "metricId": metric_id,
            "value": value,
            "timestamp": _epoch_ms(timestamp),
            "unit": unit,
            "metadata": metadata,
            "metricName": metric_name,
            "aggregation": aggregation,
        }
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        return self._c.call("metrics.push", PushResult, unwrap=False, body=body, headers=headers)

    def push_batch(
        self,
        points: Iterable[Mapping[str, Any]],
        *,
        project_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Up to 1,000 points in one request (all or nothing); ids in the points' order."""
        body = {
            "projectId": self._project(project_id),
            "points": [point_body({**p, "timestamp": _epoch_ms(p.get("timestamp"))}) for p in points],
        }
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        return self._c.call("metrics.push_batch", BatchResult, unwrap=False, body=body, headers=headers)

    def timeseries(
        self,
        metric_id: str,
        *,
        start_date: When,
        end_date: When,
        project_id: str | None = None,
        interval: str | None = None,
        aggregation: str | None = None,
    ) -> Any:
        """Buckets (UTC; weeks start Monday) of `interval` hour/day/week/month, aggregated with
        sum/avg/min/max/count/last (default: the metric's own). `aggregation` is how a total or
        an average over a range is asked for: one bucket (interval="month") per month."""
        query = {
            "projectId": self._project(project_id),
            "startDate": iso(start_date),
            "endDate": iso(end_date),
            "interval": interval,
            "aggregation": aggregation,
        }
        return self._c.call(
            "metrics.timeseries", Timeseries, unwrap=False, path={"metricId": metric_id}, query=query
        )

    def batcher(
        self,
        project_id: str | None = None,
        *,
        max_points: int = 1000,
        max_age: float = 5.0,
        on_error: Callable[[Exception, list[dict[str, Any]]], Any] | None = None,
    ) -> MetricsBatcher:
        from tallyboard_client.batcher import MetricsBatcher

        return MetricsBatcher(
            self, project_id=project_id, max_points=max_points, max_age=max_age, on_error=on_error
        )


class Connections(Resource):
    def list(self, project_id: str | None = None, *, limit: int | None = None) -> Any:
        return self._c.paginate(
            "connections.list", Connection, query={"projectId": self._project(project_id), "limit": limit}
        )


class Dashboards(Resource):
    def list(self, project_id: str | None = None, *, limit: int | None = None) -> Any:
        return self._c.paginate(
            "dashboards.list", Dashboard, query={"projectId": self._project(project_id), "limit": limit}
        )

    def get(self, dashboard_id: str) -> Any:
        return self._c.call("dashboards.get", DashboardDetail, path={"dashboardId": dashboard_id})

    def create(
        self,
        name: str,
        *,
        project_id: str | None = None,
        type: str = "custom",
        category: str | None = None,
        is_default: bool | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
    ) -> Any:
        body = {
            "projectId": self._project(project_id),
            "name": name,
            "type": type,
            "category": category,
            "isDefault": is_default,
            "description": description,
            "tags": tags,
        }
        return self._c.call("dashboards.create", DashboardDetail, body=body)

    def update(self, dashboard_id: str, **fields: Any) -> Any:
        """PATCH name, description, pinned, tags or deleted (deleted=True is the soft delete)."""
        return self._c.call(
            "dashboards.update", DashboardDetail, path={"dashboardId": dashboard_id}, body=fields
        )

    def run_insights(
        self,
        dashboard_id: str,
        *,
        refresh: str | None = None,
        output_format: str | None = None,
        format: str = "json",
    ) -> Any:
        """Every tile's current result: a dict, or with format="txt" the plain-text rendering."""
        query = {
            "refresh": refresh,
            "output_format": output_format,
            "format": None if format == "json" else format,
        }
        return self._c.call(
            "dashboards.run_insights",
            None,
            unwrap=False,
            text=format == "txt",
            path={"dashboardId": dashboard_id},
            query=query,
        )


class ExportSchedules(Resource):
    def get(self, project_id: str | None = None) -> Any:
        return self._c.call(
            "exports.schedule.get",
            ExportSchedule,
            unwrap=False,
            query={"projectId": self._project(project_id)},
        )

    def set(
        self,
        frequency: str,
        *,
        project_id: str | None = None,
        day_of_week: str | None = None,
        day_of_month: int | None = None,
        hour: int | None = None,
        format: str | None = None,
        date_range: str | None = None,
        **include: bool | None,
    ) -> Any:
        """frequency "weekly" (day_of_week) or "monthly" (day_of_month); include_* as for create."""
        body = {
            "frequency": frequency,
            "dayOfWeek": day_of_week,
            "dayOfMonth": day_of_month,
            "hour": hour,
            "format": format,
            "dateRange": date_range,
            **_includes(include),
        }
        return self._c.call(
            "exports.schedule.set",
            ExportSchedule,
            unwrap=False,
            query={"projectId": self._project(project_id)},
            body=body,
        )

    def delete(self, project_id: str | None = None) -> Any:
        return self._c.call("exports.schedule.delete", query={"projectId": self._project(project_id)})


def _includes(include: Mapping[str, bool | None]) -> dict[str, bool | None]:
    names = {
        "include_metrics": "includeMetrics",
        "include_connections": "includeConnections",
        "include_dashboards": "includeDashboards",
        "include_audit_logs": "includeAuditLogs",
        "include_all": "includeAll",
    }
    unknown = set(include) - set(names)
    if unknown:
        raise TypeError(f"unexpected arguments {sorted(unknown)}")
    return {names[k]: v for k, v in include.items()}


def _date_range(value: str | tuple[When, When] | Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    start, end = value
    return {"startDate": _epoch_ms(start), "endDate": _epoch_ms(end)}


class Exports(Resource):
    def __init__(self, client: Tallyboard | AsyncTallyboard):
        super().__init__(client)
        self.schedule = ExportSchedules(client)

    def create(
        self,
        *,
        project_id: str | None = None,
        format: str = "json",
        date_range: str | tuple[When, When] | Mapping[str, Any] = "all_time",
        **include: bool | None,
    ) -> Any:
        """Start an export (202): `date_range` a preset (last_7_days … all_time) or (start, end);
        include_metrics / include_connections / include_dashboards / include_audit_logs /
        include_all (none given: everything)."""
        body = {
            "projectId": self._project(project_id),
            "format": format,
            "dateRange": _date_range(date_range),
            **_includes(include),
        }
        return self._c.call("exports.create", ExportCreated, unwrap=False, body=body)

    def get(self, export_job_id: str) -> Any:
        return self._c.call("exports.get", ExportJob, unwrap=False, path={"exportJobId": export_job_id})

    def list(self, project_id: str | None = None, *, limit: int | None = None) -> Any:
        return self._c.paginate(
            "exports.list", ExportJob, query={"projectId": self._project(project_id), "limit": limit}
        )

    def cancel(self, export_job_id: str) -> Any:
        return self._c.call("exports.cancel", ExportJob, unwrap=False, path={"exportJobId": export_job_id})

    def wait(
        self,
        export_job_id: str,
        *,
        progress: Progress | None = None,
        poll_interval: float = 2.0,
        timeout: float | None = None,
    ) -> ExportJob:
        """Poll until the job ends; `progress(job)` after every poll. Raises ExportFailedError if
        it failed or was cancelled, TimeoutError after `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job: ExportJob = self.get(export_job_id)
            if progress:
                progress(job)
            if job.done:
                return _finished(job)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"export {export_job_id} still {job.status} after {timeout} s")
            time.sleep(poll_interval)

    def run(
        self,
        *,
        wait: bool = True,
        progress: Progress | None = None,
        poll_interval: float = 2.0,
        timeout: float | None = None,
        **create: Any,
    ) -> ExportJob:
        """create() then, with wait=True, wait() for the finished job (its downloadUrl set)."""
        created = self.create(**create)
        if not wait:
            return self.get(created.export_job_id)
        return self.wait(
            created.export_job_id, progress=progress, poll_interval=poll_interval, timeout=timeout
        )

    def download(
        self,
        job: ExportJob | str,
        path: os.PathLike[str] | str,
        *,
        progress: Callable[[int, int | None], Any] | None = None,
    ) -> Path:
        """Stream the finished export's file to `path` (bytes written so far and the total, if
        known, to `progress`). The signed link is fetched anew when given a job id."""
        if isinstance(job, str) or not job.download_url:
            job = self.get(job if isinstance(job, str) else job.export_job_id)
        self._c.stream_to(_download_url(job), path, progress)
        return Path(path)


def _finished(job: ExportJob) -> ExportJob:
    if job.status != "completed":
        raise ExportFailedError(job)
    return job


def _download_url(job: ExportJob) -> str:
    if job.status != "completed" or not job.download_url:
        raise (
            ExportFailedError(job)
            if job.status in ("failed", "cancelled")
            else ValueError(f"export {job.export_job_id} is {job.status}; it has no file (yet)")
        )
    return job.download_url


class AsyncExports(Exports):
    async def wait(  # type: ignore[override]
        self,
        export_job_id: str,
        *,
        progress: Progress | None = None,
        poll_interval: float = 2.0,
        timeout: float | None = None,
    ) -> ExportJob:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job: ExportJob = await self.get(export_job_id)
            if progress:
                progress(job)
            if job.done:
                return _finished(job)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"export {export_job_id} still {job.status} after {timeout} s")
            await asyncio.sleep(poll_interval)

    async def run(  # type: ignore[override]
        self,
        *,
        wait: bool = True,
        progress: Progress | None = None,
        poll_interval: float = 2.0,
        timeout: float | None = None,
        **create: Any,
    ) -> ExportJob:
        created = await self.create(**create)
        if not wait:
            return await self.get(created.export_job_id)
        return await self.wait(
            created.export_job_id, progress=progress, poll_interval=poll_interval, timeout=timeout
        )

    async def download(  # type: ignore[override]
        self,
        job: ExportJob | str,
        path: os.PathLike[str] | str,
        *,
        progress: Callable[[int, int | None], Any] | None = None,
    ) -> Path:
        if isinstance(job, str) or not job.download_url:
            job = await self.get(job if isinstance(job, str) else job.export_job_id)
        await self._c.stream_to(_download_url(job), path, progress)  # type: ignore[misc]
        return Path(path)


class AuditLogs(Resource):
    def list(
        self,
        project_id: str | None = None,
        *,
        action: str | None = None,
        start_date: When | None = None,
        end_date: When | None = None,
        limit: int | None = None,
    ) -> Any:
        query = {
            "projectId": self._project(project_id),
            "action": action,
            "startDate": iso(start_date),
            "endDate": iso(end_date),
            "limit": limit,
        }
        return self._c.paginate("audit_logs.list", AuditLogEntry, query=query)


class Keys(Resource):
    def list(self, *, limit: int | None = None) -> Any:
        return self._c.paginate("keys.list", ApiKey, query={"limit": limit})

    def create(
        self,
        name: str,
        role: str,
        *,
        project_ids: list[str] | None = None,
        scopes: list[str] | None = None,
        user_id: str | None = None,
    ) -> Any:
        """A new key; its plaintext (`.key`) is in this answer only."""
        body = {"name": name, "role": role, "projectIds": project_ids, "scopes": scopes, "userId": user_id}
        return self._c.call("keys.create", CreatedApiKey, body=body)

    def revoke(self, key_id: str) -> Any:
        return self._c.call("keys.revoke", path={"keyId": key_id})


class Projects(Resource):
    def list(self, *, limit: int | None = None) -> Any:
        return self._c.paginate("projects.list", Project, query={"limit": limit})

    def get(self, project_id: str) -> Any:
        return self._c.call("projects.get", Project, path={"projectId": project_id})

    def update(self, project_id: str, **fields: Any) -> Any:
        return self._c.call("projects.update", Project, path={"projectId": project_id}, body=fields)

    def archive(self, project_id: str) -> Any:
        return self._c.call("projects.archive", Project, path={"projectId": project_id})

    def stats(self, project_id: str | None = None) -> Any:
        return self._c.call("projects.stats", path={"projectId": self._project(project_id, required=True)})

    def campaign_metrics(self, project_id: str | None = None) -> Any:
        return self._c.call(
            "projects.campaign_metrics",
            unwrap=False,
            path={"projectId": self._project(project_id, required=True)},
        )


class Clients(Resource):
    def list(self, *, limit: int | None = None) -> Any:
        return self._c.paginate("clients.list", Client, query={"limit": limit})

    def create(self, name: str, **fields: Any) -> Any:
        return self._c.call("clients.create", Client, body={"name": name, **fields})

    def projects(self, client_id: str, *, status: str | None = None, limit: int | None = None) -> Any:
        return self._c.paginate(
            "clients.projects", Project, path={"id": client_id}, query={"status": status, "limit": limit}
        )

    def create_project(self, client_id: str, name: str, **fields: Any) -> Any:
        return self._c.call(
            "clients.create_project", Project, path={"id": client_id}, body={"name": name, **fields}
        )

    def team(self, client_id: str) -> Any:
        return self._c.call("clients.team", path={"id": client_id})


class Tasks(Resource):
    def list(
        self,
        project_id: str | None = None,
        *,
        status: str | None = None,
        assigned_to: str | None = None,
        task_list: str | None = None,
        limit: int | None = None,
    ) -> Any:
        query = {"status": status, "assigned_to": assigned_to, "task_list": task_list, "limit": limit}
        path = {"projectId": self._project(project_id, required=True)}
        return self._c.paginate("tasks.list", Task, path=path, query=query)

    def create(self, name: str, *, project_id: str | None = None, **fields: Any) -> Any:
        """fields: description, status, priority, assigned_to (ids or names), task_list, due_date,
        start_date."""
        path = {"projectId": self._project(project_id, required=True)}
        return self._c.call("tasks.create", Task, path=path, body={"name": name, **_dates(fields)})

    def get(self, task_id: str) -> Any:
        return self._c.call("tasks.get", Task, path={"taskId": task_id})

    def update(self, task_id: str, **fields: Any) -> Any:
        return self._c.call("tasks.update", Task, path={"taskId": task_id}, body=_dates(fields))

    def delete(self, task_id: str) -> Any:
        return self._c.call("tasks.delete", path={"taskId": task_id})


class Leads(Resource):
    def list(self, *, status: str | None = None, rep: str | None = None, limit: int | None = None) -> Any:
        return self._c.paginate("leads.list", Lead, query={"status": status, "rep": rep, "limit": limit})

    def create(self, name: str, status: str, **fields: Any) -> Any:
        return self._c.call("leads.create", Lead, body={"name": name, "status": status, **fields})

    def get(self, lead_id: str) -> Any:
        return self._c.call("leads.get", Lead, path={"leadId": lead_id})

    def update(self, lead_id: str, **fields: Any) -> Any:
        """Only the fields sent change; None clears one (not name or status)."""
        return self._c.call("leads.update", Lead, path={"leadId": lead_id}, body=fields)

    def delete(self, lead_id: str) -> Any:
        return self._c.call("leads.delete", path={"leadId": lead_id})


class Time(Resource):
    def list(
        self,
        project_id: str | None = None,
        *,
        from_: When | None = None,
        to: When | None = None,
        user_id: str | None = None,
        limit: int | None = None,
    ) -> Any:
        query = {"from": _day(from_), "to": _day(to), "user_id": user_id, "limit": limit}
        path = {"projectId": self._project(project_id, required=True)}
        return self._c.paginate("time.list", TimeEntry, path=path, query=query)

    def create(self, hours: float, *, project_id: str | None = None, **fields: Any) -> Any:
        """fields: date (default today), user_id, task_id, description, billable."""
        path = {"projectId": self._project(project_id, required=True)}
        return self._c.call("time.create", TimeEntry, path=path, body={"hours": hours, **_dates(fields)})


class Notes(Resource):
    def list(self, project_id: str | None = None, *, limit: int | None = None) -> Any:
        path = {"projectId": self._project(project_id, required=True)}
        return self._c.paginate("notes.list", Note, path=path, query={"limit": limit})

    def create(self, notes: str, *, project_id: str | None = None, **fields: Any) -> Any:
        """fields: title, meeting_date, attendees, action_items."""
        path = {"projectId": self._project(project_id, required=True)}
        return self._c.call("notes.create", Note, path=path, body={"notes": notes, **_dates(fields)})


class Holidays(Resource):
    def list(
        self,
        *,
        scope: str | None = None,
        status: str | None = None,
        year: int | None = None,
        limit: int | None = None,
    ) -> Any:
        """Requests across pages; `.first_page().raw["stats"]` holds the year's allowance figures."""
        query = {"scope": scope, "status": status, "year": year, "limit": limit}
        return self._c.paginate("holidays.list", Holiday, query=query)

    def create(self, start_date: When, end_date: When, **fields: Any) -> Any:
        """fields: type (annual/sick/unpaid/other), note."""
        body = {"start_date": _day(start_date), "end_date": _day(end_date), **fields}
        return self._c.call("holidays.create", Holiday, body=body)

    def update(self, holiday_id: str, status: str) -> Any:
        return self._c.call(
            "holidays.update", Holiday, path={"holidayId": holiday_id}, body={"status": status}
        )


class Team(Resource):
    def list(self, *, limit: int | None = None) -> Any:
        return self._c.paginate("team.list", Member, query={"limit": limit})


def _epoch_ms(value: Any) -> Any:
    """Epoch ms; a datetime without a zone is UTC, as the API reads a date without one."""
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() * 1000)
    return value


def _day(value: When | None) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value  # type: ignore[return-value]


def _dates(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: _day(v) if isinstance(v, (date, datetime)) else v for k, v in fields.items()}
