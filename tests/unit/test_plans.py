"""The plans catalog (docs/api.md §1, Plans)."""

from __future__ import annotations

import re

import pytest

from tallyboard.plans import (
    API_PLANS_MESSAGE,
    ENTERPRISE_DEFAULT_REQUESTS_PER_HOUR,
    PLANS,
    get_plan,
    hourly_limit,
)

# plan: (API access, requests per hour, exports, audit logs, retention days)
DOCUMENTED = {
    "free": (False, None, False, False, 3),
    "pro": (False, None, False, False, None),
    "starter": (True, 100, False, False, None),
    "professional": (True, 1_000, False, False, None),
    "scale": (True, 1_000, True, True, None),
    "agency": (True, 10_000, True, True, None),
    "enterprise": (True, None, True, True, None),
}


def test_catalog_is_exactly_the_documented_table() -> None:
    assert set(PLANS) == set(DOCUMENTED)
    for name, (api, per_hour, exports, audit, retention) in DOCUMENTED.items():
        plan = PLANS[name]
        assert plan.name == name
        assert (plan.api_access, plan.requests_per_hour, plan.exports, plan.audit_logs) == (
            api,
            per_hour,
            exports,
            audit,
        ), name
        assert plan.retention_days == retention, name


@pytest.mark.parametrize("name", ["starter", "professional", "scale", "agency"])
def test_fixed_plans_limit_ignores_a_workspace_setting(name: str) -> None:
    assert hourly_limit(PLANS[name], 5) == DOCUMENTED[name][1]


def test_enterprise_limit_is_the_workspace_setting() -> None:
    enterprise = PLANS["enterprise"]
    assert hourly_limit(enterprise, 25_000) == 25_000
    assert hourly_limit(enterprise, None) == ENTERPRISE_DEFAULT_REQUESTS_PER_HOUR


@pytest.mark.parametrize("name", ["free", "pro"])
def test_plans_without_api_have_no_limit(name: str) -> None:
    assert hourly_limit(PLANS[name]) == 0


def test_unknown_plan_falls_back_to_the_most_restricted() -> None:
    assert get_plan("platinum") is PLANS["free"]
    assert not get_plan("").api_access


def test_no_api_message_names_the_plans_with_access() -> None:
    assert API_PLANS_MESSAGE.startswith("API access requires Scale or Agency plan")
    for name, plan in PLANS.items():
        named = re.search(rf"\b{name.capitalize()}\b", API_PLANS_MESSAGE) is not None
        assert named == plan.api_access, name
