"""PATCH /dashboards/{id} (update and soft delete, the document's field names) and bulk_update_tags."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from tallyboard.models.agency import DATE_OR_DATE_TIME_SCHEMA, calendar_day
from tallyboard.models.common import (
    RequestModel,
    ResourceId,
    StrictBool,
    json_int,
    line_text,
    not_null,
)
from tallyboard.models.dashboards.dashboards import (
    MAX_TAGS,
    DashboardName,
    Description,
    Tag,
)

# PostHog's RestrictionLevelEnum: 21 everyone in the project can edit; 37 only the dashboard's
# creator and the workspace's owners can edit.
EVERYONE_CAN_EDIT = 21


ONLY_CREATOR_AND_OWNERS_CAN_EDIT = 37


RestrictionLevel = Literal[21, 37]


MAX_BULK_IDS = 100


MAX_QUICK_FILTERS = 50


MAX_BREAKDOWN_COLORS = 100


def _calendar(value: str) -> str:
    if calendar_day(value) is None:
        raise ValueError("must be an RFC 3339 date-time (or a date), e.g. 2026-03-01T10:00:00Z")
    return value


# RFC 3339 (JSON Schema's date-time, or a bare date), kept as sent.
IsoDate = Annotated[
    str,
    StringConstraints(max_length=40),
    AfterValidator(_calendar),
    WithJsonSchema({**DATE_OR_DATE_TIME_SCHEMA, "description": "RFC 3339 date-time or date, kept as sent"}),
]


class BreakdownColor(RequestModel):
    """PostHog's breakdown colour: a breakdown value shown in the colour at `colorIndex` of the
    dashboard's theme."""

    breakdownValue: line_text(400, min_length=1, strip=False)  # type: ignore[valid-type]
    colorIndex: json_int(0, 31)  # type: ignore[valid-type]
    breakdownType: line_text(50, min_length=1, strip=False) | None = Field(  # type: ignore[valid-type]
        None, description="e.g. event, person (kept as sent)"
    )


def _nullable(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class UpdateDashboardRequest(RequestModel):
    """PATCH /dashboards/{id}: only the fields sent change. `deleted: true` is the soft delete
    (the dashboard leaves lists and GET, and stays stored); `deleted: false` restores it.
    `data_color_theme_id: null` clears the theme; no other field takes null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: DashboardName | None = Field(None, json_schema_extra=not_null)
    description: Description | None = Field(None, json_schema_extra=not_null)
    pinned: StrictBool | None = Field(None, json_schema_extra=not_null)
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = Field(None, json_schema_extra=not_null)
    deleted: StrictBool | None = Field(None, json_schema_extra=not_null)
    restriction_level: RestrictionLevel | None = Field(
        None,
        description="21: everyone who may edit the project's dashboards; 37: only the dashboard's creator "
        "and owners. Only the creator or an owner may change it.",
        json_schema_extra=not_null,
    )
    data_color_theme_id: ResourceId | None = Field(
        None,
        description="A data colour theme of the dashboard's project (theme_…); null clears it",
        json_schema_extra=_nullable,
    )
    breakdown_colors: Annotated[list[BreakdownColor], Field(max_length=MAX_BREAKDOWN_COLORS)] | None = Field(
        None, description="The colour (theme index) of each breakdown value", json_schema_extra=not_null
    )
    quick_filter_ids: Annotated[list[ResourceId], Field(max_length=MAX_QUICK_FILTERS)] | None = Field(
        None, json_schema_extra=not_null
    )
    last_accessed_at: IsoDate | None = Field(None, json_schema_extra=not_null)
    last_refresh: IsoDate | None = Field(None, json_schema_extra=not_null)
    delete_insights: StrictBool | None = Field(
        None,
        description="With `deleted: true`: also remove the dashboard's tiles (a restore then brings it back "
        "empty); ignored otherwise",
        json_schema_extra=not_null,
    )

    # PostHog's creation-time options: named in the document's field list, refused here with a
    # message that says where they apply (not in the spec: no client should send them).
    use_template: SkipJsonSchema[Any] = Field(None)
    use_dashboard: SkipJsonSchema[Any] = Field(None)
    create_in_folder: SkipJsonSchema[Any] = Field(None, alias="_create_in_folder")

    @field_validator("use_template", "use_dashboard", "create_in_folder")
    @classmethod
    def _create_only(cls, value: Any) -> Any:
        raise ValueError(
            "applies only when a dashboard is created (POST /dashboards/create_from_template_json)"
        )

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None


class BulkUpdateTagsRequest(RequestModel):
    ids: Annotated[list[ResourceId], Field(min_length=1, max_length=MAX_BULK_IDS)] = Field(
        description=f"Dashboard ids (at most {MAX_BULK_IDS}); every one must be a dashboard the key may edit"
    )
    action: Literal["add", "remove", "set"] = Field(
        description="add: to each dashboard's tags; remove: these tags; set: replace the tags"
    )
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)]

    @field_validator("ids", "tags")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class TaggedDashboard(BaseModel):
    id: str
    tags: list[str]


class BulkUpdateTagsResponse(BaseModel):
    data: list[TaggedDashboard] = Field(
        description="Each dashboard's tags after the update, in request order"
    )
    action: str
    count: int
