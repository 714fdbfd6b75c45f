"""Clients (docs/api.md "Agency workspace"): the workspace's clients, their projects and the
team assigned to them. Clients are workspace-level: every route needs a workspace-wide key, and
reads need project:read, writes project:write (the agency's work, as for projects and leads;
workspace:* scopes govern keys and members). Another workspace's client ids answer 404 like ids
that exist nowhere."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import clients as store
from tallyboard.data import entities
from tallyboard.data import projects as project_store
from tallyboard.errors import Conflict, NotFound
from tallyboard.ids import new_id, new_sorted_id, now_ms
from tallyboard.logic import audit, pages, projects
from tallyboard.models.clients import (
    Client,
    ClientList,
    ClientPageQuery,
    ClientProjectsQuery,
    ClientResponse,
    ClientTeam,
    ClientTeamMember,
    CreateClientRequest,
    SetClientTeamRequest,
)
from tallyboard.models.projects import CreateProjectRequest, ProjectList, ProjectResponse
from tallyboard.timeutil import to_iso


def client_not_found() -> NotFound:
    return NotFound("Client not found")


def public_client(record: dict[str, Any]) -> Client:
    return Client(
        id=record["id"],
        name=record["name"],
        email=record.get("email"),
        phone=record.get("phone"),
        website=record.get("website"),
        status=record.get("status") or "active",
        created_at=to_iso(record["createdAt"]),
        updated_at=to_iso(record.get("updatedAt") or record["createdAt"]),
    )


def _reader(caller: Caller) -> None:
    caller.require("viewer", "project:read")
    caller.require_workspace_key()


def _writer(caller: Caller) -> None:
    caller.require("editor", "project:write")
    caller.require_workspace_key()


def _client(caller: Caller, client_id: str) -> dict[str, Any]:
    client = store.get(caller.workspace_id, client_id)
    if client is None:
        raise client_not_found()
    return client


def list_clients(caller: Caller, query: ClientPageQuery) -> ClientList:
    """The workspace's clients, newest first."""
    _reader(caller)
    spec = pages.page_spec(query.limit, query.offset, query.cursor, f"clients|{caller.workspace_id}")
    page, total = store.page(caller.workspace_id, spec)
    return ClientList(
        data=[public_client(c) for c in page.items], pagination=pages.pagination(spec, total, page)
    )


def create(caller: Caller, request: CreateClientRequest) -> ClientResponse:
    _writer(caller)
    created_at = now_ms()
    record = {
        "id": new_sorted_id("client", created_at),
        "workspaceId": caller.workspace_id,
        **request.model_dump(exclude_none=True),
        "teamUserIds": [],
        "createdBy": caller.user_id,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    if not store.put(caller.workspace_id, record):
        raise Conflict("A client with this id already exists")
    audit.record(caller, "client.create", "client", record["id"], metadata={"name": request.name})
    return ClientResponse(data=public_client(record))


def list_projects(caller: Caller, client_id: str, query: ClientProjectsQuery) -> ProjectList:
    """The client's projects, newest first, archived ones included unless `status` says otherwise."""
    _reader(caller)
    _client(caller, client_id)
    spec = pages.page_spec(
        query.limit,
        query.offset,
        query.cursor,
        f"client-projects|{caller.workspace_id}|{client_id}|{query.status or ''}",
    )
    page, total = project_store.page_for_client(caller.workspace_id, client_id, spec, query.status)
    return ProjectList(
        data=[projects.public_project(p) for p in page.items], pagination=pages.pagination(spec, total, page)
    )


def create_project(caller: Caller, client_id: str, request: CreateProjectRequest) -> ProjectResponse:
    """A new project of the client: an analytics project too (metrics, dashboards, exports)."""
    _writer(caller)
    _client(caller, client_id)
    created_at = now_ms()
    record = {
        "id": new_id("proj"),
        "workspaceId": caller.workspace_id,
        "name": request.name,
        "slug": request.slug or projects.project_slug(request.name),
        "status": request.status,
        "description": request.description,
        "clientId": client_id,
        "budget": request.budget,
        "startDate": request.start_date,
        "endDate": request.end_date,
        "createdBy": caller.user_id,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    stored = projects.store_new(caller.workspace_id, record, slug_sent=request.slug is not None)
    audit.record(
        caller,
        "project.create",
        "project",
        stored["id"],
        project_id=stored["id"],
        metadata={"clientId": client_id, "name": request.name, "slug": stored["slug"]},
    )
    return ProjectResponse(data=projects.public_project(stored))


def _member(user: dict[str, Any]) -> ClientTeamMember:
    created = user.get("createdAt")
    return ClientTeamMember(
        id=user["id"],
        name=user.get("name") or user["id"],
        email=user.get("email"),
        role=user.get("role"),
        title=user.get("title"),
        created_at=to_iso(created) if isinstance(created, int) else None,
    )


def _is_member(user: dict[str, Any] | None) -> bool:
    """A current member of the workspace (not one removed from the team)."""
    return user is not None and not user.get("removedAt") and user.get("status") != "removed"


def _team(caller: Caller, user_ids: list[str]) -> ClientTeam:
    users = entities.get_users(caller.workspace_id, user_ids)
    return ClientTeam(data=[_member(users[u]) for u in user_ids if _is_member(users.get(u))])


def team(caller: Caller, client_id: str) -> ClientTeam:
    """Members assigned to the client, in the order they were assigned (members removed from the
    workspace since drop out)."""
    _reader(caller)
    return _team(caller, list(_client(caller, client_id).get("teamUserIds") or []))


def set_team(caller: Caller, client_id: str, request: SetClientTeamRequest) -> ClientTeam:
    """Replace who is assigned to the client; every id must be a member of the workspace."""
    _writer(caller)
    _client(caller, client_id)
    users = entities.get_users(caller.workspace_id, request.user_ids)
    unknown = [u for u in request.user_ids if not _is_member(users.get(u))]
    if unknown:
        raise NotFound(
            f"Team member not found: {unknown[0]}",
            details={"user_ids": f"not members of this workspace: {', '.join(unknown)}"},
        )
    if store.set_team(caller.workspace_id, client_id, request.user_ids, now_ms()) is None:
        raise client_not_found()
    audit.record(caller, "client.team.update", "client", client_id, metadata={"userIds": request.user_ids})
    return ClientTeam(data=[_member(users[u]) for u in request.user_ids])
