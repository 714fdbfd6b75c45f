"""Widgets of a dashboard: add, partially update, remove. Each write also bumps the
dashboard's updatedAt, in the same transaction; adding and removing keep its tile order. At
restriction_level 37 only the dashboard's creator and owners may change its widgets."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.data.dashboards import dashboards as store
from tallyboard.data.dashboards import tiles as stored_tiles
from tallyboard.data.dashboards import widgets as stored_widgets
from tallyboard.errors import Conflict, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit
from tallyboard.logic.dashboards import tiles
from tallyboard.logic.dashboards.dashboards import (
    dashboard_not_found,
    is_visible,
    public_widget,
    require_edit,
)
from tallyboard.logic.partial_update import sent_fields
from tallyboard.models.dashboards.tiles import MAX_TILES
from tallyboard.models.dashboards.widgets import CreateWidgetRequest, UpdateWidgetRequest, WidgetResponse

MAX_WIDGETS_PER_DASHBOARD = MAX_TILES


def _widget_not_found() -> NotFound:
    return NotFound("Widget not found")


def _full() -> Conflict:
    return Conflict(f"A dashboard holds at most {MAX_WIDGETS_PER_DASHBOARD} widgets")


def create(caller: Caller, dashboard_id: str, request: CreateWidgetRequest) -> WidgetResponse:
    caller.require("editor", "dashboard:write")
    dashboard = store.get_dashboard(caller.workspace_id, dashboard_id)
    if dashboard is None or not is_visible(caller, dashboard):
        raise dashboard_not_found()
    require_edit(caller, dashboard)
    if dashboard.get("widgetCount", 0) >= MAX_WIDGETS_PER_DASHBOARD:
        raise _full()
    created_at = now_ms()
    record = {
        "id": new_id("widget"),
        "dashboardId": dashboard_id,
        "projectId": dashboard["projectId"],
        "type": request.type,
        "title": request.title,
        "position": request.position.model_dump(),
        "visible": request.visible,
        "config": request.config,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    if stored_tiles.add_tile(caller.workspace_id, record, MAX_WIDGETS_PER_DASHBOARD) is not None:
        # Lost a race: the dashboard was deleted or filled up since it was read.
        if not is_visible(caller, store.get_dashboard(caller.workspace_id, dashboard_id)):
            raise dashboard_not_found()
        raise _full()
    audit.record(
        caller,
        "widget.create",
        "widget",
        record["id"],
        project_id=dashboard["projectId"],
        metadata={"name": request.title, "dashboardId": dashboard_id, "type": request.type},
    )
    return WidgetResponse(data=public_widget(record))


def _visible_pair(caller: Caller, dashboard_id: str, widget_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    dashboard, widget = store.get_dashboard_and_widget(caller.workspace_id, dashboard_id, widget_id)
    if dashboard is None or not is_visible(caller, dashboard):
        raise dashboard_not_found()
    if widget is None:
        raise _widget_not_found()
    return dashboard, widget


def update(caller: Caller, dashboard_id: str, widget_id: str, request: UpdateWidgetRequest) -> WidgetResponse:
    caller.require("editor", "dashboard:write")
    changes = sent_fields(request)
    dashboard, widget = _visible_pair(caller, dashboard_id, widget_id)
    require_edit(caller, dashboard)
    updated_at = max(now_ms(), widget["updatedAt"])
    if not stored_widgets.update_widget(caller.workspace_id, dashboard_id, widget_id, changes, updated_at):
        raise _widget_not_found()
    audit.record(
        caller,
        "widget.update",
        "widget",
        widget_id,
        project_id=dashboard["projectId"],
        metadata={"dashboardId": dashboard_id, "fields": sorted(changes)},
    )
    return WidgetResponse(data=public_widget({**widget, **changes, "updatedAt": updated_at}))


def delete(caller: Caller, dashboard_id: str, widget_id: str) -> None:
    caller.require("editor", "dashboard:write")
    dashboard, _ = _visible_pair(caller, dashboard_id, widget_id)
    require_edit(caller, dashboard)
    if not tiles.remove(caller, dashboard_id, widget_id):
        raise _widget_not_found()
    audit.record(
        caller,
        "widget.delete",
        "widget",
        widget_id,
        project_id=dashboard["projectId"],
        metadata={"dashboardId": dashboard_id},
    )
