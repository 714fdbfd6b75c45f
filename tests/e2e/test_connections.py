"""Connections over real HTTP: credentials are encrypted with KMS at rest and never leave."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tallyboard.data import audit, dynamo, secrets
from tallyboard.data.aws import dynamodb
from tallyboard.data.connections import CONNECTION_SK, connection_pk
from tallyboard.ids import now_ms
from tallyboard.logic import connections
from tallyboard.settings import get_settings
from tests.conftest import Tenant, assert_error

SECRET = "sk_live_51SuperSecretValue9876"
LISTED_FIELDS = {
    "id",
    "projectId",
    "service",
    "serviceName",
    "category",
    "authType",
    "status",
    "accountInfo",
    "lastSyncedAt",
    "totalSyncsCompleted",
    "createdAt",
}


def connection_body(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    return {
        "projectId": tenant.project_id,
        "service": "stripe",
        "category": "payment",
        "authType": "api_key",
        "credentials": {"apiKey": SECRET},
        "accountInfo": {"accountName": "Acme Inc", "accountId": "acct_123"},
        **overrides,
    }


def raw_item(tenant: Tenant, connection_id: str) -> dict[str, Any]:
    key = dynamo.key(pk=connection_pk(tenant.workspace_id, connection_id), sk=CONNECTION_SK)
    return dynamodb().get_item(TableName=get_settings().entities_table, Key=key)["Item"]


def listed(tenant: Tenant) -> list[dict[str, Any]]:
    response = tenant.get("/connections", params={"projectId": tenant.project_id})
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_create_and_list_never_show_credentials(tenant: Tenant) -> None:
    before = now_ms()
    created = tenant.post("/connections", json=connection_body(tenant))

    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert set(data) == LISTED_FIELDS
    assert data["id"].startswith("conn_")
    assert data["projectId"] == tenant.project_id
    assert (data["service"], data["category"], data["authType"], data["status"]) == (
        "stripe",
        "payment",
        "api_key",
        "active",
    )
    assert data["accountInfo"] == {"accountName": "Acme Inc", "accountId": "acct_123"}
    assert data["lastSyncedAt"] is None and data["totalSyncsCompleted"] == 0
    assert before <= data["createdAt"] <= now_ms()
    assert SECRET not in created.text and "credentials" not in created.text

    response = tenant.get("/connections", params={"projectId": tenant.project_id})
    assert response.json() == {
        "data": [data],
        "pagination": {"total": 1, "limit": 100, "offset": 0, "hasMore": False, "nextCursor": None},
    }
    assert SECRET not in response.text and "credentials" not in response.text.lower()


def test_stored_item_holds_only_ciphertext_that_decrypts_back(tenant: Tenant) -> None:
    credentials = {"username": "ada-lovelace-user", "password": SECRET}  # not a fragment of a hex id
    created = tenant.post(
        "/connections", json=connection_body(tenant, authType="basic", credentials=credentials)
    ).json()["data"]

    item = raw_item(tenant, created["id"])

    assert SECRET not in json.dumps(item, default=repr)
    assert "ada-lovelace-user" not in json.dumps(
        {k: v for k, v in item.items() if k != "credentialsCiphertext"}
    )
    ciphertext = item["credentialsCiphertext"]["B"]
    assert SECRET.encode() not in ciphertext
    plaintext = secrets.decrypt(ciphertext, tenant.workspace_id, created["id"])
    assert json.loads(plaintext) == credentials
    assert connections.credentials_of(tenant.workspace_id, created["id"]) == credentials
    # The encryption context binds the ciphertext to its workspace and connection.
    with pytest.raises(ClientError):
        secrets.decrypt(ciphertext, tenant.workspace_id, "conn_other")
    with pytest.raises(ClientError):
        secrets.decrypt(ciphertext, "ws_other", created["id"])


def test_list_is_oldest_first_and_category_is_derived(tenant: Tenant) -> None:
    first = tenant.post("/connections", json=connection_body(tenant)).json()["data"]
    second_body = connection_body(
        tenant, service="github", authType="oauth2", credentials={"accessToken": "gho_x"}
    )
    del second_body["category"], second_body["accountInfo"]
    second = tenant.post("/connections", json=second_body).json()["data"]
    third_body = connection_body(tenant, service="acme_crm", authType="none", credentials={})
    del third_body["category"]
    third = tenant.post("/connections", json=third_body).json()["data"]

    assert second["category"] == "development" and second["accountInfo"] is None
    assert third["category"] == "other"
    assert listed(tenant) == [first, second, third]


def test_create_is_audited_without_secrets(tenant: Tenant) -> None:
    created = tenant.post("/connections", json=connection_body(tenant)).json()["data"]

    entries = audit.list_entries(tenant.workspace_id, tenant.project_id, 0, now_ms())

    (entry,) = [e for e in entries if e["resourceId"] == created["id"]]
    assert entry["action"] == "connection_created" and entry["resource"] == "connections"
    assert entry["userId"] == tenant.user_id
    assert entry["metadata"] == {
        "connectionName": created["serviceName"],
        "service": "stripe",
        "authType": "api_key",
    }
    assert SECRET not in json.dumps(entries)


def test_secrets_stay_out_of_errors_and_logs(tenant: Tenant, capfd: pytest.CaptureFixture[str]) -> None:
    bad = tenant.post("/connections", json=connection_body(tenant, credentials={"apiKey": SECRET, "x": 5}))
    ok = tenant.post("/connections", json=connection_body(tenant))

    assert_error(bad, 400)
    assert SECRET not in bad.text
    assert ok.status_code == 201
    out, err = capfd.readouterr()
    assert SECRET not in out and SECRET not in err


def test_foreign_or_unknown_project_is_403(tenant: Tenant, other_tenant: Tenant) -> None:
    for project_id in (other_tenant.project_id, "proj_doesnotexist"):
        list_response = tenant.get("/connections", params={"projectId": project_id})
        create_response = tenant.post("/connections", json=connection_body(tenant, projectId=project_id))
        for response in (list_response, create_response):
            assert assert_error(response, 403, "Forbidden")["message"] == "No access to this project"
    assert (
        other_tenant.get("/connections", params={"projectId": other_tenant.project_id}).json()["data"] == []
    )


def test_roles_and_scopes(tenant: Tenant) -> None:
    viewer = tenant.create_key("viewer")
    dashboards_only = tenant.create_key("editor", scopes=["dashboard:read", "dashboard:write"])
    metrics_reader = tenant.create_key("editor", scopes=["metrics:read"])

    assert viewer.get("/connections", params={"projectId": tenant.project_id}).status_code == 200
    assert_error(viewer.post("/connections", json=connection_body(tenant)), 403, "Forbidden")
    body = assert_error(dashboards_only.get("/connections", params={"projectId": tenant.project_id}), 403)
    assert "metrics:read" in body["message"]
    assert (
        "metrics:write"
        in assert_error(metrics_reader.post("/connections", json=connection_body(tenant)), 403)["message"]
    )
    assert listed(tenant) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service": None}, "service"),
        ({"service": "Stripe Payments"}, "service"),
        ({"service": "ストライプ"}, "service"),
        ({"service": "s" * 51}, "service"),
        ({"authType": "password"}, "authType"),
        ({"authType": None}, "authType"),
        ({"credentials": {}}, "credentials"),
        ({"credentials": None}, "credentials"),
        ({"credentials": "sk_live"}, "credentials"),
        ({"credentials": {"apiKey": 12345}}, "credentials.apiKey"),
        ({"credentials": {"apiKey": ""}}, "credentials.apiKey"),
        ({"credentials": {"apiKey": "k" * 2049}}, "credentials.apiKey"),
        ({"credentials": {f"k{i}": "v" for i in range(21)} | {"apiKey": "x"}}, "credentials"),
        ({"credentials": {"apiKey": "x", **{f"k{i}": "v" * 2000 for i in range(3)}}}, "credentials"),
        ({"authType": "basic", "credentials": {"username": "ada"}}, "credentials"),
        ({"category": "Payment!"}, "category"),
        ({"accountInfo": "acme"}, "accountInfo"),
        ({"accountInfo": {"mrr": 10**40}}, "accountInfo"),
        ({"accountInfo": {"n": 1e-200}}, "accountInfo"),
        ({"accountInfo": {"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}}, "accountInfo"),
        ({"accountInfo": {"blob": "x" * 5000}}, "accountInfo"),
        ({"status": "active"}, "status"),
        ({"projectId": ["p"]}, "projectId"),
    ],
)
def test_bad_bodies_are_400_and_store_nothing(tenant: Tenant, overrides: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in connection_body(tenant, **overrides).items() if v is not None}

    error = assert_error(tenant.post("/connections", json=body), 400, "Bad Request")

    assert field in error["details"], error
    assert listed(tenant) == []


def test_huge_json_number_is_400(tenant: Tenant) -> None:
    raw = json.dumps(connection_body(tenant)).replace('"acct_123"', "1e400")

    response = tenant.post("/connections", data=raw, headers={"Content-Type": "application/json"})

    assert "accountInfo" in assert_error(response, 400)["details"]
    assert listed(tenant) == []


def test_service_name_is_accepted_stored_and_defaulted(tenant: Tenant) -> None:
    named = tenant.post(
        "/connections",
        json={
            "projectId": tenant.project_id,
            "service": "stripe",
            "serviceName": "Stripe (EU)",
            "authType": "none",
        },
    )
    defaulted = tenant.post(
        "/connections",
        json={"projectId": tenant.project_id, "service": "google_analytics", "authType": "none"},
    )

    assert named.status_code == defaulted.status_code == 201, (named.text, defaulted.text)
    assert named.json()["data"]["serviceName"] == "Stripe (EU)"
    assert defaulted.json()["data"]["serviceName"] == "Google Analytics"
    listed = tenant.get("/connections", params={"projectId": tenant.project_id}).json()["data"]
    assert sorted(c["serviceName"] for c in listed) == ["Google Analytics", "Stripe (EU)"]
