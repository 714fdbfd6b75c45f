"""Audit log shapes (API.md §1 "Writes are audited", "Data export": GET /audit-logs)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from tallyboard.models.common import Limit, Pagination, ResourceId

MAX_LIMIT = 500
MAX_OFFSET = 10_000


class AuditLogQuery(BaseModel):
    projectId: ResourceId | None = Field(None, description="Required unless the key is bound to one project")
    action: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z_.]+$")] | None = (
        Field(None, description="Only this action, e.g. export.create")
    )
    startDate: str | None = Field(None, description="ISO 8601; no zone means UTC")
    endDate: str | None = Field(None, description="ISO 8601; no zone means UTC")
    limit: Annotated[Limit, Field(le=MAX_LIMIT)] = Field(100, description=f"1-{MAX_LIMIT}")
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = Field(0, description=f"0-{MAX_OFFSET}")


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
