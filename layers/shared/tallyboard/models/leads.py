"""Lead shapes (docs/api.md "Agency workspace"): status and tags from the documented
lists in any case, stored in the documented spelling."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tallyboard.models.agency import Email, Money, Name, Phone, ShortText, Text, choice
from tallyboard.models.common import PageQuery, Pagination, RequestModel, ResourceId, not_null
from tallyboard.vocabulary import LEAD_STATUSES

LEAD_TAGS = (
    "Proposal Sent",
    "Chaser Sent",
    "Deliberating",
    "Create Proposal",
    "Chase Up",
    "Pending Development",
    "Stuck",
    "In Progress",
    "On Hold",
    "Waiting on Cai",
    "Sent for Review",
    "Won",
)
CLOSED = "Closed"

LeadStatus = choice(LEAD_STATUSES, "status")
LeadTag = choice(LEAD_TAGS, "tag")
Tags = Annotated[list[LeadTag], Field(max_length=len(LEAD_TAGS))]  # type: ignore[valid-type]
Rep = Annotated[ShortText, Field(description="The sales representative")]


def _unique(value: list[str] | None) -> list[str] | None:
    return list(dict.fromkeys(value)) if value is not None else None


class LeadListQuery(PageQuery):
    status: LeadStatus | None = None  # type: ignore[valid-type]
    rep: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        None, description="Only this representative's leads (any case)"
    )


class CreateLeadRequest(RequestModel):
    name: Name
    status: LeadStatus  # type: ignore[valid-type]
    company: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    tags: Tags = Field(default_factory=list)
    rep: Rep | None = None
    value: Money | None = Field(None, description="The deal's value; Closed leads count as revenue")
    source: ShortText | None = None
    notes: Text | None = None
    project_id: ResourceId | None = Field(None, description="The project whose campaign brought the lead")
    client_id: ResourceId | None = None

    _tags = field_validator("tags")(_unique)


class UpdateLeadRequest(RequestModel):
    """Partial update: only the fields sent change; `null` clears a field, except name and
    status."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    name: Name | None = Field(None, json_schema_extra=not_null)
    status: LeadStatus | None = Field(None, json_schema_extra=not_null)  # type: ignore[valid-type]
    company: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    tags: Tags | None = None
    rep: Rep | None = None
    value: Money | None = None
    source: ShortText | None = None
    notes: Text | None = None
    project_id: ResourceId | None = None
    client_id: ResourceId | None = None

    _tags = field_validator("tags")(_unique)


class Lead(BaseModel):
    id: str
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    status: str = Field(json_schema_extra={"enum": list(LEAD_STATUSES)})
    tags: list[str]
    rep: str | None = None
    value: int | float | None = None
    source: str | None = None
    notes: str | None = None
    project_id: str | None = None
    client_id: str | None = None
    created_at: str = Field(description="ISO 8601 UTC")
    updated_at: str = Field(description="ISO 8601 UTC")


class LeadResponse(BaseModel):
    data: Lead


class LeadList(BaseModel):
    data: list[Lead]
    pagination: Pagination
