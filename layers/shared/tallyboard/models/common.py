"""Shapes every resource shares."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Ids are opaque; this only bounds them so junk never reaches a key condition.
ResourceId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class RequestModel(BaseModel):
    """Create/update bodies: unknown fields are a 400 (API.md §1)."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    error: str
    message: str
    details: dict[str, Any] | None = None


class Pagination(BaseModel):
    total: int
    limit: int
    offset: int
    hasMore: bool


Limit = Annotated[int, Field(ge=1)]
Offset = Annotated[int, Field(ge=0, le=10_000_000)]
