"""Leads over real HTTP (docs/api.md "Agency workspace"): status and tags from the
documented lists in any case, stored in the documented spelling; filters; partial update;
permanent delete; workspace-wide keys only; other workspaces' leads are 404."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.leads import LEAD_PREFIX, leads_pk
from tallyboard.models.leads import LEAD_STATUSES, LEAD_TAGS
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id
from tests.e2e.test_clients import create_client

LEAD_FIELDS = {
    "id",
    "name",
    "company",
    "email",
    "phone",
    "status",
    "tags",
    "rep",
    "value",
    "source",
    "notes",
    "project_id",
    "client_id",
    "created_at",
    "updated_at",
}


def create_lead(tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = tenant.post("/leads", json={"name": "Jordan Lee", "status": "First Contact Made", **body})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def stored_lead(tenant: Tenant, lead_id: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=leads_pk(tenant.workspace_id), sk=LEAD_PREFIX + lead_id)
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def lead_actions(tenant: Tenant) -> list[str]:
    entries = audit.list_entries(tenant.workspace_id, None, 0, MAX_TIMESTAMP_MS)
    return [e["action"] for e in entries if e["resource"] == "leads"]


def test_create_normalises_status_and_tags_to_the_documented_spelling(tenant: Tenant) -> None:
    client = create_client(tenant)

    response = tenant.post(
        "/leads",
        json={
            "name": "Jordan Lee",
            "company": "Northwind",
            "email": "jordan@northwind.example",
            "phone": "+44 20 7946 0000",
            "status": "  proposal   SENT ",
            "tags": ["chaser sent", "WAITING ON CAI", "Chaser Sent"],
            "rep": "Dana Demo",
            "value": 12500.5,
            "source": "Referral",
            "notes": "Met at the expo",
            "project_id": tenant.project_id,
            "client_id": client["id"],
        },
    )

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert set(data) == LEAD_FIELDS
    assert data["id"].startswith("lead_")
    assert (data["status"], data["tags"]) == ("Proposal Sent", ["Chaser Sent", "Waiting on Cai"])
    assert (data["project_id"], data["client_id"], data["value"], data["rep"]) == (
        tenant.project_id,
        client["id"],
        12500.5,
        "Dana Demo",
    )
    item = stored_lead(tenant, data["id"])
    assert item is not None
    assert (item["status"], item["tags"], item["repKey"]) == (
        "Proposal Sent",
        ["Chaser Sent", "Waiting on Cai"],
        "dana demo",
    )
    assert item["gsi1pk"] == f"WS#{tenant.workspace_id}#P#{tenant.project_id}#LEADS"
    assert tenant.get(f"/leads/{data['id']}").json() == {"data": data}
    assert lead_actions(tenant) == ["lead_created"]


def test_every_documented_status_and_tag_is_accepted_in_any_case(tenant: Tenant) -> None:
    for status in LEAD_STATUSES:
        lead = create_lead(tenant, status=status.lower(), tags=[t.upper() for t in LEAD_TAGS])
        assert (lead["status"], lead["tags"]) == (status, list(LEAD_TAGS))


@pytest.mark.parametrize(
    ("body", "field", "listed"),
    [
        ({"name": "X", "status": "Won"}, "status", LEAD_STATUSES),
        ({"name": "X", "status": "Closed", "tags": ["won", "hot"]}, "tags.1", LEAD_TAGS),
        ({"status": "Closed"}, "name", ()),
        ({"name": "X"}, "status", ()),
        ({"name": "X", "status": 3}, "status", LEAD_STATUSES),
        ({"name": "X", "status": "Closed", "value": -5}, "value", ()),
        ({"name": "X", "status": "Closed", "email": "nope"}, "email", ()),
        ({"name": "X", "status": "Closed", "owner": "me"}, "owner", ()),
    ],
)
def test_invalid_lead_is_a_400_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str, listed: tuple[str, ...]
) -> None:
    response = assert_error(tenant.post("/leads", json=body), 400, "Bad Request")

    assert field in response["details"], response
    for allowed in listed:
        assert allowed in response["message"], (allowed, response["message"])
    assert tenant.get("/leads").json()["pagination"]["total"] == 0


def test_list_is_newest_first_with_case_insensitive_filters(tenant: Tenant) -> None:
    a = create_lead(tenant, name="A", status="Closed", rep="Dana Demo")
    b = create_lead(tenant, name="B", status="Chaser", rep="dana demo")
    c = create_lead(tenant, name="C", status="closed", rep="Sam")
    d = create_lead(tenant, name="D", status="Dead Leads")

    def ids(**params: str) -> list[str]:
        response = tenant.get("/leads", params=params)
        assert response.status_code == 200, response.text
        return [lead["id"] for lead in response.json()["data"]]

    assert ids() == [d["id"], c["id"], b["id"], a["id"]]
    assert ids(status="CLOSED") == [c["id"], a["id"]]
    assert ids(rep="DANA DEMO") == [b["id"], a["id"]]
    assert ids(status="closed", rep="dana demo") == [a["id"]]
    assert ids(rep="nobody") == []
    page = tenant.get("/leads", params={"status": "closed"}).json()["pagination"]
    assert page == {"total": 2, "limit": 100, "offset": 0, "hasMore": False, "nextCursor": None}
    body = assert_error(tenant.get("/leads", params={"status": "hot"}), 400)
    assert "status" in body["details"] and "Needs Closing" in body["message"]


def test_cursor_pages_and_is_sealed_to_its_filters(tenant: Tenant) -> None:
    made = [create_lead(tenant, name=f"L{i}", status="Chaser")["id"] for i in range(3)]

    first = tenant.get("/leads", params={"limit": 2, "status": "chaser"}).json()
    second = tenant.get(
        "/leads", params={"limit": 2, "status": "Chaser", "cursor": first["pagination"]["nextCursor"]}
    ).json()
    other_filter = tenant.get(
        "/leads", params={"limit": 2, "status": "Closed", "cursor": first["pagination"]["nextCursor"]}
    )

    assert [lead["id"] for lead in first["data"] + second["data"]] == list(reversed(made))
    assert second["pagination"]["offset"] == 2 and second["pagination"]["hasMore"] is False
    assert "cursor" in assert_error(other_filter, 400)["details"]


def test_patch_changes_the_fields_sent_and_null_clears(tenant: Tenant) -> None:
    lead = create_lead(tenant, rep="Dana", tags=["stuck"], value=100, company="Northwind")

    response = tenant.patch(
        f"/leads/{lead['id']}",
        json={"status": "needs closing", "tags": ["won"], "company": None, "rep": "Sam"},
    )

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data == {
        **lead,
        "status": "Needs Closing",
        "tags": ["Won"],
        "company": None,
        "rep": "Sam",
        "updated_at": data["updated_at"],
    }
    item = stored_lead(tenant, lead["id"])
    assert item is not None and "company" not in item and item["repKey"] == "sam"
    assert [x["id"] for x in tenant.get("/leads", params={"rep": "SAM"}).json()["data"]] == [lead["id"]]
    cleared = tenant.patch(f"/leads/{lead['id']}", json={"tags": None, "rep": None})
    assert cleared.json()["data"]["tags"] == [] and cleared.json()["data"]["rep"] is None
    assert "repKey" not in (stored_lead(tenant, lead["id"]) or {"repKey": 1})
    assert lead_actions(tenant) == ["lead_updated", "lead_updated", "lead_created"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"name": None}, "name"),
        ({"status": None}, "status"),
        ({"status": "maybe"}, "status"),
        ({"tags": ["Hot"]}, "tags.0"),
        ({"id": "lead_x"}, "id"),
    ],
)
def test_invalid_patch_is_a_400_and_changes_nothing(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    lead = create_lead(tenant)

    response = assert_error(tenant.patch(f"/leads/{lead['id']}", json=body), 400, "Bad Request")

    assert field in response["details"], response
    assert tenant.get(f"/leads/{lead['id']}").json() == {"data": lead}


def test_delete_is_permanent(tenant: Tenant) -> None:
    lead = create_lead(tenant)

    response = tenant.delete(f"/leads/{lead['id']}")

    assert response.status_code == 204 and response.text == ""
    assert stored_lead(tenant, lead["id"]) is None
    assert_error(tenant.get(f"/leads/{lead['id']}"), 404)
    assert_error(tenant.delete(f"/leads/{lead['id']}"), 404)
    assert_error(tenant.patch(f"/leads/{lead['id']}", json={"name": "Back"}), 404)
    assert lead_actions(tenant) == ["lead_deleted", "lead_created"]


def test_another_workspaces_lead_is_404_like_a_missing_one(tenant: Tenant, other_tenant: Tenant) -> None:
    lead = create_lead(tenant)
    missing = random_id("leadId")

    for method, body in [("GET", None), ("PATCH", {"name": "Mine"}), ("DELETE", None)]:
        foreign = other_tenant.request(method, f"/leads/{lead['id']}", json=body)
        unknown = other_tenant.request(method, f"/leads/{missing}", json=body)
        assert (
            assert_error(foreign, 404)
            == assert_error(unknown, 404)
            == {
                "error": "Not Found",
                "message": "Lead not found",
            }
        )
    assert other_tenant.get("/leads").json()["data"] == []
    assert tenant.get(f"/leads/{lead['id']}").json() == {"data": lead}


def test_a_lead_naming_an_unknown_or_foreign_project_or_client_is_a_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    """A body's reference to what the workspace does not hold is a 404 naming the field, as an
    unknown id in the path is; nothing is created or changed."""
    lead = create_lead(other_tenant)
    foreign_client = create_client(tenant)["id"]
    for field, value in [
        ("project_id", tenant.project_id),
        ("project_id", "proj_00000000000000000000"),
        ("client_id", foreign_client),
        ("client_id", "client_0000000000000000"),
    ]:
        created = other_tenant.post("/leads", json={"name": "X", "status": "Closed", field: value})
        patched = other_tenant.patch(f"/leads/{lead['id']}", json={field: value})
        assert field in assert_error(created, 404, "Not Found")["details"]
        assert field in assert_error(patched, 404, "Not Found")["details"]
    assert other_tenant.get("/leads").json()["data"] == [lead]


def test_project_restricted_key_gets_403_on_every_lead_route(tenant: Tenant) -> None:
    lead = create_lead(tenant)
    restricted = tenant.create_key("owner", projectIds=[tenant.project_id])

    for method, path, body in [
        ("GET", "/leads", None),
        ("POST", "/leads", {"name": "X", "status": "Closed"}),
        ("GET", f"/leads/{lead['id']}", None),
        ("PATCH", f"/leads/{lead['id']}", {"name": "Y"}),
        ("DELETE", f"/leads/{lead['id']}", None),
    ]:
        assert "workspace-wide" in assert_error(restricted.request(method, path, json=body), 403)["message"]
    assert tenant.get(f"/leads/{lead['id']}").json() == {"data": lead}


def test_viewers_read_and_editors_write(tenant: Tenant) -> None:
    lead = create_lead(tenant)
    viewer = tenant.create_key("viewer")
    editor = tenant.create_key("editor")

    assert viewer.get("/leads").status_code == 200
    assert viewer.get(f"/leads/{lead['id']}").status_code == 200
    assert_error(viewer.post("/leads", json={"name": "X", "status": "Closed"}), 403)
    assert_error(viewer.delete(f"/leads/{lead['id']}"), 403)
    assert editor.patch(f"/leads/{lead['id']}", json={"notes": "called"}).status_code == 200
