"""Widget and dashboard models without AWS: the bounded JSON object, positions, slugs."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tallyboard.logic.dashboards.dashboards import slugify
from tallyboard.models.dashboards.dashboards import CreateDashboardRequest
from tallyboard.models.dashboards.widgets import CreateWidgetRequest, UpdateWidgetRequest


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"flag": True, "none": None, "n": -1e15, "f": 0.5, "zero": 0.0, "s": "é" * 2000},
        {"list": list(range(100))},
        nested(6),
    ],
)
def test_config_within_bounds_is_accepted(config: dict[str, Any]) -> None:
    assert CreateWidgetRequest(type="text", title="t", config=config).config == config


@pytest.mark.parametrize(
    "config",
    [
        nested(7),
        {"n": 1e15 + 2},
        {"n": float("nan")},
        {"n": float("inf")},
        {"n": 1e-16},
        {"list": list(range(101))},
        {f"k{i}": i for i in range(101)},
        {"k" * 101: 1},
        {"s": "x" * 2001},
        {"big": ["y" * 2000] * 9},  # every part in bounds, the whole over 16 KB
    ],
)
def test_config_out_of_bounds_is_rejected(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        CreateWidgetRequest(type="text", title="t", config=config)
    assert error.value.errors()[0]["loc"][0] == "config"


def test_position_is_strict_and_complete() -> None:
    assert CreateWidgetRequest(type="chart", title="t").position.model_dump() == {
        "x": 0,
        "y": 0,
        "w": 3,
        "h": 2,
    }
    for position in (
        {"x": True, "y": 0, "w": 1, "h": 1},
        {"x": 0, "y": 0, "w": 1},
        {"x": 0, "y": 0, "w": 1, "h": 101},
    ):
        with pytest.raises(ValidationError):
            CreateWidgetRequest(type="chart", title="t", position=position)


def test_update_knows_which_fields_were_sent() -> None:
    assert UpdateWidgetRequest(title="x").model_dump(exclude_unset=True) == {"title": "x"}
    assert UpdateWidgetRequest.model_json_schema()["minProperties"] == 1
    with pytest.raises(ValidationError):
        UpdateWidgetRequest(colour="red")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Executive Summary", "executive-summary"),
        ("Payments", "payments"),
        ("  Crème brûlée / KPIs 2024 ", "creme-brulee-kpis-2024"),
        ("数据 面板", "数据-面板"),
        ("___", "dashboard"),
        ("a" * 200, "a" * 80),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_dashboard_category_follows_type() -> None:
    assert CreateDashboardRequest(name="P", type="category", category="payment").category == "payment"
    for body in ({"type": "category"}, {"type": "custom", "category": "payment"}):
        with pytest.raises(ValidationError) as error:
            CreateDashboardRequest(name="P", **body)
        assert error.value.errors()[0]["loc"] == ("category",)
