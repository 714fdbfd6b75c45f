"""Data colour themes of a project (docs/api.md): list (oldest first), create, get, patch, delete.
Reading needs `project:read`, writing the editor role and `project:write`. A theme that
dashboards use cannot be deleted: 409 naming how many (soft-deleted ones count, as they can be
restored with their theme)."""

from __future__ import annotations

from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import themes as store
from tallyboard.errors import Conflict, NotFound
from tallyboard.ids import new_sorted_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.logic.partial_update import sent_fields
from tallyboard.models.themes import (
    CreateThemeRequest,
    Theme,
    ThemeList,
    ThemeListQuery,
    ThemeResponse,
    UpdateThemeRequest,
)


def theme_not_found() -> NotFound:
    return NotFound("Data color theme not found")


def public(record: dict[str, Any]) -> Theme:
    return Theme.model_validate({k: v for k, v in record.items() if k in Theme.model_fields})


def list_themes(caller: Caller, project_id: str, query: ThemeListQuery) -> ThemeList:
    caller.require("viewer", "project:read")
    project = access.project_for(caller, project_id)
    spec = pages.page_spec(query.limit, query.offset, query.cursor, f"themes|{caller.workspace_id}|{project}")
    page, total = store.page(caller.workspace_id, project, spec)
    return ThemeList(data=[public(r) for r in page.items], pagination=pages.pagination(spec, total, page))


def create(caller: Caller, project_id: str, request: CreateThemeRequest) -> ThemeResponse:
    caller.require("editor", "project:write")
    project = access.project_for(caller, project_id)
    created_at = now_ms()
    record: dict[str, Any] = {
        "id": new_sorted_id("theme", created_at),
        "projectId": project,
        "name": request.name,
        "colors": request.colors,
        "createdBy": caller.user_id,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    if not store.put(caller.workspace_id, record):
        raise Conflict("A theme with this id already exists")  # fresh random ids: never expected
    audit.record(
        caller, "theme.create", "theme", record["id"], project_id=project, metadata={"name": request.name}
    )
    return ThemeResponse(data=public(record))


def get(caller: Caller, project_id: str, theme_id: str) -> ThemeResponse:
    caller.require("viewer", "project:read")
    project = access.project_for(caller, project_id)
    record = store.get(caller.workspace_id, project, theme_id)
    if record is None:
        raise theme_not_found()
    return ThemeResponse(data=public(record))


def update(caller: Caller, project_id: str, theme_id: str, request: UpdateThemeRequest) -> ThemeResponse:
    caller.require("editor", "project:write")
    changes = sent_fields(request)
    project = access.project_for(caller, project_id)
    record = store.update(caller.workspace_id, project, theme_id, changes, now_ms())
    if record is None:
        raise theme_not_found()
    audit.record(
        caller, "theme.update", "theme", theme_id, project_id=project, metadata={"fields": sorted(changes)}
    )
    return ThemeResponse(data=public(record))


def delete(caller: Caller, project_id: str, theme_id: str) -> None:
    caller.require("editor", "project:write")
    project = access.project_for(caller, project_id)
    deleted, found = store.delete_unused(caller.workspace_id, project, theme_id)
    if not deleted:
        if found is None:
            raise theme_not_found()
        used = int(found.get("usageCount", 0))
        raise Conflict(
            f"This theme is used by {used} dashboard{'s' if used != 1 else ''}; "
            "set their data_color_theme_id to another theme or null first",
            details={"dashboards": used},
        )
    audit.record(caller, "theme.delete", "theme", theme_id, project_id=project)
