"""create_from_template_json and create_unlisted_dashboard: a template document or one by name
(TEMPLATES, the documents' own dashboards), and what they answer."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from tallyboard.models.common import (
    RequestModel,
    ResourceId,
    not_null,
)
from tallyboard.models.dashboards.dashboards import (
    MAX_TAGS,
    DashboardName,
    DashboardWithWidgets,
    Description,
    Tag,
)
from tallyboard.models.dashboards.widgets import CreateWidgetRequest

# One transaction holds the dashboard, its tiles and the unlisted lock: DynamoDB's 100 items.
MAX_TEMPLATE_TILES = 98


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
    template: DashboardTemplate | None = Field(None, json_schema_extra=not_null)
    use_template: UseTemplate | None = Field(None, json_schema_extra=not_null)
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
    tag: Tag | None = Field(None, description="The unlisted tag (or send `tags`)", json_schema_extra=not_null)
    tags: Annotated[list[Tag], Field(min_length=1, max_length=MAX_TAGS)] | None = Field(
        None,
        description="The document's field: its first entry is the unlisted tag",
        json_schema_extra=not_null,
    )
    name: DashboardName | None = Field(None, description="Default: the template's name, else the tag")
    description: Description | None = None
    template: DashboardTemplate | None = Field(None, json_schema_extra=not_null)
    use_template: UseTemplate | None = Field(None, json_schema_extra=not_null)

    @field_validator("tag", "tags", "template", "use_template", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        return _sent_not_null(value)


class DashboardCreatedResponse(BaseModel):
    data: DashboardWithWidgets
