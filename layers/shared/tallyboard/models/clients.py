"""Client shapes (docs/api.md "Agency workspace"): clients, their projects and their team."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from tallyboard.models.agency import Email, Name, Phone, Website
from tallyboard.models.common import Cursor, Limit, Offset, Pagination, RequestModel, ResourceId
from tallyboard.models.projects import ProjectStatus

ClientStatus = Literal["active", "inactive"]
MAX_CLIENT_LIMIT = 500  # the agency v1 document: "limit (number): Max results (default: 50, max: 500)"
MAX_TEAM = 100


class ClientPageQuery(BaseModel):
    limit: Annotated[Limit, Field(le=MAX_CLIENT_LIMIT)] = Field(50, description=f"1-{MAX_CLIENT_LIMIT}")
    offset: Offset = 0
    cursor: Cursor | None = None


class ClientProjectsQuery(ClientPageQuery):
    status: ProjectStatus | None = Field(None, description="Only projects in this status")


class CreateClientRequest(RequestModel):
    name: Name
    email: Email | None = None
    phone: Phone | None = None
    website: Website | None = None
    status: ClientStatus = "active"


class Client(BaseModel):
    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    status: ClientStatus
    created_at: str = Field(description="ISO 8601 UTC")
    updated_at: str = Field(description="ISO 8601 UTC")


class ClientResponse(BaseModel):
    data: Client


class ClientList(BaseModel):
    data: list[Client]
    pagination: Pagination


class ClientTeamMember(BaseModel):
    """A workspace member assigned to the client (the fields of GET /team)."""

    id: str
    name: str
    email: str | None = None
    role: str | None = None
    title: str | None = None
    created_at: str | None = Field(None, description="ISO 8601 UTC")


class ClientTeam(BaseModel):
    data: list[ClientTeamMember] = Field(description="In the order they were assigned")


class SetClientTeamRequest(RequestModel):
    """PUT /clients/{id}/team: who is assigned to the client (replaces the list)."""

    user_ids: Annotated[list[ResourceId], Field(max_length=MAX_TEAM)] = Field(
        description="Ids of workspace members (GET /team); [] unassigns everyone"
    )

    @field_validator("user_ids")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))
