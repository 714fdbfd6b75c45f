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
