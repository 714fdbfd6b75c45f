"""The local demo's team, tasks, time, notes and holidays, as a client sees them
(tallyboard_local/demo_team.py)."""

from __future__ import annotations

from datetime import date

from tallyboard_local import demo_team
from tests.conftest import Tenant

TODAY = date(2026, 6, 17)  # a Wednesday


def test_demo_seed_creates_the_team_and_its_work(tenant: Tenant) -> None:
    ids = demo_team.seed(tenant.workspace_id, tenant.project_id, tenant.user_id, today=TODAY)
    project = f"/projects/{tenant.project_id}"

    team = tenant.get("/team").json()
    assert team["pagination"]["total"] == 4
    assert {m["name"] for m in team["data"]} == {"Owner", "Alex Kim", "Maya Patel", "Jon Berg"}

    tasks = tenant.get(f"{project}/tasks").json()["data"]
    assert [t["name"] for t in tasks] == [t[0] for t in demo_team.TASKS]
    assert {t["status"] for t in tasks} == {"todo", "in-progress", "done"}
    assert all(t["completed_at"] for t in tasks if t["status"] == "done")
    assert {t["priority"] for t in tasks} == {"High", "Medium", "Low", None}

    stats = tenant.get(f"{project}/stats").json()["data"]
    assert stats["tasks"] == {"total": 6, "todo": 2, "in_progress": 2, "done": 2}
    assert stats["time"] == {"total_hours": 24.25, "billable_hours": 23.25, "entries": 6}
    assert {m["name"] for m in stats["team"]} == {"Owner", "Alex Kim", "Maya Patel", "Jon Berg"}

    time = tenant.get(f"{project}/time", params={"user_id": ids["Maya Patel"]}).json()["data"]
    assert [(e["date"], e["hours"]) for e in time] == [("2026-06-14", 7.5), ("2026-06-05", 6.5)]
    notes = tenant.get(f"{project}/notes").json()["data"]
    assert [n["title"] for n in notes] == ["Design review", "Kick-off"]

    holidays = tenant.get("/holidays", params={"scope": "team", "year": 2026}).json()
    assert {h["status"] for h in holidays["data"]} == {"pending", "approved", "declined", "cancelled"}
    maya = next(h for h in holidays["data"] if h["user_name"] == "Maya Patel")
    assert (maya["start_date"], maya["end_date"], maya["days"], maya["status"]) == (
        "2026-07-06",
        "2026-07-10",
        5,
        "pending",
    )
    assert holidays["stats"] == {
        "year": 2026,
        "allowance_days": 95,
        "taken_days": 3,
        "pending_days": 5,
        "remaining_days": 87,
    }
