"""Audit log shapes (docs/api.md §1 "Writes are audited", "Data export": GET /audit-logs)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from tallyboard.models.common import Cursor, Limit, Offset, Pagination, QueryDate, ResourceId

MAX_LIMIT = 500


class AuditLogQuery(BaseModel):
    projectId: ResourceId | None = Field(None, description="Required unless the key is bound to one project")
    action: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z_.]+$")] | None = (
        Field(None, description="Only this action, e.g. dashboard_created")
    )
    startDate: QueryDate | None = Field(None, description="From this moment (inclusive)")
    endDate: QueryDate | None = Field(None, description="To this moment (inclusive), not before startDate")
    limit: Annotated[Limit, Field(le=MAX_LIMIT)] = Field(100, description=f"1-{MAX_LIMIT}")
    offset: Offset = 0
    cursor: Cursor | None = None


class AuditLogEntry(BaseModel):
    id: str
    userId: str
    action: str
    resource: str
    resourceId: str
    metadata: dict[str, Any]
    ipAddress: str
    userAgent: str
    createdAt: int


class AuditLogList(BaseModel):
    data: list[AuditLogEntry]
    pagination: Pagination
