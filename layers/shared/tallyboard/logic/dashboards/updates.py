"""PATCH /dashboards/{id} (every field docs/api.md lists, `deleted` as the soft delete) and
bulk_update_tags (all-or-nothing).

Who may edit: a key with the editor role and `dashboard:write`, on a dashboard of a project it
is bound to; at restriction_level 37 only the dashboard's creator and owners; only they may
change restriction_level itself."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.data.dashboards import dashboards as store
from tallyboard.data.dashboards import updates as stored_updates
from tallyboard.errors import BadRequest, Conflict, Forbidden, NotFound, unknown_reference
from tallyboard.ids import now_ms
from tallyboard.logic import audit
from tallyboard.logic.dashboards.dashboards import (
    dashboard_not_found,
    detail,
    is_creator_or_owner,
    is_visible,
    require_edit,
    slugify,
)
from tallyboard.logic.partial_update import sent_fields
from tallyboard.models.dashboards.dashboards import MAX_TAGS, DashboardDetailResponse
from tallyboard.models.dashboards.updates import (
    BulkUpdateTagsRequest,
    BulkUpdateTagsResponse,
    TaggedDashboard,
    UpdateDashboardRequest,
)

NULLABLE = {"data_color_theme_id"}


def _stored(dashboard: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The attributes an update writes: the fields sent and what follows from them."""
    stored = dict(changes)
    if "name" in changes:
        stored["slug"] = slugify(changes["name"])
    if "deleted" in changes:
        stored["deletedAt"] = now_ms() if changes["deleted"] else None
    stored["updatedAt"] = max(now_ms(), int(dashboard["updatedAt"]))
    return stored


def _audit_action(changes: dict[str, Any], was_deleted: bool) -> str:
    if changes.get("deleted") is True:
        return "dashboard.delete"
    if "deleted" in changes and was_deleted:
        return "dashboard.restore"
    return "dashboard.update"


def update(caller: Caller, dashboard_id: str, request: UpdateDashboardRequest) -> DashboardDetailResponse:
    caller.require("editor", "dashboard:write")
    changes = sent_fields(request, NULLABLE)
    dashboard, widgets = store.get_with_widgets(caller.workspace_id, dashboard_id, consistent=True)
    if dashboard is None or not caller.is_bound_to(dashboard["projectId"]):
        raise dashboard_not_found()
    was_deleted = bool(dashboard.get("deleted"))
    if was_deleted and changes.get("deleted") is not False:
        raise dashboard_not_found()  # a soft-deleted dashboard answers only its restore
    require_edit(caller, dashboard)
    if "restriction_level" in changes and not is_creator_or_owner(caller, dashboard):
        raise Forbidden(
            "Only the dashboard's creator or an owner may change restriction_level",
            details={"restriction_level": "creator or owner only"},
        )

    clear_tiles = bool(changes.pop("delete_insights", False)) and changes.get("deleted") is True
    stored = _stored(dashboard, changes)
    theme_change = None
    old_theme = dashboard.get("data_color_theme_id")
    if "data_color_theme_id" in changes and changes["data_color_theme_id"] != old_theme:
        theme_change = (dashboard["projectId"], old_theme, changes["data_color_theme_id"])

    reasons = stored_updates.update_dashboard(
        caller.workspace_id,
        dashboard_id,
        stored,
        was_deleted=was_deleted,
        theme_change=theme_change,
        clear_tiles=clear_tiles,
    )
    if reasons is not None:
        if theme_change and theme_change[2] and reasons[1:2] == ["ConditionalCheckFailed"]:
            raise unknown_reference("data_color_theme_id", "Data color theme", theme_change[2])
        raise Conflict("The dashboard changed while it was being updated; retry")
    if clear_tiles:
        stored_updates.delete_widgets(caller.workspace_id, dashboard_id, [w["id"] for w in widgets])
        widgets = []

    audit.record(
        caller,
        _audit_action(changes, was_deleted),
        "dashboard",
        dashboard_id,
        project_id=dashboard["projectId"],
        metadata={
            "name": stored.get("name") or dashboard["name"],
            "fields": sorted(changes),
            **({"deleteInsights": True} if clear_tiles else {}),
        },
    )
    record = {k: v for k, v in {**dashboard, **stored}.items() if v is not None}
    if clear_tiles:
        record.update(widgetCount=0, tileOrder=[])
    return DashboardDetailResponse(data=detail(record, widgets))


# ---------------------------------------------------------------------------- tags


def _new_tags(action: str, current: list[str], tags: list[str]) -> list[str]:
    if action == "set":
        return list(tags)
    if action == "add":
        return list(dict.fromkeys([*current, *tags]))
    return [t for t in current if t not in set(tags)]


def bulk_update_tags(caller: Caller, request: BulkUpdateTagsRequest) -> BulkUpdateTagsResponse:
    """All or nothing: any id that is not a live dashboard the key may see → 404 listing them,
    one it may not edit → 403 listing them, nothing changed; else one transaction."""
    caller.require("editor", "dashboard:write")
    found = {d["id"]: d for d in store.get_dashboards(caller.workspace_id, request.ids)}
    unknown = [i for i in request.ids if not is_visible(caller, found.get(i))]
    if unknown:
        raise NotFound(
            f"{len(unknown)} dashboard(s) not found; nothing was changed",
            details={"ids": "every id must be a dashboard this key can see", "unknown": unknown},
        )
    restricted = [i for i in request.ids if not _editable(caller, found[i])]
    if restricted:
        raise Forbidden(
            "Only their creators and owners may edit these restricted dashboards; nothing was changed",
            details={"ids": "restriction_level 37", "restricted": restricted},
        )
    updates = []
    for dashboard_id in request.ids:
        current = found[dashboard_id].get("tags")
        updates.append((dashboard_id, current, _new_tags(request.action, current or [], request.tags)))
    too_many = [i for i, _, new in updates if len(new) > MAX_TAGS]
    if too_many:
        raise BadRequest(
            f"Invalid parameter: tags: a dashboard holds at most {MAX_TAGS} tags; nothing was changed",
            details={"tags": f"at most {MAX_TAGS} per dashboard", "ids": too_many},
        )
    if not stored_updates.set_tags(caller.workspace_id, updates, now_ms()):
        raise Conflict("A dashboard changed or was deleted meanwhile; nothing was changed, retry")
    for dashboard_id, _, _new in updates:
        audit.record(
            caller,
            "dashboard.tags",
            "dashboard",
            dashboard_id,
            project_id=found[dashboard_id]["projectId"],
            metadata={"action": request.action, "tags": request.tags},
        )
    return BulkUpdateTagsResponse(
        data=[TaggedDashboard(id=i, tags=new) for i, _, new in updates],
        action=request.action,
        count=len(updates),
    )


def _editable(caller: Caller, dashboard: dict[str, Any]) -> bool:
    try:
        require_edit(caller, dashboard)
    except Forbidden:
        return False
    return True
