"""Authentication, plans and the per-request gate over real HTTP: 401s, plans without API,
rate-limit headers on errors, body size, body read as JSON, project-bound keys."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import requests

from tests.conftest import Tenant, assert_error

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
UNAUTHORIZED = {"error": "Unauthorized", "message": "Invalid or missing API key"}


def _assert_rate_headers(response: requests.Response, limit: int = 1000) -> int:
    for name in RATE_HEADERS:
        assert response.headers.get(name, "").isdigit(), (name, dict(response.headers))
    assert int(response.headers["X-RateLimit-Limit"]) == limit
    return int(response.headers["X-RateLimit-Remaining"])


def _key_names(tenant: Tenant) -> list[str]:
    return sorted(k["name"] for k in tenant.get("/api-keys").json()["data"])


# ------------------------------------------------------------------ 401


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "tb_" + "a" * 40,  # no scheme
        "Basic dXNlcjpwYXNz",
        "Bearer tb_short",
        "Bearer tb_" + "a" * 40,  # well-formed, unknown
        "Bearer tb_" + "a" * 200,
        "Bearer tb_" + "a" * 40 + "\xe9",  # latin-1 in a header
        "Bearer ' OR 1=1 --",
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "/api-keys"), ("POST", "/api-keys")])
def test_missing_malformed_and_unknown_keys_are_401(
    tenant: Tenant, authorization: str | None, method: str, path: str
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    before = _key_names(tenant)

    response = requests.request(
        method,
        tenant.url(path),
        headers=headers,
        json={"name": "x", "role": "owner"},
        timeout=10,
    )

    assert assert_error(response, 401) == UNAUTHORIZED
    assert "X-RateLimit-Limit" not in response.headers
    assert _key_names(tenant) == before


def test_revoked_key_is_401_on_every_route(tenant: Tenant) -> None:
    second = tenant.create_key("owner")
    second_id = next(k["id"] for k in tenant.get("/api-keys").json()["data"] if k["name"] == "owner key")
    assert second.delete(f"/api-keys/{second_id}").status_code == 204  # a key may revoke itself

    assert assert_error(second.get("/api-keys"), 401) == UNAUTHORIZED
    assert assert_error(second.post("/api-keys", json={"name": "x", "role": "owner"}), 401) == UNAUTHORIZED
    assert assert_error(second.delete(f"/api-keys/{tenant.key_id}"), 401) == UNAUTHORIZED
    assert tenant.get("/api-keys").status_code == 200  # the other key is untouched
    assert assert_error(tenant.delete(f"/api-keys/{second_id}"), 404)  # already revoked


def test_key_of_another_workspace_never_sees_this_one(tenant: Tenant, other_tenant: Tenant) -> None:
    listed = other_tenant.get("/api-keys")

    assert listed.status_code == 200
    assert [k["id"] for k in listed.json()["data"]] == [other_tenant.key_id]
    assert tenant.key_id not in listed.text and tenant.workspace_id not in listed.text


# ------------------------------------------------------------------ plans


@pytest.mark.parametrize("plan", ["free", "pro"])
def test_plans_without_api_access_are_403(make_tenant: Callable[..., Tenant], plan: str) -> None:
    tenant = make_tenant(plan)

    for response in (tenant.get("/api-keys"), tenant.post("/api-keys", json={"name": "x", "role": "owner"})):
        body = assert_error(response, 403, "Forbidden")
        assert body["message"].startswith("API access requires Scale or Agency plan")


@pytest.mark.parametrize("plan", ["starter", "professional", "scale", "agency", "enterprise"])
def test_plans_with_api_access_pass(make_tenant: Callable[..., Tenant], plan: str) -> None:
    response = make_tenant(plan).get("/api-keys")

    assert response.status_code == 200
    _assert_rate_headers(response, limit=int(response.headers["X-RateLimit-Limit"]))


# ------------------------------------------------------------------ headers on errors


def test_rate_limit_headers_on_success_and_every_error(tenant: Tenant) -> None:
    viewer = tenant.create_key("viewer")
    responses = {
        200: tenant.get("/api-keys"),
        400: tenant.post("/api-keys", json={"name": "x", "role": "superuser"}),
        404: tenant.delete("/api-keys/key_doesnotexist"),
        403: viewer.get("/api-keys"),  # role check
    }
    remaining = []
    for status, response in responses.items():
        assert response.status_code == status, (status, response.text)
        remaining.append(_assert_rate_headers(response))
    # One workspace-wide binding: each request, errors included, counted once.
    assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(remaining)
    assert assert_error(responses[403], 403)["message"] == "This action requires the owner role"


def test_unknown_route_is_404_in_the_documented_shape(tenant: Tenant) -> None:
    assert_error(tenant.get("/no-such-route"), 404)
    assert_error(tenant.request("PATCH", "/api-keys/key_x/extra"), 404)
    assert_error(requests.get(tenant.base_url.rsplit("/", 1)[0] + "/v2/api-keys", timeout=10), 404)


# ------------------------------------------------------------------ the body


def test_body_over_one_megabyte_is_413(tenant: Tenant) -> None:
    before = _key_names(tenant)
    body = json.dumps({"name": "x" * (1024 * 1024), "role": "viewer"})

    response = tenant.post("/api-keys", data=body, headers={"Content-Type": "application/json"})

    assert assert_error(response, 413)["error"] == "Payload Too Large"
    _assert_rate_headers(response)
    assert _key_names(tenant) == before


def test_body_over_the_gateway_limit_is_413(tenant: Tenant) -> None:
    response = tenant.post("/api-keys", data=b"x" * (10 * 1024 * 1024 + 1))

    assert_error(response, 413)


def test_curl_d_form_encoded_json_is_accepted(tenant: Tenant) -> None:
    # curl -d '{...}' without -H sends application/x-www-form-urlencoded
    response = tenant.post(
        "/api-keys",
        data='{"name":"from curl","role":"viewer"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["data"]["name"] == "from curl"
    assert "from curl" in _key_names(tenant)


def test_text_plain_and_missing_content_type_are_read_as_json(tenant: Tenant) -> None:
    plain = tenant.post(
        "/api-keys", data='{"name":"plain","role":"viewer"}', headers={"Content-Type": "text/plain"}
    )
    bare = tenant.post("/api-keys", data=b'{"name":"bare","role":"viewer"}')

    assert (plain.status_code, bare.status_code) == (201, 201), (plain.text, bare.text)


@pytest.mark.parametrize(
    "body",
    [
        "{",
        "name=x&role=viewer",
        '{"name": "x", "role": "viewer",}',
        '{"name": NaN, "role": "viewer"}',
        b'{"name": "\xff", "role": "viewer"}',
    ],
)
def test_malformed_json_is_400(tenant: Tenant, body: str | bytes) -> None:
    before = _key_names(tenant)

    response = tenant.post("/api-keys", data=body, headers={"Content-Type": "application/json"})

    assert assert_error(response, 400, "Bad Request")["message"] == "Request body is not valid JSON"
    _assert_rate_headers(response)
    assert _key_names(tenant) == before


def test_unknown_body_field_is_400_naming_it(tenant: Tenant) -> None:
    before = _key_names(tenant)

    response = tenant.post("/api-keys", json={"name": "x", "role": "viewer", "admin": True})

    body = assert_error(response, 400, "Bad Request")
    assert "admin" in body["details"]
    assert _key_names(tenant) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "viewer"}, "name"),
        ({"name": "x"}, "role"),
        ({"name": 5, "role": "viewer"}, "name"),
        ({"name": "", "role": "viewer"}, "name"),
        ({"name": "x" * 101, "role": "viewer"}, "name"),
        ({"name": "x", "role": "viewer", "projectIds": "proj_1"}, "projectIds"),
        ({"name": "x", "role": "viewer", "scopes": ["root"]}, "scopes.0"),
        ({"name": "x", "role": "viewer", "projectIds": ["a/b"]}, "projectIds.0"),
    ],
)
def test_invalid_body_is_400_naming_the_field(tenant: Tenant, body: dict, field: str) -> None:
    response = tenant.post("/api-keys", json=body)

    assert field in assert_error(response, 400, "Bad Request")["details"]


def test_empty_body_is_400(tenant: Tenant) -> None:
    response = tenant.post("/api-keys", data=b"")

    assert_error(response, 400, "Bad Request")


# ------------------------------------------------------------------ project-bound keys


def test_project_bound_key_counts_against_its_project_binding(tenant: Tenant) -> None:
    bound = tenant.create_key("owner", projectIds=[tenant.project_id])
    same_project = tenant.create_key("owner", projectIds=[tenant.project_id])
    workspace_remaining = _assert_rate_headers(tenant.get("/api-keys"))

    bound_counts = [_assert_rate_headers(bound.get("/api-keys")) for _ in range(3)]
    shared = _assert_rate_headers(same_project.get("/api-keys"))

    assert bound_counts == [999, 998, 997]  # its own counter, not the workspace's
    assert shared == 996  # two keys bound to the same project share it
    assert _assert_rate_headers(tenant.get("/api-keys")) == workspace_remaining - 1


def test_project_bound_key_cannot_reach_further(tenant: Tenant) -> None:
    bound = tenant.create_key("owner", projectIds=[tenant.project_id])

    # A key it makes inherits its binding; it cannot name a project it does not see.
    child = bound.post("/api-keys", json={"name": "child", "role": "viewer"})
    assert child.status_code == 201 and child.json()["data"]["projectIds"] == [tenant.project_id]
    refused = bound.post("/api-keys", json={"name": "x", "role": "viewer", "projectIds": ["proj_elsewhere"]})
    assert "projectIds" in assert_error(refused, 403)["details"]


def test_key_bound_to_a_foreign_project_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    before = _key_names(tenant)

    response = tenant.post(
        "/api-keys", json={"name": "x", "role": "viewer", "projectIds": [other_tenant.project_id]}
    )

    body = assert_error(response, 403, "Forbidden")
    assert body["message"] == "No access to this project"
    assert body["details"] == {"projectIds": [other_tenant.project_id]}
    assert _key_names(tenant) == before
