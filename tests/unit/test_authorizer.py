"""The authorizer's decision with the data functions replaced: bearer parsing, unknown, revoked
and foreign keys, plans without API (no gateway key), and the policy."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.errors import Unauthorized
from tallyboard.logic import authorizer
from tallyboard.logic.keys import hash_key

KEY = "tb_" + "A1b2-C3d4_" * 4
ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/v1/GET/api-keys"


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One stored key and its workspace; tests edit them."""
    state: dict[str, Any] = {
        "key": {
            "keyHash": hash_key(KEY),
            "keyId": "key_1",
            "workspaceId": "ws_1",
            "userId": "user_1",
            "role": "editor",
            "scopes": ["metrics:read", "dashboard:read"],
            "projectIds": ["proj_1"],
        },
        "workspace": {"id": "ws_1", "plan": "scale"},
        "member": {"id": "user_1", "role": "owner"},
        "looked_up": [],
    }

    def get_by_hash(digest: str) -> dict[str, Any] | None:
        state["looked_up"].append(digest)
        return state["key"] if state["key"] and state["key"]["keyHash"] == digest else None

    def get_workspace_and_user(workspace_id: str, user_id: str) -> tuple[Any, Any]:
        workspace, member = state["workspace"], state["member"]
        if not workspace or workspace["id"] != workspace_id:
            return None, None
        return workspace, member if member and member["id"] == user_id else None

    monkeypatch.setattr(authorizer.keys, "get_by_hash", get_by_hash)
    monkeypatch.setattr(authorizer.entities, "get_workspace_and_user", get_workspace_and_user)
    monkeypatch.setenv("GATEWAY_KEY_PREFIX", "stack-usage-plan-key")
    return state


@pytest.mark.parametrize(
    "header",
    [f"Bearer {KEY}", f"bearer {KEY}", f"BEARER   {KEY}  ", f"  Bearer {KEY}"],
)
def test_bearer_key_accepts_the_scheme_in_any_case(header: str) -> None:
    assert authorizer.bearer_key(header) == KEY


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        KEY,  # no scheme
        f"Basic {KEY}",
        f"Token {KEY}",
        "Bearer",
        "Bearer ",
        "Bearer tb_short",
        "Bearer sk_" + "a" * 40,  # another product's key
        "Bearer tb_" + "a" * 129,
        "Bearer tb_" + "a" * 31 + "!",
        "Bearer tb_" + "a" * 40 + " extra",
        "Bearer tb_" + "é" * 40,
    ],
)
def test_bearer_key_rejects(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        authorizer.bearer_key(header)


def test_valid_key_gives_context_and_gateway_key(stored: dict[str, Any]) -> None:
    context, gateway_key = authorizer.authorize(f"Bearer {KEY}")

    assert context == {
        "workspaceId": "ws_1",
        "userId": "user_1",
        "keyId": "key_1",
        "role": "editor",
        "scopes": "metrics:read,dashboard:read",
        "projectIds": "proj_1",
        "plan": "scale",
        "rateLimit": 1000,
    }
    assert gateway_key == "stack-usage-plan-key-scale"
    assert stored["looked_up"] == [hash_key(KEY)]  # looked up by hash, never by plaintext


def test_unknown_key_is_unauthorized(stored: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized):
        authorizer.authorize("Bearer tb_" + "z" * 43)


def test_revoked_key_is_unauthorized(stored: dict[str, Any]) -> None:
    stored["key"]["revokedAt"] = 1_767_225_600_000

    with pytest.raises(Unauthorized):
        authorizer.authorize(f"Bearer {KEY}")


def test_key_of_a_deleted_workspace_is_unauthorized(stored: dict[str, Any]) -> None:
    stored["workspace"] = None

    with pytest.raises(Unauthorized):
        authorizer.authorize(f"Bearer {KEY}")


@pytest.mark.parametrize("plan", ["free", "pro"])
def test_plan_without_api_gets_no_gateway_key(stored: dict[str, Any], plan: str) -> None:
    stored["workspace"]["plan"] = plan

    context, gateway_key = authorizer.authorize(f"Bearer {KEY}")

    assert gateway_key is None
    assert context["plan"] == plan

    stored["workspace"]["plan"] = plan
    response = authorizer.authorizer_response({"authorizationToken": f"Bearer {KEY}", "methodArn": ARN})
    assert "usageIdentifierKey" not in response  # API Gateway then answers 403 (ApiKeyRequired)


def test_enterprise_limit_comes_from_the_workspace(stored: dict[str, Any]) -> None:
    stored["workspace"].update(plan="enterprise", rateLimitPerHour=25_000)

    context, gateway_key = authorizer.authorize(f"Bearer {KEY}")

    assert context["rateLimit"] == 25_000
    assert gateway_key == "stack-usage-plan-key-enterprise"


def test_workspace_wide_key_has_empty_lists(stored: dict[str, Any]) -> None:
    stored["key"].update(scopes=[], projectIds=[])

    context, _ = authorizer.authorize(f"Bearer {KEY}")

    assert (context["scopes"], context["projectIds"]) == ("", "")


def test_policy_allows_the_whole_stage(stored: dict[str, Any]) -> None:
    response = authorizer.authorizer_response({"authorizationToken": f"Bearer {KEY}", "methodArn": ARN})

    assert response["principalId"] == "key_1"
    assert response["policyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/v1/*",
            }
        ],
    }
    assert response["usageIdentifierKey"] == "stack-usage-plan-key-scale"
    assert response["context"]["workspaceId"] == "ws_1"
    assert KEY not in str(response)


def test_authorizer_handler_turns_unauthorized_into_the_gateway_401(stored: dict[str, Any]) -> None:
    from tallyboard_local import template as tpl
    from tallyboard_local.functions import LambdaContext, load_module

    handler_file, handler_name = tpl.handler_location(tpl.functions()["AuthorizerFunction"])
    handler = getattr(load_module(handler_file), handler_name)

    with pytest.raises(Exception, match=r"^Unauthorized$"):  # the exact text API Gateway maps to 401
        handler({"authorizationToken": "Bearer nope", "methodArn": ARN}, LambdaContext("AuthorizerFunction"))
    allowed = handler({"authorizationToken": f"Bearer {KEY}", "methodArn": ARN}, LambdaContext("Authorizer"))
    assert allowed["context"]["keyId"] == "key_1"


@pytest.mark.parametrize(
    ("key_role", "member_role", "acting"),
    [
        ("owner", "owner", "owner"),
        ("owner", "viewer", "viewer"),
        ("editor", "owner", "editor"),
        ("viewer", "editor", "viewer"),
        ("owner", "editor", "editor"),
    ],
)
def test_a_key_acts_with_the_lesser_of_its_role_and_its_members(
    stored: dict[str, Any], key_role: str, member_role: str, acting: str
) -> None:
    stored["key"]["role"], stored["member"]["role"] = key_role, member_role
    context, _ = authorizer.authorize(f"Bearer {KEY}")
    assert context["role"] == acting


@pytest.mark.parametrize("member", [None, {"id": "user_1", "role": "owner", "removedAt": 1}])
def test_a_key_of_a_removed_or_unknown_member_is_refused(stored: dict[str, Any], member: Any) -> None:
    stored["member"] = member
    with pytest.raises(Unauthorized):
        authorizer.authorize(f"Bearer {KEY}")
