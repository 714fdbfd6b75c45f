"""Team over real HTTP (docs/api.md "Agency workspace"): every key reads the whole
team (project-restricted ones too: ids resolve to names); owners with a workspace-wide key add,
change and remove members; a removed member's keys answer 401 from then on."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.entities import workspace_pk
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id

MEMBER_FIELDS = {"id", "name", "email", "role", "title", "holiday_allowance_days", "created_at"}


def add_member(tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = tenant.post("/team", json={"name": "Maya Patel", "email": "maya@agency.example", **body})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def stored_user(tenant: Tenant, user_id: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=workspace_pk(tenant.workspace_id), sk=f"USER#{user_id}")
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def member_key(tenant: Tenant, user_id: str, role: str = "editor") -> Tenant:
    """A key of that member, minted by the owner (POST /api-keys with the member's userId)."""
    response = tenant.post("/api-keys", json={"name": "member key", "role": role, "userId": user_id})
    assert response.status_code == 201, response.text
    assert response.json()["data"]["userId"] == user_id
    return tenant.with_key(response.json()["data"]["key"])


def workspace_audit(tenant: Tenant) -> list[dict[str, Any]]:
    return audit.list_entries(tenant.workspace_id, None, 0, MAX_TIMESTAMP_MS)


def test_team_lists_the_owner_in_the_documented_shape(tenant: Tenant) -> None:
    response = tenant.get("/team")

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "pagination"}
    (owner,) = body["data"]
    assert set(owner) == MEMBER_FIELDS
    assert owner["id"] == tenant.user_id
    assert (owner["name"], owner["email"], owner["role"]) == ("Owner", "owner@example.com", "owner")
    assert owner["title"] is None and owner["holiday_allowance_days"] == 25
    assert owner["created_at"].endswith("Z") and "T" in owner["created_at"]
    assert body["pagination"] == {"total": 1, "limit": 100, "offset": 0, "hasMore": False, "nextCursor": None}


def test_owner_adds_a_member(tenant: Tenant) -> None:
    response = tenant.post(
        "/team",
        json={
            "name": "  Maya Patel ",
            "email": "maya@agency.example",
            "role": "viewer",
            "title": "Account Manager",
            "holiday_allowance_days": 28,
        },
    )

    assert response.status_code == 201, response.text
    member = response.json()["data"]
    assert set(member) == MEMBER_FIELDS
    assert member["id"].startswith("user_")
    assert (member["name"], member["email"], member["role"]) == (
        "Maya Patel",
        "maya@agency.example",
        "viewer",
    )
    assert (member["title"], member["holiday_allowance_days"]) == ("Account Manager", 28)
    stored = stored_user(tenant, member["id"])
    assert stored is not None and stored["name"] == "Maya Patel" and stored["holidayAllowanceDays"] == 28
    listed = tenant.get("/team").json()
    assert {m["id"] for m in listed["data"]} == {tenant.user_id, member["id"]}
    assert [m["id"] for m in listed["data"]] == sorted(m["id"] for m in listed["data"])  # id order
    assert listed["pagination"]["total"] == 2
    (entry,) = [e for e in workspace_audit(tenant) if e["action"] == "team_member_created"]
    assert entry["resourceId"] == member["id"] and entry["userId"] == tenant.user_id


def test_member_defaults(tenant: Tenant) -> None:
    member = add_member(tenant)

    assert (member["role"], member["title"], member["holiday_allowance_days"]) == ("editor", None, 25)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@b.example"}, "name"),
        ({"name": "Maya"}, "email"),
        ({"name": "", "email": "a@b.example"}, "name"),
        ({"name": "Maya", "email": "not-an-email"}, "email"),
        ({"name": "Maya", "email": "a@b.example", "role": "admin"}, "role"),
        ({"name": "Maya", "email": "a@b.example", "holiday_allowance_days": -1}, "holiday_allowance_days"),
        ({"name": "Maya", "email": "a@b.example", "holiday_allowance_days": 2.5}, "holiday_allowance_days"),
        ({"name": "Maya", "email": "a@b.example", "nickname": "M"}, "nickname"),
    ],
)
def test_invalid_member_is_a_400_naming_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    response = tenant.post("/team", json=body)

    payload = assert_error(response, 400, "Bad Request")
    assert field in payload["details"], payload
    assert len(tenant.get("/team").json()["data"]) == 1


