"""Project statistics (docs/api.md "Agency workspace": GET /projects/{projectId}/stats), read from the
counters each task and time write keeps."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TaskCounts(BaseModel):
    total: int
    todo: int
    in_progress: int = Field(description="Tasks in status in-progress")
    done: int


class TimeLogged(BaseModel):
    total_hours: int | float
    billable_hours: int | float
    entries: int


class ProjectMember(BaseModel):
    id: str
    name: str | None = Field(description="Null only for an id the workspace never had")
    removed: bool = Field(description="No longer on the team (their work stays counted)")
    assigned_tasks: int = Field(description="The project's tasks assigned to this member")
    hours: int | float = Field(description="Hours this member logged on the project")


class ProjectStats(BaseModel):
    project_id: str
    tasks: TaskCounts
    time: TimeLogged
    team: list[ProjectMember] = Field(description="Members on the project's tasks or time, by name")


class ProjectStatsResponse(BaseModel):
    data: ProjectStats
