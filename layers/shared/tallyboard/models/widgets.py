"""Widget shapes, and the bounded free-form JSON object used for widget `config` and
connection `accountInfo`."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SkipValidation,
    StringConstraints,
    WithJsonSchema,
)
from typing_extensions import TypeAliasType

from tallyboard.models.common import RequestModel, check_number, json_int

# DynamoDB numbers hold 38 digits between 1e-130 and 1e125; these bounds keep every JSON number
# storable exactly (no 500 from a huge or tiny value) and are far beyond any widget setting.
MAX_JSON_NUMBER = 1e15
MIN_JSON_FRACTION = 1e-15
MAX_JSON_DEPTH = 6
MAX_JSON_ITEMS = 100
MAX_JSON_STRING = 2000
MAX_JSON_KEY = 100


def _check_json(value: Any, depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"is nested deeper than {MAX_JSON_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int | float):
        check_number(value, MAX_JSON_NUMBER, MIN_JSON_FRACTION)
    elif isinstance(value, str):
        if len(value) > MAX_JSON_STRING:
            raise ValueError(f"strings must be at most {MAX_JSON_STRING} characters")
    elif isinstance(value, list):
        if len(value) > MAX_JSON_ITEMS:
            raise ValueError(f"lists must hold at most {MAX_JSON_ITEMS} items")
        for item in value:
            _check_json(item, depth + 1)
    elif isinstance(value, dict):
        if len(value) > MAX_JSON_ITEMS:
            raise ValueError(f"objects must hold at most {MAX_JSON_ITEMS} keys")
        for key, item in value.items():
            if not isinstance(key, str) or not 1 <= len(key) <= MAX_JSON_KEY:
                raise ValueError(f"keys must be 1 to {MAX_JSON_KEY} characters")
            _check_json(item, depth + 1)
    else:
        raise ValueError("must be plain JSON")


def _bounded(value: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    _check_json(value, 1)
    if len(json.dumps(value, ensure_ascii=False).encode()) > max_bytes:
        raise ValueError(f"must be at most {max_bytes} bytes as JSON")
    return value


_JSON_NUMBER_SCHEMA = {
    "type": "number",
    "anyOf": [
        {"const": 0},
        {"minimum": MIN_JSON_FRACTION, "maximum": MAX_JSON_NUMBER},
        {"minimum": -MAX_JSON_NUMBER, "maximum": -MIN_JSON_FRACTION},
    ],
}
_JsonKey = Annotated[str, StringConstraints(min_length=1, max_length=MAX_JSON_KEY)]


def _json_value(depth: int) -> Any:
    """The JSON Schema of a value nested at `depth` (the object itself is depth 1), as a named
    type (one OpenAPI component per depth, `BoundedJsonValue<depth>`): the limits `_check_json`
    enforces, down to the last depth, whose lists and objects must be empty. Never validated by
    pydantic (`_check_json` is, with its own messages): it only describes."""
    items = 0 if depth == MAX_JSON_DEPTH else MAX_JSON_ITEMS
    child = Any if depth == MAX_JSON_DEPTH else _json_value(depth + 1)
    return TypeAliasType(  # type: ignore[misc]
        f"BoundedJsonValue{depth}",
        Union[  # noqa: UP007 - a runtime union of annotated types
            bool,
            Annotated[float, WithJsonSchema(_JSON_NUMBER_SCHEMA)],
            Annotated[str, StringConstraints(max_length=MAX_JSON_STRING)],
            Annotated[list[child], Field(max_length=items)],  # type: ignore[valid-type]
            Annotated[dict[_JsonKey, child], Field(max_length=items)],  # type: ignore[valid-type]
            None,
        ],
    )


_JSON_MEMBER = SkipValidation[_json_value(2)]  # type: ignore[misc]


def _as_sent(value: Any) -> Any:
    return value


def bounded_json_object(max_bytes: int) -> Any:
    """A JSON object with bounded size, depth, list lengths, strings and numbers. The schema
    states every limit but the total size (JSON Schema has no measure of it; the description
    says it)."""
    return Annotated[
        dict[str, _JSON_MEMBER],  # type: ignore[valid-type]
        AfterValidator(partial(_bounded, max_bytes=max_bytes)),
        PlainSerializer(_as_sent),  # checked JSON, kept as sent (the union of members only describes)
        Field(
            description=f"At most {max_bytes} bytes as JSON",
            json_schema_extra={
                "maxProperties": MAX_JSON_ITEMS,
                "propertyNames": {"minLength": 1, "maxLength": MAX_JSON_KEY},
            },
        ),
    ]


WidgetConfig = bounded_json_object(16_384)
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
