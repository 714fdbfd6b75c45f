"""A known path's undeclared method answers 405 in the error shape with `Allow` listing exactly
the methods the OpenAPI document declares for the path; an unknown path stays 404. Enumerated
from the template's route table, so every path added later is covered with no new code."""

from __future__ import annotations

import pytest
import requests

from tallyboard_local import template as tpl
from tallyboard_local.stack import LocalStack
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id, served_spec_for_collection

SPEC = served_spec_for_collection()
PATHS = sorted({route.path for route in tpl.routes()} - tpl.page_paths())
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


def _declared(path: str) -> list[str]:
    return [m for m in METHODS if m.lower() in SPEC["paths"][path]]


def _filled(path: str) -> str:
    """The path with well-formed ids nobody has: routing never looks the resource up."""
    parts = path.split("/")
    return "/".join(random_id(part[1:-1]) if part.startswith("{") else part for part in parts)


@pytest.mark.parametrize("path", PATHS)
def test_undeclared_methods_are_405_with_allow(tenant: Tenant, path: str) -> None:
    declared = _declared(path)
    url = _filled(path)
    for method in (m for m in METHODS if m not in declared):
        response = tenant.request(method, url)

        assert response.status_code == 405, (method, path, response.status_code, response.text)
        assert response.headers["Allow"] == ", ".join(declared), (method, path)
        assert response.headers["Cache-Control"] == "no-store"
        if method != "HEAD":  # HEAD answers carry no body
            body = assert_error(response, 405, "Method Not Allowed")
            assert method in body["message"] and path in body["message"]


def test_the_catch_all_is_guarded_like_every_method(stack: LocalStack, tenant: Tenant) -> None:
    without_key = requests.request("TRACE", f"{stack.base_url}/api-keys/key_123", timeout=30)
    with_key = tenant.request("TRACE", "/api-keys/key_123")

    assert_error(without_key, 401, "Unauthorized")
    body = assert_error(with_key, 405, "Method Not Allowed")
    assert with_key.headers["Allow"] == "DELETE"
    assert body["message"] == "TRACE is not allowed on /api-keys/{keyId}; allowed: DELETE"


def test_declared_methods_still_reach_their_functions(tenant: Tenant) -> None:
    assert tenant.get("/api-keys").status_code == 200
    assert_error(tenant.delete(f"/api-keys/{random_id('keyId')}"), 404)  # the revoke function's 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-route"),
        ("TRACE", "/no-such-route"),
        ("DELETE", "/api-keys/key_1/more"),
        ("GET", "/"),
    ],
)
def test_unknown_paths_stay_404(tenant: Tenant, method: str, path: str) -> None:
    response = tenant.request(method, path)

    assert_error(response, 404, "Not Found")
    assert "Allow" not in response.headers


def test_every_template_path_is_bound_to_the_405_function() -> None:
    deployed = tpl.routes(tpl.deployable())
    bound = {r.path for r in deployed if r.function == tpl.METHOD_NOT_ALLOWED_FUNCTION}
    pages = {r.path: r.function for r in deployed if r.path in tpl.page_paths()}

    assert bound == set(PATHS)
    assert pages == {"/console": "ConsoleFunction", "/console/{proxy+}": "ConsoleFunction"}
