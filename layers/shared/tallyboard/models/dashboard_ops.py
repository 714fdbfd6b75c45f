"""Shapes of the dashboard operations (docs/api.md, PostHog-style): update and soft delete, tiles
(copy, move, reorder), tags, templates, unlisted dashboards.

Request fields keep the names the document gives (`restriction_level`, `tile_order`,
`fromDashboardId`, …); a dashboard shows every field PATCH sets under the same name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

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
from tallyboard.models.common import RequestModel, ResourceId, json_int, line_text, long_text
from tallyboard.models.dashboards import MAX_TAGS, DashboardWithWidgets, Tag
from tallyboard.models.widgets import CreateWidgetRequest, StrictBool, Widget

# PostHog's RestrictionLevelEnum: 21 everyone in the project can edit; 37 only the dashboard's
# creator and the workspace's owners can edit.
EVERYONE_CAN_EDIT = 21
ONLY_CREATOR_AND_OWNERS_CAN_EDIT = 37
RestrictionLevel = Literal[21, 37]
MAX_TILES = 100  # logic/dashboards/widgets.MAX_WIDGETS_PER_DASHBOARD
MAX_BULK_IDS = 100
# One transaction holds the dashboard, its tiles and the unlisted lock: DynamoDB's 100 items.
MAX_TEMPLATE_TILES = 98
MAX_QUICK_FILTERS = 50
MAX_BREAKDOWN_COLORS = 100

Format = Literal["json", "txt"]
FORMAT_FIELD: Any = Field(  # a FieldInfo, typed as its default by pydantic
    "json", description="`txt`: a plain-text rendering (text/plain) instead of JSON, errors too"
)
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    DashboardName = str
    Description = str
else:
    DashboardName = line_text(200, min_length=1)
    Description = long_text(2000)


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


class FormatQuery(BaseModel):
    format: Format = FORMAT_FIELD


def _not_null(schema: dict[str, Any]) -> None:
    """In an update, None only marks a field as not sent: the schema does not offer null."""
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if branches:
        schema.update(branches[0])
    schema.pop("default", None)


def _nullable(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class UpdateDashboardRequest(RequestModel):
    """PATCH /dashboards/{id}: only the fields sent change. `deleted: true` is the soft delete
    (the dashboard leaves lists and GET, and stays stored); `deleted: false` restores it.
    `data_color_theme_id: null` clears the theme; no other field takes null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: DashboardName | None = Field(None, json_schema_extra=_not_null)
    description: Description | None = Field(None, json_schema_extra=_not_null)
    pinned: StrictBool | None = Field(None, json_schema_extra=_not_null)
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = Field(None, json_schema_extra=_not_null)
    deleted: StrictBool | None = Field(None, json_schema_extra=_not_null)
    restriction_level: RestrictionLevel | None = Field(
        None,
        description="21: everyone who may edit the project's dashboards; 37: only the dashboard's creator "
        "and owners. Only the creator or an owner may change it.",
        json_schema_extra=_not_null,
    )
    data_color_theme_id: ResourceId | None = Field(
        None,
        description="A data colour theme of the dashboard's project (theme_…); null clears it",
        json_schema_extra=_nullable,
    )
    breakdown_colors: Annotated[list[BreakdownColor], Field(max_length=MAX_BREAKDOWN_COLORS)] | None = Field(
        None, description="The colour (theme index) of each breakdown value", json_schema_extra=_not_null
    )
    quick_filter_ids: Annotated[list[ResourceId], Field(max_length=MAX_QUICK_FILTERS)] | None = Field(
        None, json_schema_extra=_not_null
    )
    last_accessed_at: IsoDate | None = Field(None, json_schema_extra=_not_null)
    last_refresh: IsoDate | None = Field(None, json_schema_extra=_not_null)
    delete_insights: StrictBool | None = Field(
        None,
        description="With `deleted: true`: also remove the dashboard's tiles (a restore then brings it back "
        "empty); ignored otherwise",
        json_schema_extra=_not_null,
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


# ---------------------------------------------------------------------------- tiles


class CopyTileRequest(RequestModel):
    fromDashboardId: ResourceId = Field(description="The dashboard holding the tile (read access suffices)")
    tileId: ResourceId = Field(description="The tile (widget) to copy; the source is left untouched")


class TileRef(RequestModel):
    id: ResourceId


class MoveTileRequest(RequestModel):
    tile: TileRef = Field(description="The tile to move, off the dashboard in the path")
    toDashboard: ResourceId = Field(description="The dashboard the tile lands on, as a new bottom row")


class ReorderTilesRequest(RequestModel):
    tile_order: Annotated[list[ResourceId], Field(max_length=MAX_TILES)] = Field(
        description="Every tile id of the dashboard, each once, in the new order"
    )


class TileOperationResponse(BaseModel):
    data: DashboardWithWidgets = Field(description="The dashboard in the path, tiles in their order")
    tile: Widget | None = Field(None, description="The tile copied or moved (as it now is)")


# ---------------------------------------------------------------------------- tags


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


# ---------------------------------------------------------------------------- templates


class DashboardTemplate(RequestModel):
    """A dashboard template document: the dashboard's name, description and tags, and its tiles in
    order. A tile is a widget body (POST /dashboards/{id}/widgets): insight tiles (`metric`,
    `chart`, `table`) read `config.metricId` over `config.timeRange` (`<n>h|d|w|y`, default 30d) at
    `config.interval` with `config.aggregation`; text tiles (`text`) hold `config.body`. Tiles
    without a `position` are laid out in rows."""

    template_name: DashboardName = Field(description="The dashboard's name unless `name` is sent")
    dashboard_description: Description | None = None
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] = Field(default_factory=list)
    tiles: Annotated[list[CreateWidgetRequest], Field(max_length=MAX_TEMPLATE_TILES)] = Field(
        default_factory=list, description=f"At most {MAX_TEMPLATE_TILES}, in order"
    )

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


