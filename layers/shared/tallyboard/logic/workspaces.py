"""Workspaces, their owner and first project: what the bootstrap command creates."""

from __future__ import annotations

from typing import Any

from tallyboard.data import entities
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import keys, projects
from tallyboard.plans import PLANS


def bootstrap(
    plan: str,
    workspace_name: str = "My workspace",
    project_name: str = "My project",
    owner_name: str = "Owner",
    owner_email: str = "owner@example.com",
    rate_limit_per_hour: int | None = None,
) -> dict[str, Any]:
    """Create a workspace on `plan` with an owner, a project and an owner key."""
    if plan not in PLANS:
        raise ValueError(f"unknown plan {plan!r}; one of {', '.join(PLANS)}")
    created_at = now_ms()
    workspace_id, user_id, project_id = new_id("ws"), new_id("user"), new_id("proj")
    entities.put_workspace(
        {
            "id": workspace_id,
            "name": workspace_name,
            "plan": plan,
            "rateLimitPerHour": rate_limit_per_hour,
            "ownerCount": 1,  # the owner below (data/team.py keeps the count)
            "createdAt": created_at,
        }
    )
    entities.put_user(
        workspace_id,
        {"id": user_id, "name": owner_name, "email": owner_email, "role": "owner", "createdAt": created_at},
    )
    add_project(workspace_id, project_name, project_id, created_at)
    plaintext, record = keys.issue(workspace_id, user_id, "Owner key", "owner")
    return {
        "workspaceId": workspace_id,
        "userId": user_id,
        "projectId": project_id,
        "keyId": record["keyId"],
        "apiKey": plaintext,
        "plan": plan,
    }


def add_project(
    workspace_id: str, name: str, project_id: str | None = None, created_at: int | None = None
) -> str:
    """Another project in a workspace (the bootstrap's first one, the demo's, tests')."""
    project_id = project_id or new_id("proj")
    created_at = created_at or now_ms()
    record = {
        "id": project_id,
        "workspaceId": workspace_id,
        "name": name,
        "slug": projects.project_slug(name),
        "status": "active",
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    projects.store_new(workspace_id, record)  # the slug claimed as for any project (logic/projects.py)
    return project_id
