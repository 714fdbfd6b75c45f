"""Project shapes (docs/api.md "Agency workspace"). The analytics project and the
agency project are one item: these are its agency fields, in snake_case with ISO 8601 dates."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from tallyboard.models.agency import IsoDate, Money, Name, Text
from tallyboard.models.common import PageQuery, Pagination, RequestModel, ResourceId, not_null

ProjectStatus = Literal["active", "completed", "archived"]
PROJECT_STATUSES: tuple[str, ...] = ProjectStatus.__args__  # type: ignore[attr-defined]
MAX_SLUG_LENGTH = 80
Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_SLUG_LENGTH, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
    Field(description="Unique in the workspace: lower-case letters and digits between single hyphens"),
]
Description = Annotated[Text, Field(description="Free text, up to 5,000 characters")]


def dates_in_order(start: str | None, end: str | None) -> bool:
    return not (start and end and end < start)


class CreateProjectRequest(RequestModel):
    """POST /clients/{id}/projects: the body of the agency v1 document."""

    name: Name
    description: Description | None = None
    budget: Money | None = Field(None, description="The campaign's spend, for cost per lead and ROI")
    start_date: IsoDate | None = None
    end_date: IsoDate | None = Field(None, description="YYYY-MM-DD, not before start_date")
    status: ProjectStatus = "active"
    slug: Slug | None = Field(None, description="From the name when absent (made unique with -2, -3…)")

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not dates_in_order(info.data.get("start_date"), value):
            raise ValueError("must not be before start_date")
        return value


class UpdateProjectRequest(RequestModel):
    """Partial update: only the fields sent change. `null` clears description, client_id,
    budget and the dates; name, slug and status may not be null. `{"status": "active"}`
    un-archives."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    name: Name | None = Field(None, json_schema_extra=not_null)
    slug: Slug | None = Field(None, json_schema_extra=not_null)
    status: ProjectStatus | None = Field(None, json_schema_extra=not_null)
    description: Description | None = None
    client_id: ResourceId | None = Field(None, description="Link to a client (workspace-wide keys only)")
    budget: Money | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None


class Project(BaseModel):
    id: str
    name: str
    slug: str
    description: str | None = None
    status: ProjectStatus
    client_id: str | None = None
    budget: int | float | None = None
    start_date: str | None = Field(None, description="YYYY-MM-DD")
    end_date: str | None = Field(None, description="YYYY-MM-DD")
    created_at: str = Field(description="ISO 8601 UTC")
    updated_at: str = Field(description="ISO 8601 UTC")


class ProjectResponse(BaseModel):
    data: Project


class ProjectList(BaseModel):
    data: list[Project]
    pagination: Pagination


class ProjectListQuery(PageQuery):
    id: ResourceId | None = Field(None, description="Fetch this one project (archived too); 404 if unknown")


class CampaignMetrics(BaseModel):
    """Computed on each read (docs/api.md): two decimals, null where a denominator is 0."""

    project_id: str
    roi: int | float | None = Field(description="(revenue_generated - budget) / budget x 100")
    leads_generated: int = Field(description="Leads linked to the project")
    cost_per_lead: int | float | None = Field(description="budget / leads_generated")
    conversion_rate: int | float | None = Field(description="Closed leads / leads_generated x 100")
    revenue_generated: int | float = Field(description="Sum of the value of the project's Closed leads")
