"""Dashboards: list a project's, create one, read one with its widgets."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import dashboards
from tallyboard.errors import Conflict, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.models.common import ProjectPageQuery
from tallyboard.models.dashboards import (
    CreateDashboardRequest,
    Dashboard,
    DashboardDetailResponse,
    DashboardList,
    DashboardResponse,
    DashboardWithWidgets,
)
from tallyboard.models.widgets import Widget

MAX_SLUG_LENGTH = 80


def slugify(name: str) -> str:
    """ "Executive Summary" → "executive-summary"; accents folded, other scripts kept."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if not slug:
        slug = re.sub(r"[\W_]+", "-", name.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-") or "dashboard"


def is_visible(caller: Caller, dashboard: dict[str, Any] | None) -> bool:
    """A dashboard the caller may see: it exists, is not soft-deleted, and its project is bound
    to the key. Everything else answers the same 404 (no existence leak)."""
    return (
        dashboard is not None and not dashboard.get("deleted") and caller.is_bound_to(dashboard["projectId"])
    )


def dashboard_not_found() -> NotFound:
    return NotFound("Dashboard not found")


def public_dashboard(record: dict[str, Any]) -> Dashboard:
    return Dashboard.model_validate({k: v for k, v in record.items() if k in Dashboard.model_fields})


def public_widget(record: dict[str, Any]) -> Widget:
    return Widget.model_validate({k: v for k, v in record.items() if k in Widget.model_fields})


def list_dashboards(caller: Caller, query: ProjectPageQuery) -> DashboardList:
    caller.require("viewer", "dashboard:read")
    project = access.project_for(caller, query.projectId)
    spec = pages.page_spec(
        query.limit, query.offset, query.cursor, f"dashboards|{caller.workspace_id}|{project}"
    )
    page, total = dashboards.page(caller.workspace_id, project, spec)
    return DashboardList(
        data=[public_dashboard(r) for r in page.items], pagination=pages.pagination(spec, total, page)
    )


def create(caller: Caller, request: CreateDashboardRequest) -> DashboardResponse:
    caller.require("editor", "dashboard:write")
    project = access.project_for(caller, request.projectId)
    created_at = now_ms()
    record = {
        "id": new_id("dash"),
        "workspaceId": caller.workspace_id,
        "projectId": project,
        "name": request.name,
        "slug": slugify(request.name),
        "type": request.type,
        "category": request.category,
        "isDefault": request.isDefault,
        "description": request.description,
        "tags": request.tags,
        "pinned": False,
        "deleted": False,
        "unlisted": False,
        "widgetCount": 0,
        "createdBy": caller.user_id,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    if not dashboards.put_dashboard(caller.workspace_id, record):
        raise Conflict("A dashboard with this id already exists")
    audit.record(
        caller,
        "dashboard.create",
        "dashboard",
        record["id"],
        project_id=project,
        metadata={"name": request.name, "type": request.type},
    )
    return DashboardResponse(data=public_dashboard(record))


def get(caller: Caller, dashboard_id: str) -> DashboardDetailResponse:
    caller.require("viewer", "dashboard:read")
    dashboard, widgets = dashboards.get_with_widgets(caller.workspace_id, dashboard_id)
    if not is_visible(caller, dashboard):
        raise dashboard_not_found()
    ordered = sorted(widgets, key=lambda w: (w["createdAt"], w["id"]))
    return DashboardDetailResponse(
        data=DashboardWithWidgets(
            **public_dashboard(dashboard).model_dump(), widgets=[public_widget(w) for w in ordered]
        )
    )
