"""Caller: the authorizer context read from the proxy event, role and scope checks, and the
rate-limit binding."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.auth import Caller
from tallyboard.errors import Forbidden, Unauthorized
from tallyboard.plans import PLANS


def _event(**context: Any) -> dict[str, Any]:
    authorizer = {
        "workspaceId": "ws_1",
        "userId": "user_1",
        "keyId": "key_1",
        "role": "editor",
        "scopes": "metrics:read,dashboard:read",
        "projectIds": "proj_b,proj_a",
        "plan": "scale",
        "rateLimit": "1000",
        "principalId": "key_1",
        **context,
    }
    return {
        "requestContext": {
            "authorizer": authorizer,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "curl/8"},
        }
    }


def test_from_event_reads_the_authorizer_context() -> None:
    caller = Caller.from_event(_event())

    assert caller.workspace_id == "ws_1" and caller.user_id == "user_1" and caller.key_id == "key_1"
    assert caller.role == "editor"
    assert caller.scopes == ("metrics:read", "dashboard:read")
    assert caller.project_ids == ("proj_b", "proj_a")
    assert caller.plan is PLANS["scale"]
    assert caller.rate_limit == 1000  # API Gateway hands context values over as strings
    assert (caller.source_ip, caller.user_agent) == ("203.0.113.7", "curl/8")


def test_from_event_accepts_numbers_and_empty_lists() -> None:
    caller = Caller.from_event(_event(rateLimit=100, scopes="", projectIds=""))

    assert caller.rate_limit == 100
    assert caller.scopes == () and caller.project_ids == ()


@pytest.mark.parametrize("event", [{}, {"requestContext": {}}, {"requestContext": {"authorizer": {}}}])
def test_from_event_without_a_workspace_is_unauthorized(event: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized) as raised:
        Caller.from_event(event)
    assert raised.value.status == 401
    assert raised.value.body() == {"error": "Unauthorized", "message": "Invalid or missing API key"}


def test_require_role_names_the_missing_role() -> None:
    viewer = Caller.from_event(_event(role="viewer", scopes=""))

    viewer.require("viewer")
    with pytest.raises(Forbidden) as raised:
        viewer.require("editor")
    assert raised.value.status == 403
    assert raised.value.body() == {
        "error": "Forbidden",
        "message": "This action requires the editor role",
        "details": {"role": "viewer"},
    }


def test_roles_are_ordered_viewer_editor_owner() -> None:
    owner = Caller.from_event(_event(role="owner", scopes=""))
    editor = Caller.from_event(_event(role="editor", scopes=""))

    for role in ("viewer", "editor", "owner"):
        owner.require(role)
    editor.require("editor")
    with pytest.raises(Forbidden, match="owner role"):
        editor.require("owner")


def test_require_scope_names_the_missing_scope() -> None:
    caller = Caller.from_event(_event())

    caller.require("viewer", "metrics:read")
    with pytest.raises(Forbidden) as raised:
        caller.require("viewer", "metrics:write")
    assert raised.value.message == "This key is missing the metrics:write scope"
    assert raised.value.details == {"scope": "metrics:write"}


def test_a_key_without_scopes_has_every_scope_its_role_allows() -> None:
    caller = Caller.from_event(_event(scopes=""))

    caller.require("editor", "metrics:write")
    caller.require("viewer", "export:write")


def test_role_is_checked_before_scope() -> None:
    caller = Caller.from_event(_event(role="viewer", scopes="metrics:read"))

    with pytest.raises(Forbidden, match="editor role"):
        caller.require("editor", "metrics:write")


def test_rate_limit_binding_per_workspace_or_per_project_set() -> None:
    wide = Caller.from_event(_event(projectIds=""))
    bound = Caller.from_event(_event(projectIds="proj_b,proj_a"))
    same_projects = Caller.from_event(_event(projectIds="proj_a,proj_b", keyId="key_2"))
    other_workspace = Caller.from_event(_event(workspaceId="ws_2", projectIds="proj_a,proj_b"))

    assert wide.rate_limit_binding == "workspace:ws_1"
    assert bound.rate_limit_binding == "project:ws_1:proj_a,proj_b"
    # Keys bound to the same projects share their counter, whatever order they list them in.
    assert same_projects.rate_limit_binding == bound.rate_limit_binding
    assert other_workspace.rate_limit_binding != bound.rate_limit_binding


def test_is_bound_to() -> None:
    assert Caller.from_event(_event(projectIds="")).is_bound_to("proj_anything")
    bound = Caller.from_event(_event(projectIds="proj_a"))
    assert bound.is_bound_to("proj_a")
    assert not bound.is_bound_to("proj_b")
