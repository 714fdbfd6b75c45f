"""Dashboard shapes (docs/api.md "Analytics"). `category` and `description` are left out of
a response when unset, as in the documented examples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from tallyboard.models.common import Pagination, RequestModel, ResourceId, StrictBool, line_text, long_text
from tallyboard.models.dashboards.widgets import Widget

DashboardType = Literal["custom", "category"]
Category = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    Tag = str
    DashboardName = str
    Description = str
else:
    Tag = line_text(50, min_length=1)
    DashboardName = line_text(200, min_length=1)
    Description = long_text(2000)
MAX_TAGS = 50


class CreateDashboardRequest(RequestModel):
    # What `_category_matches_type` enforces, as JSON Schema: a category dashboard names its
    # category; any other (custom, the default) has none (absent or null). anyOf, not oneOf: the
    # branches exclude each other by `category`, which a linter cannot see (`type` is optional).
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"properties": {"type": {"const": "custom"}, "category": {"type": "null"}}},
                {
                    "properties": {"type": {"const": "category"}, "category": {"type": "string"}},
                    "required": ["type", "category"],
                },
            ]
        }
    )

    projectId: ResourceId | None = Field(None, description="Optional for a key bound to one project")
    name: DashboardName
    type: DashboardType = "custom"
    category: Category | None = Field(
        None, validate_default=True, description="Required for type category (e.g. payment), else absent"
    )
    isDefault: StrictBool = False
    description: Description | None = None
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] = Field(default_factory=list)

    @field_validator("category")
    @classmethod
    def _category_matches_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if kind == "category" and value is None:
            # Typed "missing" so the error names the field the client left out.
            raise PydanticCustomError("missing", "is required for type category")
        if kind == "custom" and value is not None:
            raise ValueError("is only allowed for type category")
        return value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class Dashboard(BaseModel):
    id: str
    projectId: str
    name: str
    slug: str
    type: DashboardType
    category: str | None = None
    isDefault: bool
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    # The fields PATCH /dashboards/{id} sets (docs/api.md), under the names it takes them by.
    pinned: bool = False
    deleted: bool = Field(False, description="true only in the answer to the PATCH that soft-deletes it")
    restriction_level: int = Field(
        21, description="21: everyone who may edit the project's dashboards; 37: its creator and owners only"
    )
    data_color_theme_id: str | None = None
    breakdown_colors: list[dict[str, Any]] = Field(default_factory=list)
    quick_filter_ids: list[str] = Field(default_factory=list)
    last_accessed_at: str | None = Field(None, description="ISO 8601 UTC, as PATCH last set it")
    last_refresh: str | None = Field(None, description="ISO 8601 UTC, as PATCH last set it")
    unlisted: bool = Field(False, description="Made by create_unlisted_dashboard: never in lists")
    createdBy: str
    createdAt: int
    updatedAt: int

    # No return annotation: pydantic then keeps the field schema for the OpenAPI response.
    @model_serializer(mode="wrap")
    def _omit_unset_optionals(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        data = handler(self)
        for name in ("category", "description"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class DashboardWithWidgets(Dashboard):
    widgets: list[Widget] = Field(description="In creation order")


class DashboardResponse(BaseModel):
    data: Dashboard


class DashboardDetailResponse(BaseModel):
    data: DashboardWithWidgets


class DashboardList(BaseModel):
    data: list[Dashboard]
    pagination: Pagination
