"""Key management over real HTTP: create, list masked, revoke, and the 401s."""

from __future__ import annotations

import requests

from tests.conftest import Tenant, assert_error


def test_owner_lists_keys_masked(tenant: Tenant) -> None:
    response = tenant.get("/api-keys")

    assert response.status_code == 200
    (key,) = response.json()["data"]
    assert key["id"] == tenant.key_id
    assert key["maskedKey"] == "tb_…" + tenant.api_key[-4:]
    assert tenant.api_key not in response.text
    assert "keyHash" not in response.text


def test_created_key_is_shown_once_and_works(tenant: Tenant) -> None:
    created = tenant.post("/api-keys", json={"name": "ci", "role": "viewer"})

    assert created.status_code == 201
    plaintext = created.json()["data"]["key"]
    assert plaintext.startswith("tb_") and len(plaintext) >= 35
    listed = tenant.get("/api-keys").text
    assert plaintext not in listed
    assert tenant.with_key(plaintext).get("/api-keys").status_code == 403  # viewer: not owner


def test_revoked_key_fails_at_once(tenant: Tenant) -> None:
    second = tenant.create_key("owner")
    key_id = next(k["id"] for k in second.get("/api-keys").json()["data"] if k["name"] == "owner key")

    assert tenant.delete(f"/api-keys/{key_id}").status_code == 204

    assert_error(second.get("/api-keys"), 401, "Unauthorized")
    listed = {k["id"]: k for k in tenant.get("/api-keys").json()["data"]}
    assert listed[key_id]["status"] == "revoked"


def test_missing_unknown_and_malformed_keys_are_401(tenant: Tenant) -> None:
    url = tenant.url("/api-keys")
    for headers in ({}, {"Authorization": "Bearer tb_" + "x" * 40}, {"Authorization": "Basic abc"}):
        body = assert_error(requests.get(url, headers=headers, timeout=10), 401, "Unauthorized")
        assert body["message"] == "Invalid or missing API key"


def test_foreign_key_id_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    assert_error(tenant.delete(f"/api-keys/{other_tenant.key_id}"), 404)
    assert other_tenant.get("/api-keys").status_code == 200


# ------------------------------------------------------------------ a key acts only on keys within its reach


def _listed_ids(tenant: Tenant) -> set[str]:
    response = tenant.get("/api-keys")
    assert response.status_code == 200, response.text
    return {k["id"] for k in response.json()["data"]}


def test_project_restricted_owner_sees_only_keys_within_its_projects(tenant: Tenant) -> None:
    project_b = tenant.add_project()
    restricted = tenant.create_key("owner", projectIds=[tenant.project_id])
    in_a = tenant.create_key("viewer", projectIds=[tenant.project_id])
    in_b = tenant.create_key("viewer", projectIds=[project_b.project_id])
    in_both = tenant.create_key("viewer", projectIds=[tenant.project_id, project_b.project_id])
    everything = _listed_ids(tenant)

    seen = _listed_ids(restricted)

    hidden = {_key_id(tenant, k) for k in (in_b, in_both)} | {tenant.key_id}
    assert seen == everything - hidden
    assert {_key_id(tenant, restricted), _key_id(tenant, in_a)} <= seen
    assert tenant.key_id not in restricted.get("/api-keys").text


def test_project_restricted_owner_cannot_revoke_a_wider_key(tenant: Tenant) -> None:
    restricted = tenant.create_key("owner", projectIds=[tenant.project_id])
    project_b = tenant.add_project()
    in_b = tenant.create_key("viewer", projectIds=[project_b.project_id])

    for key_id in (tenant.key_id, _key_id(tenant, in_b)):
        missing = assert_error(restricted.delete(f"/api-keys/{key_id}"), 404)
        unknown = assert_error(restricted.delete("/api-keys/key_00000000000000000000"), 404)
        assert missing == unknown  # no existence leak

    assert tenant.get("/api-keys").status_code == 200  # the workspace's main key still works
    assert in_b.get(f"/metrics?projectId={project_b.project_id}").status_code == 200
    statuses = {k["id"]: k["status"] for k in tenant.get("/api-keys").json()["data"]}
    assert statuses[tenant.key_id] == statuses[_key_id(tenant, in_b)] == "active"


def test_restricted_owner_revokes_a_key_within_its_reach(tenant: Tenant) -> None:
    restricted = tenant.create_key("owner", projectIds=[tenant.project_id])
    child = restricted.create_key("viewer")

    assert restricted.delete(f"/api-keys/{_key_id(tenant, child)}").status_code == 204
    assert_error(child.get("/metrics"), 401)


def test_scoped_owner_cannot_mint_or_see_wider_keys(tenant: Tenant) -> None:
    scoped = tenant.create_key("owner", scopes=["workspace:read", "workspace:write"])
    before = _listed_ids(tenant)

    refused = scoped.post("/api-keys", json={"name": "wider", "role": "editor", "scopes": ["metrics:write"]})

    assert assert_error(refused, 403)["details"] == {"scopes": ["metrics:write"]}
    assert _listed_ids(tenant) == before
    inherited = scoped.post("/api-keys", json={"name": "same", "role": "viewer"})
    assert inherited.status_code == 201
    assert inherited.json()["data"]["scopes"] == ["workspace:read", "workspace:write"]
    assert tenant.key_id not in _listed_ids(scoped)  # the unscoped key reaches further
    assert_error(scoped.delete(f"/api-keys/{tenant.key_id}"), 404)


def _key_id(owner: Tenant, key: Tenant) -> str:
    """The id of a key, from its owner's list (matched on the last four characters)."""
    listed = owner.get("/api-keys").json()["data"]
    (match,) = [
        k["id"] for k in listed if k["maskedKey"].endswith(key.api_key[-4:]) and k["status"] == "active"
    ]
    return match
