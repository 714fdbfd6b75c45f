"""The Lambda authorizer's decision: Bearer key → hash lookup → the caller's context."""

from __future__ import annotations

import hmac
from typing import Any

from tallyboard.auth import ROLES
from tallyboard.data import entities, keys
from tallyboard.errors import Unauthorized
from tallyboard.logic.keys import KEY_PATTERN, hash_key
from tallyboard.plans import get_plan, hourly_limit
from tallyboard.settings import get_settings


def bearer_key(header: str | None) -> str:
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not KEY_PATTERN.match(token):
        raise Unauthorized()
    return token


def acting_role(key_role: str, member_role: str) -> str:
    """A key acts with the lesser of its own role and its member's current one: demoting a member
    binds every key they hold from the next authorizer decision (at most AuthorizerTtlSeconds
    after the change: AuthorizerCacheTtl, 30 s by default, as for a revoked key)."""
    return min(key_role, member_role, key=ROLES.index)


def authorize(authorization_header: str | None) -> tuple[dict[str, Any], str | None]:
    """The authorizer context for a valid key and the plan's gateway key (None: no API access)."""
    plaintext = bearer_key(authorization_header)
    digest = hash_key(plaintext)
    record = keys.get_by_hash(digest)
    if record is None or not hmac.compare_digest(record["keyHash"], digest) or record.get("revokedAt"):
        raise Unauthorized()
    workspace, member = entities.get_workspace_and_user(record["workspaceId"], record["userId"])
    if workspace is None or member is None or member.get("removedAt"):
        raise Unauthorized()
    plan = get_plan(workspace.get("plan", "free"))
    context = {
        "workspaceId": record["workspaceId"],
        "userId": record["userId"],
        "keyId": record["keyId"],
        "role": acting_role(record["role"], member.get("role", "editor")),
        "scopes": ",".join(record.get("scopes") or []),
        "projectIds": ",".join(record.get("projectIds") or []),
        "plan": plan.name,
        "rateLimit": hourly_limit(plan, workspace.get("rateLimitPerHour")),
    }
    gateway_key = f"{get_settings().gateway_key_prefix}-{plan.name}" if plan.api_access else None
    return context, gateway_key


def policy(principal_id: str, method_arn: str, effect: str = "Allow") -> dict[str, Any]:
    # Allow the whole stage: the cached decision then holds for every route this key calls.
    arn_parts = method_arn.split("/")
    stage_arn = "/".join(arn_parts[:2]) + "/*" if len(arn_parts) >= 2 else method_arn
    return {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": stage_arn}],
        },
    }


def authorizer_response(event: dict[str, Any]) -> dict[str, Any]:
    context, gateway_key = authorize(event.get("authorizationToken"))
    response = policy(context["keyId"], event.get("methodArn", "*"))
    response["context"] = context
    if gateway_key:
        response["usageIdentifierKey"] = gateway_key
    return response
