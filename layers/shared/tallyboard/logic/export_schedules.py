"""Scheduled exports (docs/api.md "Data export": GET/PUT/DELETE /exports/schedule): one weekly or
monthly EventBridge schedule per project, whose target starts an export exactly as
POST /exports does, as the user who set the schedule up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import entities, export_schedules
from tallyboard.errors import Conflict, NotFound
from tallyboard.ids import now_ms
from tallyboard.logic import audit, exports
from tallyboard.models.exports import (
    ExportContents,
    ExportSchedule,
    ExportScheduleRequest,
    MonthlySchedule,
    WeeklySchedule,
)
from tallyboard.plans import get_plan
from tallyboard.timeutil import to_datetime, to_ms

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _settings(request: ExportScheduleRequest) -> dict[str, Any]:
    return {
        "frequency": request.frequency,
        "dayOfWeek": request.dayOfWeek if isinstance(request, WeeklySchedule) else None,
        "dayOfMonth": request.dayOfMonth if isinstance(request, MonthlySchedule) else None,
        "hour": request.hour,
        "format": request.format,
        "dateRange": request.dateRange,
        "dataTypes": request.data_types(),
    }


def cron_expression(settings: dict[str, Any]) -> str:
    if settings["frequency"] == "weekly":
        return f"cron(0 {settings['hour']} ? * {settings['dayOfWeek'][:3].upper()} *)"
    return f"cron(0 {settings['hour']} {settings['dayOfMonth']} * ? *)"


def next_run(settings: dict[str, Any], after_ms: int) -> int:
    """The first run strictly after `after_ms` (UTC), as the cron expression above fires."""
    after = to_datetime(after_ms)
    hour = settings["hour"]
    if settings["frequency"] == "weekly":
        weekday = WEEKDAYS.index(settings["dayOfWeek"])
        day = after.replace(hour=hour, minute=0, second=0, microsecond=0)
        day += timedelta(days=(weekday - day.weekday()) % 7)
        if day <= after:
            day += timedelta(days=7)
        return to_ms(day)
    year, month = after.year, after.month
    while True:
        candidate = datetime(year, month, settings["dayOfMonth"], hour, tzinfo=UTC)
        if candidate > after:
            return to_ms(candidate)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _public(project_id: str, payload: dict[str, Any], now: int) -> ExportSchedule:
    settings = payload["schedule"]
    return ExportSchedule(
        projectId=project_id,
        **settings,
        nextRunAt=next_run(settings, now),
        updatedAt=payload["updatedAt"],
    )


def put(caller: Caller, project_id: str | None, request: ExportScheduleRequest) -> ExportSchedule:
    exports.require_export_access(caller)
    project = access.project_for(caller, project_id)
    settings = _settings(request)
    now = now_ms()
    payload = {
        "workspaceId": caller.workspace_id,
        "projectId": project,
        "userId": caller.user_id,
        "schedule": settings,
        "updatedAt": now,
    }
    export_schedules.put(
        export_schedules.schedule_name(caller.workspace_id, project),
        cron_expression(settings),
        payload,
        f"Tallyboard {settings['frequency']} export of {project}",
    )
    audit.record(
        caller, "export_schedule.put", "export_schedule", project, project_id=project, metadata=settings
    )
    return _public(project, payload, now)


def _existing(caller: Caller, project_id: str | None) -> tuple[str, dict[str, Any]]:
    exports.require_export_access(caller)
    project = access.project_for(caller, project_id)
    found = export_schedules.get(export_schedules.schedule_name(caller.workspace_id, project))
    if found is None:
        raise NotFound("This project has no export schedule")
    return project, found


def get(caller: Caller, project_id: str | None) -> ExportSchedule:
    project, found = _existing(caller, project_id)
    return _public(project, found["payload"], now_ms())


def delete(caller: Caller, project_id: str | None) -> None:
    project, _ = _existing(caller, project_id)
    export_schedules.delete(export_schedules.schedule_name(caller.workspace_id, project))
    audit.record(caller, "export_schedule.delete", "export_schedule", project, project_id=project)


def run(payload: dict[str, Any]) -> dict[str, Any]:
    """The schedule's target: start the export as POST /exports would, for the user who set the
    schedule up. A plan that lost exports, or an export already running, skips this run (and
    says so in the audit log) rather than failing into the dead-letter queue."""
    workspace = entities.get_workspace(payload["workspaceId"]) or {}
    plan = get_plan(workspace.get("plan", "free"))
    caller = Caller.system(
        payload["workspaceId"], payload["userId"], "export-schedule", plan, payload["projectId"]
    )
    settings = payload["schedule"]
    if not plan.exports:
        return _skipped(caller, payload, "the plan no longer includes exports")
    types = settings["dataTypes"]
    contents = ExportContents(
        format=settings["format"],
        dateRange=settings["dateRange"],
        includeMetrics="metrics" in types,
        includeConnections="connections" in types,
        includeDashboards="dashboards" in types,
        includeAuditLogs="auditLogs" in types,
    )
    try:
        job = exports.start(caller, payload["projectId"], contents, trigger="schedule")
    except Conflict:
        return _skipped(caller, payload, "another export of the project was in progress")
    return {"exportJobId": job["id"], "status": job["status"]}


def _skipped(caller: Caller, payload: dict[str, Any], reason: str) -> dict[str, Any]:
    audit.record(
        caller,
        "export_schedule.skip",
        "export_schedule",
        payload["projectId"],
        project_id=payload["projectId"],
        metadata={"reason": reason},
    )
    return {"skipped": reason}
