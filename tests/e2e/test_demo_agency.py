"""The local demo's clients, projects and leads, as a client sees them (tallyboard_local/demo_agency.py)."""

from __future__ import annotations

from tallyboard_local import demo_agency
from tests.conftest import Tenant


def test_demo_seed_creates_clients_projects_and_leads(tenant: Tenant) -> None:
    ids = demo_agency.seed(tenant.workspace_id, tenant.user_id)

    clients = tenant.get("/clients").json()["data"]
    assert [c["name"] for c in clients] == ["Globex Ltd", "Acme Corp"]  # newest first
    acme, globex = clients[1], clients[0]
    acme_projects = tenant.get(f"/clients/{acme['id']}/projects").json()["data"]
    assert [(p["name"], p["status"], p["budget"]) for p in acme_projects] == [
        ("Holiday Promo 2024", "archived", 5000),
        ("Q1 Marketing Campaign", "active", 15000),
    ]
    assert [p["name"] for p in tenant.get(f"/clients/{globex['id']}/projects").json()["data"]] == [
        "Website Relaunch"
    ]
    listed = {p["name"] for p in tenant.get("/projects").json()["data"]}
    assert listed == {"My project", "Q1 Marketing Campaign", "Website Relaunch"}  # archived hidden
    assert [m["id"] for m in tenant.get(f"/clients/{acme['id']}/team").json()["data"]] == [tenant.user_id]

    leads = tenant.get("/leads").json()
    assert leads["pagination"]["total"] == len(demo_agency.LEADS)
    assert len({lead["status"] for lead in leads["data"]}) >= 7
    assert any(lead["tags"] for lead in leads["data"]) and all(lead["rep"] for lead in leads["data"])
    closed = tenant.get("/leads", params={"status": "closed"}).json()["data"]
    assert sorted(lead["name"] for lead in closed) == ["Jordan Lee", "Omar Haddad"]

    q1 = tenant.get(f"/projects/{ids['Q1 Marketing Campaign']}/metrics").json()
    assert q1 == {
        "project_id": ids["Q1 Marketing Campaign"],
        "roi": 200,
        "leads_generated": 4,
        "cost_per_lead": 3750,
        "conversion_rate": 25,
        "revenue_generated": 45000,
    }
