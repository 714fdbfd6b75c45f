"""Shared fixtures: one local stack (moto server + local gateway + real handlers) per test
process, and tenants created through the real bootstrap, isolated by workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from tallyboard_local.stack import LocalStack


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    local = LocalStack(port=0).start()
    yield local
    local.stop()


@dataclass
class Tenant:
    """A bootstrapped workspace with an owner key, and an HTTP session that uses it."""

    base_url: str
    workspace_id: str
    project_id: str
    user_id: str
    key_id: str
    api_key: str
    plan: str
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.http.headers["Authorization"] = f"Bearer {self.api_key}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def with_key(self, api_key: str) -> Tenant:
        """The same workspace seen through another key."""
        return Tenant(
            self.base_url, self.workspace_id, self.project_id, self.user_id, self.key_id, api_key, self.plan
        )

    def create_key(self, role: str = "owner", **body: Any) -> Tenant:
        response = self.post("/api-keys", json={"name": f"{role} key", "role": role, **body})
        assert response.status_code == 201, response.text
        return self.with_key(response.json()["data"]["key"])


@pytest.fixture(scope="session")
def make_tenant(stack: LocalStack) -> Callable[..., Tenant]:
    from tallyboard.logic import workspaces

    def make(plan: str = "scale", **kwargs: Any) -> Tenant:
        created = workspaces.bootstrap(plan, **kwargs)
        return Tenant(
            base_url=stack.base_url,
            workspace_id=created["workspaceId"],
            project_id=created["projectId"],
            user_id=created["userId"],
            key_id=created["keyId"],
            api_key=created["apiKey"],
            plan=plan,
        )

    return make


@pytest.fixture
def tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant("scale")


@pytest.fixture
def other_tenant(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant("scale")


def assert_error(response: requests.Response, status: int, error: str | None = None) -> dict[str, Any]:
    """The documented error shape: {"error", "message", "details"?}."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str), body
    assert set(body) <= {"error", "message", "details", "retryAfter"}, body
    if error is not None:
        assert body["error"] == error
    return body


def served_spec_for_collection() -> dict[str, Any]:
    """The OpenAPI document /v1/openapi.json serves, built in-process (no stack needed), for
    suites that parametrize over operations at collection time."""
    from tallyboard.logic import docs

    from tallyboard_local.template import ROOT

    return docs.openapi_schema(ROOT / "functions")
