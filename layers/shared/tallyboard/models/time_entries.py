"""Time entry shapes (API.md "Agency workspace", seed 003 "Time Tracking")."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator

from tallyboard.models.agency import IsoDate, Text
from tallyboard.models.common import PageQuery, Pagination, RequestModel, ResourceId, check_number
from tallyboard.models.widgets import StrictBool

MAX_HOURS = 24


def _hours(value: Any) -> Any:
    """More than 0 and at most 24, kept to the hundredth of an hour (so totals stay exact)."""
    check_number(value, MAX_HOURS * 10)
    rounded = round(value, 2)
    if not 0 < rounded <= MAX_HOURS:
        raise ValueError(f"must be more than 0 and at most {MAX_HOURS} (hundredths of an hour)")
    return int(rounded) if float(rounded).is_integer() else rounded


Hours = Annotated[
    int | float,
    BeforeValidator(_hours),
    Field(
        json_schema_extra={"exclusiveMinimum": 0, "maximum": MAX_HOURS},
        description="Hours worked, more than 0 and at most 24 per entry; rounded to 0.01",
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
    to: IsoDate | None = Field(None, description="Last day, YYYY-MM-DD (inclusive); not before from")
    user_id: ResourceId | None = Field(None, description="Only this member's entries")

    @field_validator("to")
    @classmethod
    def _not_before_from(cls, value: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("from_")
        if value and start and value < start:
            raise ValueError("must not be before from")
        return value
