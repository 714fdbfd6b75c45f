"""API key management shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from tallyboard.auth import ROLES, SCOPES
from tallyboard.models.common import Pagination, RequestModel, ResourceId

Role = Literal[ROLES]  # type: ignore[valid-type]
Scope = Literal[SCOPES]  # type: ignore[valid-type]


class CreateApiKeyRequest(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
    role: Role
    projectIds: Annotated[list[ResourceId], Field(max_length=100)] | None = None
    scopes: Annotated[list[Scope], Field(max_length=len(SCOPES))] | None = None
    userId: ResourceId | None = Field(
        None,
        description="The team member the key acts for (default: the caller's own user); its role is at most "
        "the member's, and it stops at once when the member is removed or acts with less when demoted",
    )


class ApiKey(BaseModel):
    id: str
    name: str
    role: Role
    projectIds: list[str]
    scopes: list[str]
    maskedKey: str = Field(description="tb_… and the key's last four characters")
    status: Literal["active", "revoked"]
    userId: str = Field(description="The team member the key acts for")
    createdBy: str = Field(description="The user whose key created it")
    createdAt: int
    revokedAt: int | None = None


class CreatedApiKey(ApiKey):
    key: str = Field(description="The plaintext key. Shown once, never again.")


class CreatedApiKeyResponse(BaseModel):
    data: CreatedApiKey


class ApiKeyList(BaseModel):
    data: list[ApiKey]
    pagination: Pagination
