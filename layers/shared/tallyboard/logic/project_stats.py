"""GET /projects/{projectId}/stats: task counts by status, time logged (total and billable) and
the members on the project's tasks and time, from the counters task and time writes keep."""

from __future__ import annotations

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import entities, project_stats
from tallyboard.models.project_stats import (
    ProjectMember,
    ProjectStats,
    ProjectStatsResponse,
    TaskCounts,
    TimeLogged,
)


def get_stats(caller: Caller, project_id: str) -> ProjectStatsResponse:
    caller.require("viewer", "project:read")
    project = access.project_in_path(caller, project_id)
    counted = project_stats.get(caller.workspace_id, project)
    by_status = {s: int(counted.get(project_stats.TASKS + s, 0)) for s in ("todo", "in-progress", "done")}
    assigned = {
        name.removeprefix(project_stats.ASSIGNED): int(value)
        for name, value in counted.items()
        if name.startswith(project_stats.ASSIGNED) and value
    }
    hours = {
        name.removeprefix(project_stats.MEMBER_HOURS): value
        for name, value in counted.items()
        if name.startswith(project_stats.MEMBER_HOURS) and value
    }
    users = entities.get_users(caller.workspace_id, sorted({*assigned, *hours}))
    team = [
        ProjectMember(
            id=user_id,
            name=users[user_id]["name"] if user_id in users else None,
            removed=user_id not in users or bool(users[user_id].get("removedAt")),
            assigned_tasks=assigned.get(user_id, 0),
            hours=hours.get(user_id, 0),
        )
        for user_id in {*assigned, *hours}
    ]
    team.sort(key=lambda m: ((m.name or "").casefold(), m.id))
    return ProjectStatsResponse(
        data=ProjectStats(
            project_id=project,
            tasks=TaskCounts(
                total=sum(by_status.values()),
                todo=by_status["todo"],
                in_progress=by_status["in-progress"],
                done=by_status["done"],
            ),
            time=TimeLogged(
                total_hours=counted.get(project_stats.HOURS, 0),
                billable_hours=counted.get(project_stats.BILLABLE, 0),
                entries=int(counted.get(project_stats.ENTRIES, 0)),
            ),
            team=team,
        )
    )
