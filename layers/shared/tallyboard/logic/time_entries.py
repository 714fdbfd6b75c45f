"""Time logged on a project: list with day and member filters, log an entry (0 < hours ≤ 24)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import project_stats, tasks, team, time_entries
from tallyboard.errors import BadRequest, unknown_reference
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.models.time_entries import (
    CreateTimeEntryRequest,
    TimeEntry,
    TimeEntryList,
    TimeEntryQuery,
    TimeEntryResponse,
)
from tallyboard.timeutil import to_iso


def public_entry(entry: dict[str, Any]) -> TimeEntry:
    return TimeEntry(
        **{k: entry.get(k) for k in TimeEntry.model_fields if k != "created_at"},
        created_at=to_iso(entry["createdAt"]),
    )


def counters(entry: dict[str, Any]) -> dict[str, int | float]:
    """What one entry adds to its project's stats."""
    hours = entry["hours"]
    return {
        project_stats.HOURS: hours,
        project_stats.BILLABLE: hours if entry["billable"] else 0,
        project_stats.ENTRIES: 1,
        project_stats.MEMBER_HOURS + entry["user_id"]: hours,
    }


def list_entries(caller: Caller, project_id: str, query: TimeEntryQuery) -> TimeEntryList:
    caller.require("viewer", "project:read")
    project = access.project_in_path(caller, project_id)
    if query.from_ and query.to and query.to < query.from_:
        raise _invalid("to", "must not be before from")
    ws = caller.workspace_id
    filters = (query.from_, query.to, query.user_id)
    scope = f"time|{ws}|{project}|{query.from_ or ''}|{query.to or ''}|{query.user_id or ''}"
    spec = pages.page_spec(query.limit, query.offset, query.cursor, scope)
    page = time_entries.page(ws, project, spec, *filters)
    return TimeEntryList(
        data=[public_entry(e) for e in page.items],
        pagination=pages.pagination(spec, time_entries.count(ws, project, *filters), page),
    )


def _invalid(field: str, why: str) -> BadRequest:
    return BadRequest(f"Invalid parameter: {field}: {why}", details={field: why})


def create(caller: Caller, project_id: str, request: CreateTimeEntryRequest) -> TimeEntryResponse:
    caller.require("editor", "project:write")
    project = access.project_in_path(caller, project_id)
    ws = caller.workspace_id
    user_id = request.user_id or caller.user_id
    member = team.get(ws, user_id)
    if member is None or member.get("removedAt"):
        raise unknown_reference("user_id", "Team member", user_id)
    if request.task_id is not None:
        task = tasks.get(ws, request.task_id)
        if task is None or task["project_id"] != project:
            raise unknown_reference("task_id", "Task", request.task_id)
    now = now_ms()
    record = {
        "id": new_id("time"),
        "project_id": project,
        "user_id": user_id,
        "user_name": member["name"],
        "task_id": request.task_id,
        "date": request.date or datetime.fromtimestamp(now / 1000, UTC).date().isoformat(),
        "hours": request.hours,
        "description": request.description,
        "billable": request.billable,
        "createdAt": now,
    }
    time_entries.create(ws, record, counters(record))
    audit.record(
        caller,
        "time_entry.create",
        "time_entry",
        record["id"],
        project_id=project,
        metadata={"userId": user_id, "hours": request.hours, "date": record["date"]},
    )
    return TimeEntryResponse(data=public_entry(record))
