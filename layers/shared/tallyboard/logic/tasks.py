"""Tasks of a project: list with filters, create, read, partial update, delete. `assigned_to`
takes user ids or display names and stores display names (the member ids are kept beside them,
for the assignee filter and the project's stats); `completed_at` follows the status `done`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import project_stats, tasks, team
from tallyboard.data.dynamo import Page
from tallyboard.errors import BadRequest, Conflict, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.logic.partial_update import sent_fields
from tallyboard.models.tasks import (
    CreateTaskRequest,
    Task,
    TaskList,
    TaskListQuery,
    TaskResponse,
    UpdateTaskRequest,
)
from tallyboard.timeutil import to_iso

NULLABLE = {"description", "priority", "task_list", "due_date", "start_date"}
WRITE_ATTEMPTS = 3  # optimistic writes retried on a concurrent change before a 409


def task_not_found() -> NotFound:
    return NotFound("Task not found")


def public_task(task: dict[str, Any]) -> Task:
    completed = task.get("completedAt")
    return Task(
        id=task["id"],
        project_id=task["project_id"],
        name=task["name"],
        description=task.get("description"),
        status=task["status"],
        priority=task.get("priority"),
        assigned_to=task.get("assigned_to") or [],
        task_list=task.get("task_list"),
        due_date=task.get("due_date"),
        start_date=task.get("start_date"),
        created_at=to_iso(task["createdAt"]),
        updated_at=to_iso(task["updatedAt"]),
        completed_at=to_iso(completed) if completed is not None else None,
    )


def counters(task: dict[str, Any]) -> dict[str, int | float]:
    """What one task adds to its project's stats."""
    counted: dict[str, int | float] = {project_stats.TASKS + task["status"]: 1}
    for user_id in task.get("assignee_ids") or []:
        counted[project_stats.ASSIGNED + user_id] = 1
    return counted


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _unknown_member(field: str, value: str) -> NotFound:
    """A member the body names that the workspace does not have: a 404 naming the field, as for
    any other id a body names (errors.unknown_reference)."""
    return NotFound(
        f"Team member not found: {value[:100]!r}",
        details={field: f"unknown team member {value[:100]!r}: a user id or display name from GET /team"},
    )


def _ambiguous_member(field: str, value: str) -> BadRequest:
    return BadRequest(
        f"Invalid parameter: {field}: more than one member is named {value[:100]!r}",
        details={field: f"more than one member is named {value[:100]!r}: send the user id (GET /team)"},
    )


def match_member(members: list[dict[str, Any]], value: str, field: str) -> dict[str, Any] | None:
    """The member a user id or display name (any case) names, None when none does; 400 naming the
    field when several do."""
    for member in members:
        if member["id"] == value:
            return member
    named = [m for m in members if _folded(m["name"]) == _folded(value)]
    if len(named) > 1:
        raise _ambiguous_member(field, value)
    return named[0] if named else None


def find_member(members: list[dict[str, Any]], value: str, field: str) -> dict[str, Any]:
    """The member a body names; 404 naming the field when none does, 400 when several do."""
    member = match_member(members, value, field)
    if member is None:
        raise _unknown_member(field, value)
    return member


def resolve_assignees(workspace_id: str, values: list[str]) -> tuple[list[str], list[str]]:
    """Display names and user ids of the current members `values` name, in order, once each."""
    if not values:
        return [], []
    current = [m for m in team.everyone(workspace_id) if not m.get("removedAt")]
    chosen = {m["id"]: m for m in (find_member(current, value, "assigned_to") for value in values)}
    return [m["name"] for m in chosen.values()], list(chosen)


def _project(caller: Caller, project_id: str, role: str, scope: str) -> str:
    caller.require(role, scope)
    return access.project_in_path(caller, project_id)


