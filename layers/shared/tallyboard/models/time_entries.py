"""Time entry shapes (docs/api.md "Agency workspace")."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from tallyboard.models.agency import IsoDate, Text
from tallyboard.models.common import PageQuery, Pagination, RequestModel, ResourceId, StrictBool

MAX_HOURS = 24


MIN_HOURS = 0.01
Hours = Annotated[
    float,
    Field(
        strict=True,
        ge=MIN_HOURS,
        le=MAX_HOURS,
        description=f"Hours worked: more than 0 (at least {MIN_HOURS}) and at most {MAX_HOURS} per entry",
    ),
]


class CreateTimeEntryRequest(RequestModel):
    hours: Hours
    date: IsoDate | None = Field(None, description="The day worked, YYYY-MM-DD (default: today, UTC)")
    user_id: ResourceId | None = Field(None, description="The member who worked (default: the key's user)")
    task_id: ResourceId | None = Field(None, description="A task of the same project")
    description: Text | None = None
    billable: StrictBool = True


class TimeEntry(BaseModel):
    id: str
    project_id: str
    user_id: str
    user_name: str
    task_id: str | None = None
    date: str = Field(description="YYYY-MM-DD")
    hours: int | float
    description: str | None = None
    billable: bool
    created_at: str = Field(description="ISO 8601 UTC")


class TimeEntryResponse(BaseModel):
    data: TimeEntry


class TimeEntryList(BaseModel):
    data: list[TimeEntry] = Field(description="Newest day first, then newest entry first")
    pagination: Pagination


class TimeEntryQuery(PageQuery):
    from_: IsoDate | None = Field(None, alias="from", description="First day, YYYY-MM-DD (inclusive)")
    to: IsoDate | None = Field(
        None, description="Last day, YYYY-MM-DD (inclusive); not before from (else 400)"
    )
    user_id: ResourceId | None = Field(None, description="Only this member's entries")
