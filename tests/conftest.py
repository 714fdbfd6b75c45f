"""Shared fixtures: one local stack (moto server + local gateway + real handlers) per test
process, and tenants created through the real bootstrap, isolated by workspace; the IAM check of
a whole run; the documented error shape. The generic suites' library is tests/e2e/generic_spec.py."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tallyboard_local.stack import LocalStack

# ---------------------------------------------------------------------------------------------
# IAM proven by the calls made (tallyboard_local/aws_calls.py): each test process records what
# its functions called; at the end of a whole run (`make test` sets TALLYBOARD_IAM_CHECK=1) the
# calls are checked against the template's policies, both ways, and any gap fails the run.

AWS_CALLS_DIR = Path(__file__).resolve().parent.parent / ".local" / "aws-calls"


def _iam_check_enabled() -> bool:
    return os.environ.get("TALLYBOARD_IAM_CHECK") == "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    if _iam_check_enabled() and not hasattr(session.config, "workerinput"):
        shutil.rmtree(AWS_CALLS_DIR, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _iam_check_enabled():
        return
    from tallyboard_local import aws_calls

    worker = getattr(session.config, "workerinput", None)
    aws_calls.dump(AWS_CALLS_DIR / f"{worker['workerid'] if worker else 'main'}.json")
    if worker:
        return  # the controller checks once every worker has written its calls
    denied, unused = aws_calls.check(aws_calls.load(sorted(AWS_CALLS_DIR.glob("*.json"))))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    write = reporter.write_line if reporter else print
    write(f"IAM check: {len(denied)} calls no policy allows, {len(unused)} grants no call used")
    for line in denied:
        write(f"  not allowed: {line}")
    for line in unused:
        write(f"  never used:  {line}")
    if denied or unused:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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

    def add_project(self, name: str = "Second project") -> Tenant:
        """The same workspace and key, acting on a new project of the workspace."""
        from tallyboard.logic import workspaces

        project_id = workspaces.add_project(self.workspace_id, name)
        return Tenant(
            self.base_url, self.workspace_id, project_id, self.user_id, self.key_id, self.api_key, self.plan
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
