"""Every successful write appends an audit entry (docs/api.md §1)."""

from __future__ import annotations

from typing import Any

from tallyboard import access, timeutil
from tallyboard.auth import Caller
from tallyboard.data import audit
from tallyboard.errors import Forbidden
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import pages
from tallyboard.models.audit import AuditLogEntry, AuditLogList, AuditLogQuery

RETENTION_SECONDS = 365 * 24 * 3600
AUDIT_LOGS_MESSAGE = "Audit logs require the Scale, Agency or Enterprise plan"
# What an entry shows (exports and GET /audit-logs): not the key id it was made with.
PUBLIC_FIELDS = (
    "id",
    "userId",
    "action",
    "resource",
    "resourceId",
    "metadata",
    "ipAddress",
    "userAgent",
    "createdAt",
)

# The one mapping from the (action, resource) a write names to the export document's vocabulary
# (002_…: action "dashboard_created", resource "dashboards", metadata {"dashboardName"}; API.md §1).
# Per resource: its collection and the metadata key that names the thing (a call site's "name").
RESOURCES: dict[str, tuple[str, str]] = {
    "api_key": ("api_keys", "keyName"),
    "client": ("clients", "clientName"),
    "connection": ("connections", "connectionName"),
    "dashboard": ("dashboards", "dashboardName"),
    "export": ("exports", "exportName"),
    "export_schedule": ("export_schedules", "projectName"),
    "holiday": ("holidays", "memberName"),
    "lead": ("leads", "leadName"),
    "metric": ("metrics", "metricName"),
    "note": ("notes", "noteTitle"),
    "project": ("projects", "projectName"),
    "task": ("tasks", "taskName"),
    "team_member": ("team_members", "memberName"),
    "theme": ("data_color_themes", "themeName"),
    "time_entry": ("time_entries", "memberName"),
    "widget": ("widgets", "widgetTitle"),
}
# Per action: `<thing>_<past tense>`.
ACTIONS: dict[tuple[str, str], str] = {
    ("api_key.create", "api_key"): "api_key_created",
    ("api_key.revoke", "api_key"): "api_key_revoked",
    ("client.create", "client"): "client_created",
    ("client.team.update", "client"): "client_team_updated",
    ("connection.create", "connection"): "connection_created",
    ("dashboard.create", "dashboard"): "dashboard_created",
    ("dashboard.update", "dashboard"): "dashboard_updated",
    ("dashboard.delete", "dashboard"): "dashboard_deleted",
    ("dashboard.restore", "dashboard"): "dashboard_restored",
    ("dashboard.tags", "dashboard"): "dashboard_tags_updated",
    ("dashboard.snapshot", "dashboard"): "dashboard_snapshot_taken",
    ("export.create", "export"): "export_created",
    ("export.complete", "export"): "export_completed",
    ("export.fail", "export"): "export_failed",
    ("export.cancel", "export"): "export_cancelled",
    ("export.download_url", "export"): "export_download_url_issued",
    ("export_schedule.put", "export_schedule"): "export_schedule_updated",
    ("export_schedule.delete", "export_schedule"): "export_schedule_deleted",
    ("export_schedule.skip", "export_schedule"): "export_schedule_skipped",
    ("holiday.create", "holiday"): "holiday_requested",
    ("holiday.approved", "holiday"): "holiday_approved",
    ("holiday.declined", "holiday"): "holiday_declined",
    ("holiday.cancelled", "holiday"): "holiday_cancelled",
    ("lead.create", "lead"): "lead_created",
    ("lead.update", "lead"): "lead_updated",
    ("lead.delete", "lead"): "lead_deleted",
    ("metric.push", "metric"): "metric_pushed",
    ("metric.push_batch", "metric"): "metric_batch_pushed",
    ("note.create", "note"): "note_created",
    ("project.create", "project"): "project_created",
    ("project.update", "project"): "project_updated",
    ("project.archive", "project"): "project_archived",
    ("task.create", "task"): "task_created",
    ("task.update", "task"): "task_updated",
    ("task.delete", "task"): "task_deleted",
    ("team_member.create", "team_member"): "team_member_created",
    ("team_member.update", "team_member"): "team_member_updated",
    ("team_member.remove", "team_member"): "team_member_removed",
    ("theme.create", "theme"): "theme_created",
    ("theme.update", "theme"): "theme_updated",
    ("theme.delete", "theme"): "theme_deleted",
    ("tile.copy", "widget"): "tile_copied",
    ("tile.move", "widget"): "tile_moved",
    ("tile.reorder", "dashboard"): "tiles_reordered",
    ("time_entry.create", "time_entry"): "time_entry_created",
    ("widget.create", "widget"): "widget_created",
    ("widget.update", "widget"): "widget_updated",
    ("widget.delete", "widget"): "widget_deleted",
}
# Entries that record a read (who was handed a download URL), not a change.
READ_ACTIONS = frozenset({ACTIONS["export.download_url", "export"]})


def vocabulary(action: str, resource: str) -> tuple[str, str, str]:
    """The document's action, resource and name key for a write's (action, resource). A pair
    missing from the tables (tests/unit/test_audit_vocabulary.py keeps them complete) is spelled
    the same way rather than failing a write that has already happened."""
    collection, name_key = RESOURCES.get(resource, (f"{resource}s", f"{resource}Name"))
    return ACTIONS.get((action, resource), action.replace(".", "_")), collection, name_key


def record(
    caller: Caller,
    action: str,
    resource: str,
    resource_id: str,
    project_id: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Append the entry for a write, in the document's vocabulary (`vocabulary`): a metadata
    "name" is the thing's name, stored under its resource's key (dashboardName, clientName, …)."""
    document_action, collection, name_key = vocabulary(action, resource)
    metadata = dict(metadata or {})
    if "name" in metadata:
        metadata[name_key] = metadata.pop("name")
    created_at = now_ms()
    entry = {
        "id": new_id("log"),
        "userId": caller.user_id,
        "keyId": caller.key_id,
        "action": document_action,
        "resource": collection,
        "resourceId": resource_id,
        "metadata": metadata,
        "ipAddress": caller.source_ip,
        "userAgent": caller.user_agent,
        "createdAt": created_at,
    }
    audit.append(caller.workspace_id, project_id, entry, expires_at=created_at // 1000 + RETENTION_SECONDS)


def list_logs(caller: Caller, query: AuditLogQuery) -> AuditLogList:
    """A project's audit log, newest first (the writes of everyone on the project, and who was
    handed export download URLs). Editors and owners read it: they can export it too."""
    if not caller.plan.audit_logs:
        raise Forbidden(AUDIT_LOGS_MESSAGE)
    caller.require("editor", "project:read")
    project_id = access.project_for(caller, query.projectId)
    start, end = timeutil.date_range(query.startDate, query.endDate)
    scope = f"audit-logs|{caller.workspace_id}|{project_id}|{start}|{end}|{query.action or ''}"
    spec = pages.page_spec(query.limit, query.offset, query.cursor, scope)
    page, total = audit.page(caller.workspace_id, project_id, start, end, query.action, spec)
    return AuditLogList(
        data=[AuditLogEntry(**{k: entry.get(k) for k in AuditLogEntry.model_fields}) for entry in page.items],
        pagination=pages.pagination(spec, total, page),
    )