def list_tasks(caller: Caller, project_id: str, query: TaskListQuery) -> TaskList:
    project = _project(caller, project_id, "viewer", "project:read")
    ws = caller.workspace_id
    member = match_member(team.everyone(ws), query.assigned_to, "assigned_to") if query.assigned_to else None
    if query.assigned_to and member is None:
        # A filter naming no member matches no task: an empty page, as any filter matching nothing.
        spec = pages.page_spec(query.limit, query.offset, query.cursor, f"tasks|{ws}|{project}|nobody")
        return TaskList(data=[], pagination=pages.pagination(spec, 0, Page([], None)))
    assignee = member["id"] if member else None
    filters = (query.status, assignee, query.task_list)
    scope = f"tasks|{ws}|{project}|{query.status or ''}|{assignee or ''}|{query.task_list or ''}"
    spec = pages.page_spec(query.limit, query.offset, query.cursor, scope)
    page = tasks.page(ws, project, spec, *filters)
    return TaskList(
        data=[public_task(t) for t in page.items],
        pagination=pages.pagination(spec, tasks.count(ws, project, *filters), page),
    )


def create(caller: Caller, project_id: str, request: CreateTaskRequest) -> TaskResponse:
    project = _project(caller, project_id, "editor", "project:write")
    names, ids = resolve_assignees(caller.workspace_id, request.assigned_to)
    now = now_ms()
    record = {
        "id": new_id("task"),
        "project_id": project,
        "name": request.name,
        "description": request.description,
        "status": request.status,
        "priority": request.priority,
        "assigned_to": names,
        "assignee_ids": ids,
        "task_list": request.task_list,
        "due_date": request.due_date,
        "start_date": request.start_date,
        "createdAt": now,
        "updatedAt": now,
        "completedAt": now if request.status == "done" else None,
        "v": 1,
    }
    if not tasks.create(caller.workspace_id, record, counters(record)):
        raise Conflict("A task with this id already exists")
    audit.record(
        caller,
        "task.create",
        "task",
        record["id"],
        project_id=project,
        metadata={"name": request.name, "status": request.status},
    )
    return TaskResponse(data=public_task(record))


def _visible(caller: Caller, task_id: str) -> dict[str, Any]:
    """The task, when its project is within the key's reach; else 404 like a missing one."""
    task = tasks.get(caller.workspace_id, task_id)
    if task is None or not caller.is_bound_to(task["project_id"]):
        raise task_not_found()
    return task


def get(caller: Caller, task_id: str) -> TaskResponse:
    caller.require("viewer", "project:read")
    return TaskResponse(data=public_task(_visible(caller, task_id)))


def _optimistic(caller: Caller, task_id: str, write: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Read the visible task and `write` against what was read, again on a concurrent change."""
    for _ in range(WRITE_ATTEMPTS):
        task = _visible(caller, task_id)
        if write(task):
            return task
    raise Conflict("The task changed while it was being written; try again")


def update(caller: Caller, task_id: str, request: UpdateTaskRequest) -> TaskResponse:
    caller.require("editor", "project:write")
    changes = sent_fields(request, NULLABLE)
    written: dict[str, Any] = {}

    def write(task: dict[str, Any]) -> bool:
        if "assigned_to" in changes and "assignee_ids" not in changes:
            # Names resolve once the task is known to be there (an unknown task is a 404 first).
            changes["assigned_to"], changes["assignee_ids"] = resolve_assignees(
                caller.workspace_id, changes["assigned_to"]
            )
        now = now_ms()
        new = {**task, **changes, "updatedAt": now, "v": task["v"] + 1}
        if new["status"] == "done" and task["status"] != "done":
            new["completedAt"] = now
        elif new["status"] != "done":
            new["completedAt"] = None
        written.clear()
        written.update(new)
        delta = project_stats.difference(counters(task), counters(new))
        return tasks.replace(caller.workspace_id, new, task["v"], delta)

    task = _optimistic(caller, task_id, write)
    audit.record(
        caller,
        "task.update",
        "task",
        task_id,
        project_id=task["project_id"],
        metadata={"fields": sorted(request.model_fields_set), "status": written["status"]},
    )
    return TaskResponse(data=public_task(written))


def delete(caller: Caller, task_id: str) -> None:
    caller.require("editor", "project:write")

    def write(task: dict[str, Any]) -> bool:
        return tasks.delete(caller.workspace_id, task, project_stats.difference(counters(task), {}))

    task = _optimistic(caller, task_id, write)
    audit.record(caller, "task.delete", "task", task_id, project_id=task["project_id"])
