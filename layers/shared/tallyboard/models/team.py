"""Team shapes (docs/api.md "Agency workspace"): the workspace's members, read by any
key (ids resolve to names), managed by owners."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tallyboard.auth import ROLES
from tallyboard.models.agency import Email, Name, ShortText
from tallyboard.models.common import Pagination, RequestModel, json_int, not_null

MemberRole = Literal[ROLES]  # type: ignore[valid-type]
DEFAULT_ALLOWANCE_DAYS = 25
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    Allowance = int
else:
    Allowance = Annotated[
        json_int(0, 366),
        Field(description="Holiday allowance in working days per year (GET /holidays stats)"),
    ]


class CreateMemberRequest(RequestModel):
    name: Name = Field(description="Display name: tasks store it in assigned_to")
    email: Email
    role: MemberRole = "editor"
    title: ShortText | None = Field(None, description="Job title, e.g. Account Manager")
    holiday_allowance_days: Allowance = DEFAULT_ALLOWANCE_DAYS


class UpdateMemberRequest(RequestModel):
    """Partial update: only the fields sent change; `title: null` clears the title, the other
    fields may not be null."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    name: Name | None = Field(None, json_schema_extra=not_null)
    email: Email | None = Field(None, json_schema_extra=not_null)
    role: MemberRole | None = Field(None, json_schema_extra=not_null)
    title: ShortText | None = None
    holiday_allowance_days: Allowance | None = Field(None, json_schema_extra=not_null)


class Member(BaseModel):
    id: str
    name: str
    email: str
    role: str
    title: str | None = None
    holiday_allowance_days: int
    created_at: str = Field(description="ISO 8601 UTC")


class MemberResponse(BaseModel):
    data: Member


class MemberList(BaseModel):
    data: list[Member] = Field(description="Current members, in id order")
    pagination: Pagination
