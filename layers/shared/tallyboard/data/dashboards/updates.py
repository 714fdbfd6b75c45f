"""Writes of PATCH /dashboards/{id} and bulk_update_tags: conditional on what was read (the
dashboard's theme, each dashboard's tags), all or nothing."""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dashboards.dashboards import (
    dashboard_key,
    live,
    widget_key,
)
from tallyboard.data.dynamo import Expression, transact


def update_dashboard(
    workspace_id: str,
    dashboard_id: str,
    changes: dict[str, Any],
    *,
    was_deleted: bool,
    theme_change: tuple[str, str | None, str | None] | None = None,
    clear_tiles: bool = False,
) -> list[str] | None:
    """Set `changes` (None values remove the attribute) on a dashboard whose `deleted` flag is
    still what was read. theme_change = (project, old theme, new theme) also moves the themes'
    usage counts, in the same transaction. None when it committed, else the cancellation codes
    (item 0 the dashboard, then the new theme, then the old)."""
    expression = Expression().condition("attribute_exists(pk)")
    expression.condition("{d} = {v}", d="#deleted", v=was_deleted)
    for name, value in changes.items():
        expression.set(name, value)
    if clear_tiles:
        expression.set("widgetCount", 0).set("tileOrder", []).add("tilesVersion", 1)
    items = []
    if theme_change is not None:
        from tallyboard.data import themes

        project_id, old, new = theme_change
        expression.equals_or_absent("data_color_theme_id", old)
        if new is not None:
            items.append({"Update": themes.usage_update(workspace_id, project_id, new, 1)})
        if old is not None:
            items.append({"Update": themes.usage_update(workspace_id, project_id, old, -1)})
    items.insert(
        0, {"Update": expression.update(dynamo.table("entities"), dashboard_key(workspace_id, dashboard_id))}
    )
    if len(items) == 1:
        return None if dynamo.update_if(**items[0]["Update"]) is not None else [dynamo.CONDITION_FAILED]
    return transact(items)


def delete_widgets(workspace_id: str, dashboard_id: str, widget_ids: list[str]) -> None:
    """Remove widget items (of a dashboard already soft-deleted with delete_insights)."""
    dynamo.batch_write(
        dynamo.table("entities"),
        ({"DeleteRequest": {"Key": widget_key(workspace_id, dashboard_id, w)}} for w in widget_ids),
    )


def set_tags(
    workspace_id: str, updates: list[tuple[str, list[str] | None, list[str]]], updated_at: int
) -> bool:
    """All-or-nothing: each (dashboard, tags read, new tags), conditional on the tags read and on
    the dashboard being live. False when any changed or went away meanwhile."""
    items = []
    for dashboard_id, old, new in updates:
        expression = live(Expression()).set("tags", new).set("updatedAt", updated_at)
        expression.equals_or_absent("tags", old)
        items.append(
            {"Update": expression.update(dynamo.table("entities"), dashboard_key(workspace_id, dashboard_id))}
        )
    return transact(items) is None
