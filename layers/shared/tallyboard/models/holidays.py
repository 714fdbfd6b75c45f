"""Holiday request shapes (docs/api.md "Agency workspace")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from tallyboard.models.agency import DATE_OR_DATE_TIME_SCHEMA, calendar_day
from tallyboard.models.common import PageQuery, Pagination, RequestModel
from tallyboard.vocabulary import HOLIDAY_TYPES

MIN_YEAR, MAX_YEAR = 1, 9999
MAX_SPAN_DAYS = 366
HolidayStatus = Literal["pending", "approved", "declined", "cancelled"]
DAY_HINT = "must be a date, YYYY-MM-DD (or an ISO 8601 date-time: its date is used)"


def _day(value: Any) -> Any:
    """YYYY-MM-DD; an RFC 3339 date-time stands for the calendar date it names (as written)."""
    day = calendar_day(value) if isinstance(value, str) else None
    if day is None:
        raise ValueError(DAY_HINT)
    return day.isoformat()


Day = Annotated[
    str,
    BeforeValidator(_day),
    WithJsonSchema(
        {
            **DATE_OR_DATE_TIME_SCHEMA,
            "description": "YYYY-MM-DD (an ISO 8601 date-time stands for its date)",
            "examples": ["2025-08-04"],
        }
    ),
]


class CreateHolidayRequest(RequestModel):
    start_date: Day = Field(description="First day off, YYYY-MM-DD")
    end_date: Day = Field(
        description=f"Last day off, YYYY-MM-DD: not before start_date, at most {MAX_SPAN_DAYS} days on"
    )
    type: Literal[HOLIDAY_TYPES] = Field(  # type: ignore[valid-type]
        "annual", description="annual (default; counts against the allowance), sick, unpaid or other"
    )
    note: Annotated[str, StringConstraints(max_length=1000)] | None = None

    @field_validator("end_date")
    @classmethod
    def _in_order(cls, value: str, info: ValidationInfo) -> str:
        start = info.data.get("start_date")
        if start is not None:
            if value < start:
                raise ValueError("must not be before start_date")
            if (date.fromisoformat(value) - date.fromisoformat(start)).days >= MAX_SPAN_DAYS:
                raise ValueError(f"a request covers at most {MAX_SPAN_DAYS} days")
        return value


class UpdateHolidayRequest(RequestModel):
    status: Literal["approved", "declined", "cancelled"] = Field(
        description="approved, declined (owners) or cancelled (its requester), of a pending request"
    )


class Holiday(BaseModel):
    id: str
    user_id: str
    user_name: str
    start_date: str
    end_date: str
    days: int = Field(description="Working days (Monday to Friday) from start_date to end_date")
    type: str
    note: str | None = None
    status: HolidayStatus
    decided_by: str | None = Field(None, description="The user id who approved or declined it")
    decided_at: str | None = None
    created_at: str = Field(description="ISO 8601 UTC")
    updated_at: str = Field(description="ISO 8601 UTC")


class HolidayStats(BaseModel):
    """Annual leave of one year (`year`, else the current one): the key's user (scope me) or every
    current member summed (team)."""

    year: int
    allowance_days: int
    taken_days: int = Field(description="Approved annual leave in the year")
    pending_days: int = Field(description="Annual leave awaiting a decision")
    remaining_days: int = Field(description="allowance_days - taken_days - pending_days")


class HolidayResponse(BaseModel):
    data: Holiday


class HolidayList(BaseModel):
    data: list[Holiday] = Field(
        description="Every matching request (those starting in `year` when it is sent), by start_date then id"
    )
    stats: HolidayStats
    pagination: Pagination


class HolidayQuery(PageQuery):
    scope: Literal["me", "team"] = Field("me", description="me: the key's user (default); team: everyone")
    status: HolidayStatus | None = Field(None, description="Only requests in this status")
    year: Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)] | None = Field(
        None,
        description="Only requests starting in this year, and its stats (default: every request, "
        "and this year's stats, UTC)",
    )