# The dashboards the documents show, as templates (seed 000's "Executive Summary", seed 002's
# "Revenue Dashboard"), without their connection ids: a template is not bound to a connection.
TEMPLATES: dict[str, DashboardTemplate] = {
    template.template_name.casefold(): template
    for template in (
        DashboardTemplate.model_validate(document)
        for document in (
            {
                "template_name": "Executive Summary",
                "dashboard_description": "MRR and the revenue trend",
                "tiles": [
                    {
                        "type": "metric",
                        "title": "MRR",
                        "position": {"x": 0, "y": 0, "w": 3, "h": 2},
                        "config": {"metricId": "stripe_mrr", "timeRange": "30d"},
                    },
                    {
                        "type": "chart",
                        "title": "Revenue Trend",
                        "position": {"x": 3, "y": 0, "w": 6, "h": 3},
                        "config": {
                            "metricId": "stripe_revenue",
                            "chartType": "line",
                            "timeRange": "90d",
                            "aggregation": "sum",
                        },
                    },
                ],
            },
            {
                "template_name": "Revenue Dashboard",
                "dashboard_description": "Monthly recurring revenue",
                "tiles": [
                    {
                        "type": "metric",
                        "title": "MRR",
                        "position": {"x": 0, "y": 0, "w": 4, "h": 2},
                        "config": {"metricId": "stripe_mrr", "aggregation": "last"},
                    }
                ],
            },
        )
    )
}


def _template_name_schema(schema: dict[str, Any]) -> None:
    schema["enum"] = [template.template_name for template in TEMPLATES.values()]


UseTemplate = Annotated[
    DashboardName,
    Field(
        description="A template by its template_name (any case), instead of a `template` document",
        json_schema_extra=_template_name_schema,
    ),
]


def _sent_not_null(value: Any) -> Any:
    """Absent and null are not the same here: a field sent as null is refused (not offered by the
    schema), so `template: null` never passes for a template left out."""
    if value is None:
        raise ValueError("must not be null")
    return value


class CreateFromTemplateRequest(RequestModel):
    """The dashboard and its tiles from `template` (a template document) or `use_template` (a
    template by name); exactly one of the two."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["template"]}, {"required": ["use_template"]}]},
    )

    projectId: ResourceId | None = Field(None, description="Optional for a key bound to one project")
    template: DashboardTemplate | None = Field(None, json_schema_extra=_not_null)
    use_template: UseTemplate | None = Field(None, json_schema_extra=_not_null)
    name: DashboardName | None = Field(None, description="Overrides template_name")
    description: Description | None = Field(None, description="Overrides dashboard_description")

    @field_validator("template", "use_template", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        return _sent_not_null(value)


class CreateUnlistedRequest(RequestModel):
    """An unlisted dashboard (never in lists; reachable by id) for a tag, at most one per tag in a
    project (tags compared case-insensitively): `tag`, or `tags` (the document's field: its first
    entry is the unlisted tag, the others further tags of the dashboard). Its tiles come from
    `template` or `use_template`, if sent (not both)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [{"required": ["tag"]}, {"required": ["tags"]}],
            "not": {"required": ["template", "use_template"]},
        },
    )

    projectId: ResourceId | None = Field(None, description="Optional for a key bound to one project")
    tag: Tag | None = Field(
        None, description="The unlisted tag (or send `tags`)", json_schema_extra=_not_null
    )
    tags: Annotated[list[Tag], Field(min_length=1, max_length=MAX_TAGS)] | None = Field(
        None,
        description="The document's field: its first entry is the unlisted tag",
        json_schema_extra=_not_null,
    )
    name: DashboardName | None = Field(None, description="Default: the template's name, else the tag")
    description: Description | None = None
    template: DashboardTemplate | None = Field(None, json_schema_extra=_not_null)
    use_template: UseTemplate | None = Field(None, json_schema_extra=_not_null)

    @field_validator("tag", "tags", "template", "use_template", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        return _sent_not_null(value)


class DashboardCreatedResponse(BaseModel):
    data: DashboardWithWidgets
