"""Demo agency data for the local server: two clients, three client projects with budgets (one
archived) and leads in several statuses with tags, linked to the projects so their campaign
figures say something. Created through the logic layer, with the same validation, slug claims and
audit as the API."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.logic import clients, leads, projects
from tallyboard.models.clients import CreateClientRequest, SetClientTeamRequest
from tallyboard.models.leads import CreateLeadRequest
from tallyboard.models.projects import CreateProjectRequest
from tallyboard.plans import get_plan

CLIENTS: list[dict[str, Any]] = [
    {"name": "Acme Corp", "email": "marketing@acme.example", "website": "https://acme.example"},
    {"name": "Globex Ltd", "email": "hello@globex.example", "phone": "+44 20 7946 0018"},
]
# (client index, body); the third is archived after creation.
PROJECTS: list[tuple[int, dict[str, Any]]] = [
    (
        0,
        {
            "name": "Q1 Marketing Campaign",
            "description": "Social media & email marketing",
            "budget": 15000,
            "start_date": "2025-01-01",
            "end_date": "2025-03-31",
        },
    ),
    (
        1,
        {
            "name": "Website Relaunch",
            "description": "New site, search and paid social",
            "budget": 8000,
            "start_date": "2025-02-01",
            "end_date": "2025-06-30",
        },
    ),
    (
        0,
        {
            "name": "Holiday Promo 2024",
            "description": "Seasonal offers",
            "budget": 5000,
            "start_date": "2024-11-15",
            "end_date": "2024-12-31",
            "status": "completed",
        },
    ),
]
ARCHIVED = "Holiday Promo 2024"
Q1, WEB, PROMO = "Q1 Marketing Campaign", "Website Relaunch", ARCHIVED
# (project or None, name, company, status, tags, value)
LEADS: list[tuple[str | None, str, str, str, list[str], int | None]] = [
    (Q1, "Jordan Lee", "Northwind", "Closed", ["Won"], 45000),
    (Q1, "Priya Patel", "Initech", "Proposal Sent", ["Proposal Sent", "Deliberating"], 12000),
    (Q1, "Marco Rossi", "Umbrella", "Chaser", ["Chaser Sent", "Chase Up"], 8000),
    (Q1, "Ana Silva", "Wayne Enterprises", "Proposal Wanted", ["Create Proposal"], 6000),
    (WEB, "Aiko Tanaka", "Hooli", "Needs Closing", ["In Progress", "Sent for Review"], 20000),
    (WEB, "Omar Haddad", "Stark Industries", "Closed", ["Won"], 9500),
    (WEB, "Sam Carter", "Vandelay", "First Contact Made", [], 5000),
    (PROMO, "Lena Müller", "Soylent", "Dead Leads", ["Stuck"], 3000),
    (None, "Chris Doe", "Pied Piper", "No Response", ["On Hold", "Waiting on Cai"], None),
]
REPS = ("Dana Demo", "Alex Kim")


def _owner(workspace_id: str, user_id: str) -> Caller:
    """A workspace-wide owner: clients and leads are workspace-level."""
    return Caller(
        workspace_id=workspace_id,
        user_id=user_id,
        key_id="demo-seed",
        role="owner",
        scopes=(),
        project_ids=(),
        plan=get_plan("scale"),
        rate_limit=0,
        user_agent="tallyboard-local demo seed",
    )


def seed(workspace_id: str, user_id: str) -> dict[str, str]:
    """The clients, projects and leads; returns the project ids by name (for other demo data)."""
    caller = _owner(workspace_id, user_id)
    client_ids = [
        clients.create(caller, CreateClientRequest.model_validate(body)).data.id for body in CLIENTS
    ]
    clients.set_team(caller, client_ids[0], SetClientTeamRequest(user_ids=[user_id]))
    project_ids: dict[str, str] = {}
    for client_index, body in PROJECTS:
        request = CreateProjectRequest.model_validate(body)
        project_ids[body["name"]] = clients.create_project(caller, client_ids[client_index], request).data.id
    projects.archive(caller, project_ids[ARCHIVED])
    for index, (project_name, name, company, status, tags, value) in enumerate(LEADS):
        body = {"name": name, "company": company, "status": status, "tags": tags, "value": value}
        body |= {"rep": REPS[index % len(REPS)], "source": "Demo"}
        if project_name:
            body["project_id"] = project_ids[project_name]
        leads.create(caller, CreateLeadRequest.model_validate(body))
    return project_ids
