"""Demo data for the local server: a scale workspace with a project, an owner key, a few months
of daily metrics, two connections and two dashboards with widgets; and an owner key bound to the
project."""

from __future__ import annotations

from typing import Any

from tallyboard.logic import keys, workspaces
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
    # The workspace has several projects, so the owner key must name one on project routes; the
    # export document's scripts send no projectId: a key bound to the demo project runs them.
    project_key, _ = keys.issue(
        created["workspaceId"], created["userId"], "Demo project key", "owner", [created["projectId"]]
    )
    return {**created, "projectKey": project_key}
