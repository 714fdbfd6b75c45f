"""Demo data for the local server: a scale workspace with a project and an owner key."""

from __future__ import annotations

from typing import Any

from tallyboard.logic import workspaces


def seed() -> dict[str, Any]:
    return workspaces.bootstrap(
        "scale",
        workspace_name="Demo Agency",
        project_name="Demo project",
        owner_name="Dana Demo",
        owner_email="dana@demo.example",
    )
