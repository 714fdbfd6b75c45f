"""Widget shapes, and the limits of a widget's free-form JSON `config` (also a connection's
`accountInfo`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tallyboard.models.bounded_json import JsonLimits, bounded_json_object
from tallyboard.models.common import RequestModel, json_int

# Far beyond any widget setting.
WIDGET_JSON = JsonLimits(
    name="BoundedJsonValue",
    max_depth=6,
    max_keys=100,
    max_key=100,
    max_number=1e15,
    min_fraction=1e-15,
    max_items=100,
    max_string=2000,
)
WidgetConfig = bounded_json_object(16_384, WIDGET_JSON)
WidgetType = Literal["metric", "chart", "table", "text"]
WidgetTitle = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
StrictBool = Annotated[bool, Field(strict=True)]


class Position(RequestModel):
    """Grid placement: column x, row y, width w, height h (grid cells)."""

    x: json_int(0, 1000)  # type: ignore[valid-type]
    y: json_int(0, 10_000)  # type: ignore[valid-type]
    w: json_int(1, 100)  # type: ignore[valid-type]
    h: json_int(1, 100)  # type: ignore[valid-type]


class CreateWidgetRequest(RequestModel):
    type: WidgetType
    title: WidgetTitle
    position: Position = Field(default_factory=lambda: Position(x=0, y=0, w=3, h=2))
    visible: StrictBool = True
    config: WidgetConfig = Field(default_factory=dict)  # type: ignore[valid-type]


def _not_null(schema: dict[str, Any]) -> None:
    """In an update, None only marks a field as not sent: the schema does not offer null."""
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if branches:
        schema.update(branches[0])
    schema.pop("default", None)


class UpdateWidgetRequest(RequestModel):
    """Partial update: only the fields sent change; null is not a value for any of them."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    type: WidgetType | None = Field(None, json_schema_extra=_not_null)
    title: WidgetTitle | None = Field(None, json_schema_extra=_not_null)
    position: Position | None = Field(None, json_schema_extra=_not_null)
    visible: StrictBool | None = Field(None, json_schema_extra=_not_null)
    config: WidgetConfig | None = Field(None, json_schema_extra=_not_null)  # type: ignore[valid-type]


class Widget(BaseModel):
    id: str
    dashboardId: str
    type: str
    title: str
    position: Position
    visible: bool
    config: dict[str, Any]
    createdAt: int
    updatedAt: int


class WidgetResponse(BaseModel):
    data: Widget
