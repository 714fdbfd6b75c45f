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
# Entries that record a read (who was handed a download URL), not a change.
READ_ACTIONS = frozenset({"export.download_url"})
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


def record(
    caller: Caller,
    action: str,
    resource: str,
    resource_id: str,
    project_id: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    created_at = now_ms()
    entry = {
        "id": new_id("log"),
        "userId": caller.user_id,
        "keyId": caller.key_id,
        "action": action,
        "resource": resource,
        "resourceId": resource_id,
        "metadata": metadata or {},
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
