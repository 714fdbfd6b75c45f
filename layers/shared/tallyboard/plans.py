"""The plans catalog: the one place that knows what each plan allows (docs/api.md §1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    api_access: bool
    requests_per_hour: int | None  # None: no API access, or set per workspace (enterprise)
    exports: bool
    audit_logs: bool
    retention_days: int | None  # None: unlimited


PLANS: dict[str, Plan] = {
    p.name: p
    for p in (
        Plan(
            "free",
            api_access=False,
            requests_per_hour=None,
            exports=False,
            audit_logs=False,
            retention_days=3,
        ),
        Plan("pro", False, None, False, False, None),
        Plan("starter", True, 100, False, False, None),
        Plan("professional", True, 1_000, False, False, None),
        Plan("scale", True, 1_000, True, True, None),
        Plan("agency", True, 10_000, True, True, None),
        Plan("enterprise", True, None, True, True, None),
    )
}

# Enterprise workspaces without their own setting get this hourly limit.
ENTERPRISE_DEFAULT_REQUESTS_PER_HOUR = 100_000

API_PLANS_MESSAGE = "API access requires Scale or Agency plan (or Starter, Professional, Enterprise)"


def get_plan(name: str) -> Plan:
    return PLANS.get(name, PLANS["free"])


def hourly_limit(plan: Plan, workspace_setting: int | None = None) -> int:
    if plan.name == "enterprise":
        return workspace_setting or ENTERPRISE_DEFAULT_REQUESTS_PER_HOUR
    return plan.requests_per_hour or 0
