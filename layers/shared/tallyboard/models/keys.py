"""API key management shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from tallyboard.models.common import RequestModel, ResourceId

Role = Literal["owner", "editor", "viewer"]
Scope = Literal[
    "metrics:read",
    "metrics:write",
    "dashboard:read",
    "dashboard:write",
    "query:read",
    "project:read",
    "project:write",
    "export:write",
    "workspace:read",
    "workspace:write",
]


class CreateApiKeyRequest(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
    role: Role
    projectIds: Annotated[list[ResourceId], Field(max_length=100)] | None = None
    scopes: Annotated[list[Scope], Field(max_length=len(Scope.__args__))] | None = None


class ApiKey(BaseModel):
    id: str
    name: str
    role: Role
    projectIds: list[str]
    scopes: list[str]
    maskedKey: str = Field(description="tb_… and the key's last four characters")
    status: Literal["active", "revoked"]
    createdBy: str
    createdAt: int
    revokedAt: int | None = None


class CreatedApiKey(ApiKey):
    key: str = Field(description="The plaintext key. Shown once, never again.")


class CreatedApiKeyResponse(BaseModel):
    data: CreatedApiKey


class ApiKeyList(BaseModel):
    data: list[ApiKey]