def test_owner_changes_a_member(tenant: Tenant) -> None:
    member = add_member(tenant, title="Designer")

    response = tenant.patch(f"/team/{member['id']}", json={"name": "Maya P.", "role": "owner", "title": None})

    assert response.status_code == 200, response.text
    changed = response.json()["data"]
    assert (changed["name"], changed["role"], changed["title"]) == ("Maya P.", "owner", None)
    assert changed["email"] == member["email"] and changed["created_at"] == member["created_at"]
    stored = stored_user(tenant, member["id"])
    assert stored is not None and stored["name"] == "Maya P." and "title" not in stored
    (entry,) = [e for e in workspace_audit(tenant) if e["action"] == "team_member_updated"]
    assert entry["metadata"]["fields"] == ["name", "role", "title"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "body"), ({"name": None}, "name"), ({"email": "nope"}, "email"), ({"id": "user_x"}, "id")],
)
def test_invalid_change_is_a_400(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    member = add_member(tenant)

    payload = assert_error(tenant.patch(f"/team/{member['id']}", json=body), 400)

    assert field in payload["details"], payload
    assert stored_user(tenant, member["id"])["name"] == "Maya Patel"  # type: ignore[index]


def test_unknown_and_foreign_members_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    foreign = add_member(other_tenant)

    for user_id in (random_id("userId"), foreign["id"], other_tenant.user_id):
        patched = tenant.patch(f"/team/{user_id}", json={"title": "Spy"})
        removed = tenant.delete(f"/team/{user_id}")

        assert assert_error(patched, 404)["message"] == "Team member not found"
        assert assert_error(removed, 404)["message"] == "Team member not found"
    assert "title" not in stored_user(other_tenant, foreign["id"])  # type: ignore[operator]
    assert foreign["id"] not in tenant.get("/team").text


def test_only_owners_with_a_workspace_wide_key_manage_the_team(tenant: Tenant) -> None:
    member = add_member(tenant)
    restricted = tenant.create_key("owner", projectIds=[tenant.project_id])
    narrow = {
        "editor": tenant.create_key("editor"),
        "project-restricted owner": restricted,
        "read-scoped owner": tenant.create_key("owner", scopes=["workspace:read"]),
    }

    for label, key in narrow.items():
        for response in (
            key.post("/team", json={"name": "Eve", "email": "eve@example.com"}),
            key.patch(f"/team/{member['id']}", json={"title": "Boss"}),
            key.delete(f"/team/{member['id']}"),
        ):
            assert response.status_code == 403, f"{label}: {response.status_code} {response.text}"
            assert_error(response, 403, "Forbidden")
    assert (
        "workspace-wide key"
        in restricted.post("/team", json={"name": "E", "email": "e@x.io"}).json()["message"]
    )
    assert len(tenant.get("/team").json()["data"]) == 2
    assert "title" not in stored_user(tenant, member["id"])  # type: ignore[operator]


def test_any_key_of_the_workspace_reads_the_team_whatever_its_scopes_or_projects(tenant: Tenant) -> None:
    member = add_member(tenant)
    second = tenant.add_project("Other project")
    keys_ = [
        tenant.create_key("viewer", projectIds=[second.project_id]),
        tenant.create_key("editor", scopes=["project:read"]),
        tenant.create_key("editor", scopes=["metrics:write"]),  # issue #16: was a 403
        tenant.create_key("viewer", scopes=["metrics:read"], projectIds=[second.project_id]),
        tenant.create_key("owner", scopes=["workspace:read"]),
    ]

    for key in keys_:
        response = key.get("/team")

        assert response.status_code == 200, response.text
        assert {m["id"]: m["name"] for m in response.json()["data"]} == {
            tenant.user_id: "Owner",
            member["id"]: "Maya Patel",
        }


def test_removed_member_leaves_the_team_and_their_keys_answer_401(tenant: Tenant) -> None:
    member = add_member(tenant)
    first, second = member_key(tenant, member["id"]), member_key(tenant, member["id"], "viewer")
    assert first.get("/team").status_code == 200 and second.get("/team").status_code == 200

    response = tenant.delete(f"/team/{member['id']}")

    assert response.status_code == 204, response.text
    assert response.content == b""
    for key in (first, second):
        assert assert_error(key.get("/team"), 401) == {
            "error": "Unauthorized",
            "message": "Invalid or missing API key",
        }
    listed = tenant.get("/team").json()
    assert [m["id"] for m in listed["data"]] == [tenant.user_id] and listed["pagination"]["total"] == 1
    stored = stored_user(tenant, member["id"])
    assert stored is not None and stored["removedAt"] > 0  # kept: their name still resolves
    revoked = [k for k in tenant.get("/api-keys").json()["data"] if k["userId"] == member["id"]]
    assert len(revoked) == 2 and all(k["status"] == "revoked" for k in revoked)
    (entry,) = [e for e in workspace_audit(tenant) if e["action"] == "team_member_removed"]
    assert entry["metadata"] == {"revokedKeys": 2}
    assert_error(tenant.delete(f"/team/{member['id']}"), 404)
    assert_error(tenant.patch(f"/team/{member['id']}", json={"title": "Back"}), 404)
    assert tenant.get("/team").status_code == 200  # the owner's own key is untouched


def test_an_owner_cannot_remove_themselves(tenant: Tenant) -> None:
    response = tenant.delete(f"/team/{tenant.user_id}")

    assert_error(response, 409, "Conflict")
    assert tenant.get("/team").status_code == 200


def test_team_pages_with_limit_offset_and_cursor(tenant: Tenant) -> None:
    for index in range(4):
        add_member(tenant, name=f"Member {index}", email=f"m{index}@agency.example")
    everyone = [m["id"] for m in tenant.get("/team").json()["data"]]

    first = tenant.get("/team", params={"limit": 2}).json()
    second = tenant.get("/team", params={"limit": 2, "cursor": first["pagination"]["nextCursor"]}).json()
    by_offset = tenant.get("/team", params={"limit": 2, "offset": 2}).json()

    assert len(everyone) == 5
    assert [m["id"] for m in first["data"]] == everyone[:2] and first["pagination"]["hasMore"] is True
    assert [m["id"] for m in second["data"]] == everyone[2:4] == [m["id"] for m in by_offset["data"]]
    assert second["pagination"]["total"] == 5 and second["pagination"]["offset"] == 2


# ------------------------------------------------------------------ roles bind keys


def workspace_owner_count(tenant: Tenant) -> int:
    key = dynamo.key(pk=workspace_pk(tenant.workspace_id), sk="WORKSPACE")
    return dynamo.get(get_settings().entities_table, key, consistent=True)["ownerCount"]  # type: ignore[index]


def test_the_only_owner_cannot_demote_themselves_and_keeps_the_workspace(tenant: Tenant) -> None:
    response = tenant.patch(f"/team/{tenant.user_id}", json={"role": "viewer"})

    assert assert_error(response, 409, "Conflict")["details"] == {"userId": "the key's own user"}
    assert stored_user(tenant, tenant.user_id)["role"] == "owner"  # type: ignore[index]
    assert tenant.patch(f"/team/{tenant.user_id}", json={"title": "Founder"}).status_code == 200
    assert workspace_owner_count(tenant) == 1


def test_an_owner_mints_a_key_for_a_member_within_the_members_role(tenant: Tenant) -> None:
    member = add_member(tenant, role="editor")

    above = tenant.post("/api-keys", json={"name": "k", "role": "owner", "userId": member["id"]})
    unknown = tenant.post("/api-keys", json={"name": "k", "role": "viewer", "userId": random_id("userId")})
    key = member_key(tenant, member["id"], "editor")

    assert "role" in assert_error(above, 400)["details"]
    assert assert_error(unknown, 404)["details"] == {"userId": "no current member of this workspace"}
    listed = {k["userId"]: k for k in tenant.get("/api-keys").json()["data"]}
    assert set(listed) == {tenant.user_id, member["id"]}  # the two refused ones stored nothing
    assert listed[member["id"]]["createdBy"] == tenant.user_id
    pushed = key.post("/metrics/custom", json={"projectId": tenant.project_id, "metricId": "m", "value": 1})
    assert pushed.status_code == 201, pushed.text
    (entry,) = [
        e
        for e in tenant.get("/audit-logs", params={"projectId": tenant.project_id}).json()["data"]
        if e["resourceId"] == pushed.json()["metricId"]
    ]
    assert entry["userId"] == member["id"]  # the audit log names who did it


def test_demoting_a_member_binds_their_keys_and_removing_them_stops_them(tenant: Tenant) -> None:
    member = add_member(tenant, role="owner")
    key = member_key(tenant, member["id"], "owner")
    assert key.get("/api-keys").status_code == 200  # an owner's power, while they are one

    demoted = tenant.patch(f"/team/{member['id']}", json={"role": "viewer"})

    assert demoted.status_code == 200, demoted.text
    assert workspace_owner_count(tenant) == 1
    assert_error(key.get("/api-keys"), 403)
    assert_error(key.post("/api-keys", json={"name": "x", "role": "owner"}), 403)
    assert_error(key.patch(f"/team/{member['id']}", json={"role": "owner"}), 403)
    assert_error(
        key.post("/metrics/custom", json={"projectId": tenant.project_id, "metricId": "m", "value": 1}), 403
    )
    assert key.get("/team").status_code == 200  # still a viewer
    assert stored_user(tenant, member["id"])["role"] == "viewer"  # type: ignore[index]

    assert tenant.delete(f"/team/{member['id']}").status_code == 204
    assert_error(key.get("/team"), 401)


def test_the_last_owner_stays_whatever_the_cached_decision(tenant: Tenant) -> None:
    """Two owners demote each other: the authorizer's decision may be cached (up to
    AuthorizerCacheTtl), so both may act as owners; the owner count still refuses the second."""
    from dataclasses import replace

    from tallyboard.auth import Caller
    from tallyboard.errors import Conflict
    from tallyboard.logic import team
    from tallyboard.models.team import UpdateMemberRequest
    from tallyboard.plans import get_plan

    other = add_member(tenant, role="owner")
    assert workspace_owner_count(tenant) == 2
    as_other = Caller(tenant.workspace_id, other["id"], "key_cached", "owner", (), (), get_plan("scale"), 0)

    assert tenant.patch(f"/team/{other['id']}", json={"role": "editor"}).status_code == 200
    with pytest.raises(Conflict) as refused:  # `other`'s owner decision from before the demotion
        team.update(as_other, tenant.user_id, UpdateMemberRequest(role="viewer"))
    with pytest.raises(Conflict):
        team.remove(replace(as_other, key_id="key_cached2"), tenant.user_id)

    assert "last owner" in refused.value.message
    assert stored_user(tenant, tenant.user_id)["role"] == "owner"  # type: ignore[index]
    assert stored_user(tenant, tenant.user_id).get("removedAt") is None  # type: ignore[union-attr]
    assert workspace_owner_count(tenant) == 1
    assert tenant.get("/api-keys").status_code == 200
