"""Every successful write appends an audit entry (API.md §1)."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import audit
from tallyboard.ids import new_id, now_ms

RETENTION_SECONDS = 365 * 24 * 3600
# Entries that record a read (who was handed a download URL), not a change.
READ_ACTIONS = frozenset({"export.download_url"})


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
