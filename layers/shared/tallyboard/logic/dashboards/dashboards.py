"""Dashboards: list a project's, create one, read one with its widgets."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data.dashboards import dashboards
from tallyboard.errors import Conflict, Forbidden, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.models.common import ProjectPageQuery
from tallyboard.models.dashboards.dashboards import (
    CreateDashboardRequest,
    Dashboard,
    DashboardDetailResponse,
    DashboardList,
    DashboardResponse,
    DashboardWithWidgets,
)
from tallyboard.models.dashboards.updates import EVERYONE_CAN_EDIT, ONLY_CREATOR_AND_OWNERS_CAN_EDIT
from tallyboard.models.dashboards.widgets import Widget

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


def new_record(
    caller: Caller,
    project_id: str,
    *,
    name: str,
    type: str = "custom",
    category: str | None = None,
    is_default: bool = False,
    description: str | None = None,
    tags: list[str] | None = None,
    unlisted: bool = False,
) -> dict[str, Any]:
    """A new dashboard's stored record (POST /dashboards, templates, unlisted dashboards)."""
    created_at = now_ms()
    return {
        "id": new_id("dash"),
        "workspaceId": caller.workspace_id,
        "projectId": project_id,
        "name": name,
        "slug": slugify(name),
        "type": type,
        "category": category,
        "isDefault": is_default,
        "description": description,
        "tags": tags or [],
        "pinned": False,
        "deleted": False,
        "unlisted": unlisted,
        "restriction_level": EVERYONE_CAN_EDIT,
        "widgetCount": 0,
        "tileOrder": [],
        "tilesVersion": 0,
        "createdBy": caller.user_id,
        "createdAt": created_at,
        "updatedAt": created_at,
    }


def create(caller: Caller, request: CreateDashboardRequest) -> DashboardResponse:
    caller.require("editor", "dashboard:write")
    project = access.project_for(caller, request.projectId)
    record = new_record(
        caller,
        project,
        name=request.name,
        type=request.type,
        category=request.category,
        is_default=request.isDefault,
        description=request.description,
        tags=request.tags,
    )
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
    if dashboard is None or not is_visible(caller, dashboard):
        raise dashboard_not_found()
    return DashboardDetailResponse(data=detail(dashboard, widgets))


def order_tiles(dashboard: dict[str, Any], widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The widgets in the dashboard's tile order (`tileOrder`, which reorder_tiles sets; new
    tiles join at its end); any widget it does not name follows, in creation order."""
    rank = {widget_id: index for index, widget_id in enumerate(dashboard.get("tileOrder") or [])}
    return sorted(widgets, key=lambda w: (rank.get(w["id"], len(rank)), w["createdAt"], w["id"]))


def detail(dashboard: dict[str, Any], widgets: list[dict[str, Any]]) -> DashboardWithWidgets:
    ordered = order_tiles(dashboard, widgets)
    return DashboardWithWidgets(
        **public_dashboard(dashboard).model_dump(), widgets=[public_widget(w) for w in ordered]
    )


def is_creator_or_owner(caller: Caller, dashboard: dict[str, Any]) -> bool:
    return caller.role == "owner" or (bool(caller.user_id) and caller.user_id == dashboard.get("createdBy"))


def require_edit(caller: Caller, dashboard: dict[str, Any]) -> None:
    """restriction_level 37: only the dashboard's creator and owners may edit it."""
    restricted = dashboard.get("restriction_level", EVERYONE_CAN_EDIT) == ONLY_CREATOR_AND_OWNERS_CAN_EDIT
    if restricted and not is_creator_or_owner(caller, dashboard):
        raise Forbidden(
            "Only this dashboard's creator and owners may edit it (restriction_level 37)",
            details={"restriction_level": ONLY_CREATOR_AND_OWNERS_CAN_EDIT},
        )
