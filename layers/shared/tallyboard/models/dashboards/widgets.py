"""Widget shapes, and the limits of a widget's free-form JSON `config` (also a connection's
`accountInfo`).

A config is free-form but for the settings an insight tile reads (logic/insights.py):
`metricId`, `timeRange`, `interval`, `aggregation`. Each is optional (absent: the default) and,
when sent, must be one the tile can compute: CONFIG_RULES is the one statement of them, checked on
create and update (a 400 naming `config.<key>`), stated in the schema, and applied by the reader to
configs stored before the rule existed (`invalid_config`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SkipValidation,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from tallyboard.models.bounded_json import JsonLimits, bounded, json_value
from tallyboard.models.common import RequestModel, StrictBool, json_int, line_text, not_null
from tallyboard.models.metrics import Aggregation
from tallyboard.timeutil import INTERVALS

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
MAX_CONFIG_BYTES = 16_384

# What an insight tile's settings may be (logic/insights.py computes them).
METRIC_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
TIME_RANGE_PATTERN = r"^([1-9][0-9]{0,3})([hdwy])$"  # n 1-9999 hours, days, weeks or years
AGGREGATIONS: tuple[str, ...] = Aggregation.__args__  # type: ignore[attr-defined]
# The export document (seed 002) writes a gauge's aggregation as "latest": the same as "last".
AGGREGATION_ALIASES = {"latest": "last"}


@dataclass(frozen=True)
class ConfigRule:
    accepts: Callable[[Any], bool]
    message: str
    schema: dict[str, Any]


def _matches(pattern: str) -> Callable[[Any], bool]:
    compiled = re.compile(pattern)
    return lambda value: isinstance(value, str) and compiled.fullmatch(value) is not None


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and value in choices


CONFIG_RULES: dict[str, ConfigRule] = {
    "metricId": ConfigRule(
        _matches(METRIC_ID_PATTERN),
        "must be a metric id: 1-128 letters, digits, _ - . : (leave it out for no metric yet)",
        {"type": "string", "pattern": METRIC_ID_PATTERN, "description": "The metric the tile shows"},
    ),
    "timeRange": ConfigRule(
        _matches(TIME_RANGE_PATTERN),
        "must be <n>h, <n>d, <n>w or <n>y with n 1-9999 (e.g. 30d)",
        {"type": "string", "pattern": TIME_RANGE_PATTERN, "description": "Default 30d, ending now"},
    ),
    "interval": ConfigRule(
        _one_of(INTERVALS),
        f"must be one of {', '.join(INTERVALS)}",
        {"type": "string", "enum": list(INTERVALS), "description": "Default: from the time range"},
    ),
    "aggregation": ConfigRule(
        _one_of((*AGGREGATIONS, *AGGREGATION_ALIASES)),
        f"must be one of {', '.join(AGGREGATIONS)}",
        {
            "type": "string",
            "enum": [*AGGREGATIONS, *AGGREGATION_ALIASES],
            "description": "Default: the metric's natural one; latest is last",
        },
    ),
}


def config_problem(config: dict[str, Any]) -> tuple[str, str] | None:
    """The first tile setting of `config` that breaks its rule: (key, message); None when all hold."""
    for key, rule in CONFIG_RULES.items():
        if key in config and not rule.accepts(config[key]):
            return key, rule.message
    return None


def _setting(key: str) -> Any:
    rule = CONFIG_RULES[key]

    def check(value: Any) -> Any:
        if not rule.accepts(value):
            raise PydanticCustomError("invalid_config", rule.message)
        return value

    return Annotated[Any, PlainValidator(check), WithJsonSchema(rule.schema)]


# A typed dict: a setting's error is located at config.<key>; every other key is free-form JSON.
_WidgetConfig = TypedDict(  # type: ignore[misc]
    "WidgetConfig",
    {key: _setting(key) for key in CONFIG_RULES},
    total=False,
    extra_items=SkipValidation[json_value(2, WIDGET_JSON)],  # type: ignore[misc]
)
_WidgetConfig.__pydantic_config__ = ConfigDict(  # type: ignore[attr-defined]
    json_schema_extra={
        "maxProperties": WIDGET_JSON.max_keys,
        "propertyNames": {"minLength": 1, "maxLength": WIDGET_JSON.max_key},
    }
)
WidgetConfig = Annotated[
    _WidgetConfig,
    AfterValidator(partial(bounded, max_bytes=MAX_CONFIG_BYTES, limits=WIDGET_JSON)),
    PlainSerializer(lambda value: value),  # checked JSON, kept as sent
    Field(description=f"At most {MAX_CONFIG_BYTES} bytes as JSON"),
]
WidgetType = Literal["metric", "chart", "table", "text"]
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    WidgetTitle = str
else:
    WidgetTitle = line_text(200, min_length=1)


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
    config: WidgetConfig = Field(default_factory=dict)  # type: ignore[assignment]  # {}: no key is required


class UpdateWidgetRequest(RequestModel):
    """Partial update: only the fields sent change; null is not a value for any of them."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    type: WidgetType | None = Field(None, json_schema_extra=not_null)
    title: WidgetTitle | None = Field(None, json_schema_extra=not_null)
    position: Position | None = Field(None, json_schema_extra=not_null)
    visible: StrictBool | None = Field(None, json_schema_extra=not_null)
    config: WidgetConfig | None = Field(None, json_schema_extra=not_null)


class Widget(BaseModel):
    id: str
    dashboardId: str
    type: str
    title: str
    position: Position
    visible: bool
    # Titled: a generator names the inline object `Widget` + title, and WidgetConfig is the
    # request's component already.
    config: dict[str, Any] = Field(title="Settings", description="The widget's settings, as stored")
    createdAt: int
    updatedAt: int


class WidgetResponse(BaseModel):
    data: Widget
