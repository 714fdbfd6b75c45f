"""Demo data for the local server: a scale workspace with a project, an owner key, a few months
of daily metrics, two connections and two dashboards with widgets."""

from __future__ import annotations

from typing import Any

from tallyboard.logic import workspaces
from tallyboard_local import demo_agency, demo_dashboards, demo_metrics, demo_team


def seed() -> dict[str, Any]:
    created = workspaces.bootstrap(
        "scale",
        workspace_name="Demo Agency",
        project_name="Demo project",
        owner_name="Dana Demo",
        owner_email="dana@demo.example",
    )
    demo_dashboards.seed(created["workspaceId"], created["projectId"], created["userId"])
    demo_metrics.seed(created["workspaceId"], created["projectId"])
    demo_agency.seed(created["workspaceId"], created["userId"])
    demo_team.seed(created["workspaceId"], created["projectId"], created["userId"])
    return created
