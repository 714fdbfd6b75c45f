"""Data colour themes of a project (docs/api.md): a name and 1-32 hex colours, set on dashboards
through `data_color_theme_id`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tallyboard.models.common import FORMAT_FIELD, Format, PageQuery, Pagination, RequestModel, line_text

MAX_COLORS = 32
HexColor = Annotated[
    str,
    StringConstraints(pattern=r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$"),
    Field(description="#rgb, #rrggbb or #rrggbbaa; stored lower case"),
]
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    ThemeName = str
else:
    ThemeName = line_text(100, min_length=1)
Colors = Annotated[list[HexColor], Field(min_length=1, max_length=MAX_COLORS)]


def _lower(colors: list[str] | None) -> list[str] | None:
    return [c.lower() for c in colors] if colors is not None else None


def _not_null(schema: dict[str, Any]) -> None:
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if branches:
        schema.update(branches[0])
    schema.pop("default", None)


class CreateThemeRequest(RequestModel):
    name: ThemeName
    colors: Colors = Field(description=f"1-{MAX_COLORS} colours, in the order series use them")

    _colors = field_validator("colors")(_lower)


class UpdateThemeRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: ThemeName | None = Field(None, json_schema_extra=_not_null)
    colors: Colors | None = Field(None, json_schema_extra=_not_null)

    _colors = field_validator("colors")(_lower)


class Theme(BaseModel):
    id: str
    projectId: str
    name: str
    colors: list[str]
    createdBy: str
    createdAt: int
    updatedAt: int


class ThemeResponse(BaseModel):
    data: Theme


class ThemeList(BaseModel):
    data: list[Theme] = Field(description="Oldest first (creation time, then id)")
    pagination: Pagination


class ThemeListQuery(PageQuery):
    format: Format = FORMAT_FIELD
