"""Demo team data for the local server: a team of four (the owner and three members), tasks in
every status on the demo project, time entries, meeting notes and holiday requests (pending,
approved, declined and cancelled). Created through the logic layer, with the same validation,
stats counters and audit as the API; dates are relative to today, so this year's holiday stats
and the recent time log always say something."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tallyboard.auth import Caller
from tallyboard.logic import holidays, notes, tasks, team, time_entries
from tallyboard.models.holidays import CreateHolidayRequest, UpdateHolidayRequest
from tallyboard.models.notes import CreateNoteRequest
from tallyboard.models.tasks import CreateTaskRequest, UpdateTaskRequest
from tallyboard.models.team import CreateMemberRequest
from tallyboard.models.time_entries import CreateTimeEntryRequest
from tallyboard.plans import get_plan

MEMBERS: list[dict[str, Any]] = [
    {"name": "Alex Kim", "email": "alex@demo.example", "role": "editor", "title": "Account Manager"},
    {"name": "Maya Patel", "email": "maya@demo.example", "role": "editor", "title": "Designer"},
    {
        "name": "Jon Berg",
        "email": "jon@demo.example",
        "role": "viewer",
        "title": "Copywriter",
        "holiday_allowance_days": 20,
    },
]
# (name, status, priority, assignees, task list, due in days)
TASKS: list[tuple[str, str, str | None, list[str], str, int]] = [
    ("Kick-off workshop", "done", "high", ["Alex Kim"], "Planning", -20),
    ("Audience research", "done", "medium", ["Maya Patel", "Jon Berg"], "Planning", -10),
    ("Homepage mockups", "in-progress", "high", ["Maya Patel"], "Design", 5),
    ("Launch copy", "in-progress", "medium", ["Jon Berg"], "Content", 7),
    ("Paid social setup", "todo", "low", ["Alex Kim"], "Launch", 14),
    ("Analytics dashboard review", "todo", None, [], "Launch", 21),
]
# (member name, days ago, hours, billable, task name or None, description)
TIME: list[tuple[str, int, float, bool, str | None, str]] = [
    ("Alex Kim", 20, 3, True, "Kick-off workshop", "Workshop with the client"),
    ("Maya Patel", 12, 6.5, True, "Audience research", "Interviews and personas"),
    ("Jon Berg", 11, 4, True, "Audience research", "Survey write-up"),
    ("Maya Patel", 3, 7.5, True, "Homepage mockups", "Wireframes"),
    ("Jon Berg", 2, 2.25, True, "Launch copy", "Headlines"),
    ("Dana Demo", 1, 1, False, None, "Internal review"),
]
NOTES: list[dict[str, Any]] = [
    {
        "title": "Kick-off",
        "notes": "Agreed the goals for the quarter and the launch date.",
        "days_ago": 20,
        "attendees": ["Dana Demo", "Alex Kim", "Client marketing lead"],
        "action_items": ["Send the brief", "Book audience interviews"],
    },
    {
        "title": "Design review",
        "notes": "Mockups approved with two changes to the hero section.",
        "days_ago": 2,
        "attendees": ["Maya Patel", "Alex Kim"],
        "action_items": ["Update the hero copy"],
    },
]


def _caller(workspace_id: str, user_id: str, role: str) -> Caller:
    return Caller(
        workspace_id=workspace_id,
        user_id=user_id,
        key_id="demo-seed",
        role=role,
        scopes=(),
        project_ids=(),
        plan=get_plan("scale"),
        rate_limit=0,
        user_agent="tallyboard-local demo seed",
    )


def _next_monday(today: date, weeks: int) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7 * weeks)


def _holidays(today: date) -> list[tuple[str, date, date, str, str | None]]:
    """(member, first day, last day, type, outcome) in this year where the calendar allows."""
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)

    def within(day: date) -> date:
        return min(max(day, year_start), year_end)

    later, earlier = _next_monday(today, 2), _next_monday(today, -8)
    return [
        ("Maya Patel", within(later), within(later + timedelta(days=4)), "annual", None),
        ("Jon Berg", within(earlier), within(earlier + timedelta(days=2)), "annual", "approved"),
        (
            "Alex Kim",
            within(later + timedelta(days=7)),
            within(later + timedelta(days=8)),
            "annual",
            "declined",
        ),
        (
            "Dana Demo",
            within(earlier + timedelta(days=14)),
            within(earlier + timedelta(days=14)),
            "sick",
            "approved",
        ),
        (
            "Alex Kim",
            within(later + timedelta(days=21)),
            within(later + timedelta(days=21)),
            "other",
            "cancelled",
        ),
    ]


def seed(workspace_id: str, project_id: str, owner_id: str, today: date | None = None) -> dict[str, str]:
    """The team, tasks, time, notes and holidays; returns the member ids by name."""
    today = today or datetime.now(UTC).date()
    owner = _caller(workspace_id, owner_id, "owner")
    ids = {"Dana Demo": owner_id}
    for body in MEMBERS:
        ids[body["name"]] = team.create(owner, CreateMemberRequest.model_validate(body)).data.id
    task_ids: dict[str, str] = {}
    for name, status, priority, assignees, task_list, due_in in TASKS:
        due = datetime.combine(today + timedelta(days=due_in), datetime.min.time(), UTC).replace(hour=17)
        body = {"name": name, "priority": priority, "assigned_to": assignees, "task_list": task_list}
        body["due_date"] = due.strftime("%Y-%m-%dT%H:%M:%SZ")
        task = tasks.create(owner, project_id, CreateTaskRequest.model_validate(body)).data
        if status != "todo":  # walked through the statuses, as a team does
            tasks.update(owner, task.id, UpdateTaskRequest(status="in-progress"))
        if status == "done":
            tasks.update(owner, task.id, UpdateTaskRequest(status="done"))
        task_ids[name] = task.id
    for member, days_ago, hours, billable, task_name, description in TIME:
        body = {"hours": hours, "date": (today - timedelta(days=days_ago)).isoformat(), "billable": billable}
        body |= {"user_id": ids[member], "description": description}
        if task_name:
            body["task_id"] = task_ids[task_name]
        time_entries.create(owner, project_id, CreateTimeEntryRequest.model_validate(body))
    for note in NOTES:
        body = {k: v for k, v in note.items() if k != "days_ago"}
        body["meeting_date"] = (today - timedelta(days=note["days_ago"])).isoformat()
        notes.create(owner, project_id, CreateNoteRequest.model_validate(body))
    for member, first, last, kind, outcome in _holidays(today):
        requester = _caller(workspace_id, ids[member], "editor")
        body = {"start_date": first.isoformat(), "end_date": last.isoformat(), "type": kind}
        request = holidays.create(requester, CreateHolidayRequest.model_validate(body)).data
        if outcome:
            decider = requester if outcome == "cancelled" else owner
            holidays.update(decider, request.id, UpdateHolidayRequest(status=outcome))
    return ids
