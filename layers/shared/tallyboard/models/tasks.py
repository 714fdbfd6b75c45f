"""Task shapes (docs/api.md "Agency workspace"): snake_case, ISO 8601 dates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from tallyboard.models.agency import DATE_OR_DATE_TIME_SCHEMA, Name, Text, any_case, calendar_day
from tallyboard.models.common import PageQuery, Pagination, RequestModel, line_text, not_null

TASK_STATUSES = ("todo", "in-progress", "done")
PRIORITIES = ("Low", "Medium", "High")
MAX_ASSIGNEES = 20

if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    TaskStatus = str
    Priority = str
    TaskListName = str
    Assignee = str
else:
    TaskStatus = any_case(TASK_STATUSES, "status")
    Priority = any_case(PRIORITIES, "priority")
    TaskListName = Annotated[
        line_text(100, min_length=1),
        Field(description="The task list (board column or group) the task belongs to"),
    ]
    Assignee = Annotated[
        line_text(200, min_length=1),
        Field(description="A member's user id or display name (GET /team)"),
    ]
MOMENT_HINT = "must be an ISO 8601 (RFC 3339) date-time, e.g. 2025-01-31T17:00:00Z, or a date, YYYY-MM-DD"


def _moment(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or calendar_day(value) is None):
        raise ValueError(MOMENT_HINT)
    return value


Moment = Annotated[
    str,
    BeforeValidator(_moment),
    WithJsonSchema(
        {
            **DATE_OR_DATE_TIME_SCHEMA,
            "description": "ISO 8601 (RFC 3339) date-time, or a date; stored as sent",
            "examples": ["2025-01-31T17:00:00Z"],
        }
    ),
]
Assignees = Annotated[
    list[Assignee],
    Field(
        max_length=MAX_ASSIGNEES,
        description=(
            "User ids or display names; stored as display names. One naming no member is a 404, "
            "a display name two members share a 400 naming assigned_to (send the user id)"
        ),
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

    name: Name | None = Field(None, json_schema_extra=not_null)
    description: Text | None = None
    status: TaskStatus | None = Field(None, json_schema_extra=not_null)
    priority: Priority | None = None
    assigned_to: Assignees | None = Field(None, json_schema_extra=not_null)
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
        None,
        description=(
            "Tasks assigned to this member (user id or display name); naming no member matches no "
            "task, a display name two members share is a 400 (send the user id)"
        ),
    )
    task_list: TaskListName | None = Field(None, description="Tasks of this task list (exact name)")
