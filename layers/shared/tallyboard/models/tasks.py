"""Task shapes (API.md "Agency workspace", seed 003 "Tasks"): snake_case, ISO 8601 dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from tallyboard import timeutil
from tallyboard.models.agency import Name, Text, choice
from tallyboard.models.common import PageQuery, Pagination, RequestModel
from tallyboard.models.widgets import _not_null

TASK_STATUSES = ("todo", "in-progress", "done")
PRIORITIES = ("Low", "Medium", "High")
MAX_ASSIGNEES = 20

TaskStatus = choice(TASK_STATUSES, "status")
Priority = choice(PRIORITIES, "priority")
TaskListName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, strip_whitespace=True),
    Field(description="The task list (board column or group) the task belongs to"),
]
Assignee = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    Field(description="A member's user id or display name (GET /team)"),
]
MOMENT_HINT = "must be an ISO 8601 date-time, e.g. 2025-01-31T17:00:00Z"


def _moment(value: Any) -> Any:
    """An ISO 8601 date-time (a bare date is its midnight, no zone is UTC), stored as UTC with
    milliseconds so every stored moment reads and sorts alike."""
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 40:
        raise ValueError(MOMENT_HINT)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise ValueError(MOMENT_HINT) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    ms = timeutil.to_ms(parsed)
    if not 0 <= ms <= timeutil.MAX_TIMESTAMP_MS:
        raise ValueError("must be between 1970 and 2286")
    return timeutil.to_iso(ms)


Moment = Annotated[
    str,
    BeforeValidator(_moment),
    Field(
        json_schema_extra={"format": "date-time", "maxLength": 40},
        description="ISO 8601 date-time (a bare date is its midnight UTC); answered in UTC",
        examples=["2025-01-31T17:00:00.000Z"],
    ),
]
Assignees = Annotated[
    list[Assignee],
    Field(
        max_length=MAX_ASSIGNEES,
        description="User ids or display names; stored as display names",
    ),
]


class CreateTaskRequest(RequestModel):
    name: Name
    description: Text | None = None
    status: TaskStatus = Field("todo", description="todo (default), in-progress or done, in any case")
    priority: Priority | None = Field(
        None, description="low, medium or high in any case (stored Low, Medium, High), or null"
    )
    assigned_to: Assignees = Field(default_factory=list)
    task_list: TaskListName | None = None
    due_date: Moment | None = None
    start_date: Moment | None = None


class UpdateTaskRequest(RequestModel):
    """Partial update: only the fields sent change. `null` clears description, priority,
    task_list and the dates; name, status and assigned_to may not be null."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    name: Name | None = Field(None, json_schema_extra=_not_null)
    description: Text | None = None
    status: TaskStatus | None = Field(None, json_schema_extra=_not_null)
    priority: Priority | None = None
    assigned_to: Assignees | None = Field(None, json_schema_extra=_not_null)
    task_list: TaskListName | None = None
    due_date: Moment | None = None
    start_date: Moment | None = None


class Task(BaseModel):
    id: str
    project_id: str
    name: str
    description: str | None = None
    status: str = Field(description="todo, in-progress or done")
    priority: str | None = Field(None, description="Low, Medium, High or null")
    assigned_to: list[str] = Field(description="Display names")
    task_list: str | None = None
    due_date: str | None = None
    start_date: str | None = None
    created_at: str = Field(description="ISO 8601 UTC")
    updated_at: str = Field(description="ISO 8601 UTC")
    completed_at: str | None = Field(None, description="When the status became done; null otherwise")


class TaskResponse(BaseModel):
    data: Task


class TaskList(BaseModel):
    data: list[Task] = Field(description="Oldest first (creation order)")
    pagination: Pagination


class TaskListQuery(PageQuery):
    status: TaskStatus | None = Field(None, description="todo, in-progress or done")
    assigned_to: Assignee | None = Field(
        None, description="Tasks assigned to this member (user id or display name)"
    )
    task_list: TaskListName | None = Field(None, description="Tasks of this task list (exact name)")
