"""API keys: issue (plaintext once, only the hash stored), list masked, revoke."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from tallyboard.auth import ROLES, Caller
from tallyboard.data import entities, keys, team
from tallyboard.errors import BadRequest, Forbidden, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.models.common import PageQuery
from tallyboard.models.keys import (
    ApiKey,
    ApiKeyList,
    CreateApiKeyRequest,
    CreatedApiKey,
    CreatedApiKeyResponse,
)

KEY_PREFIX = "tb_"
KEY_PATTERN = re.compile(r"^tb_[A-Za-z0-9_-]{32,128}$")


def hash_key(plaintext: str) -> str:
    # Keys carry 256 random bits, so a fast unsalted hash is enough: nothing to brute-force.
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["keyId"],
        "name": record["name"],
        "role": record["role"],
        "projectIds": record.get("projectIds") or [],
        "scopes": record.get("scopes") or [],
        "maskedKey": f"{KEY_PREFIX}…{record['lastFour']}",
        "status": "revoked" if record.get("revokedAt") else "active",
        "userId": record["userId"],
        "createdBy": record.get("createdBy", record["userId"]),
        "createdAt": record["createdAt"],
        "revokedAt": record.get("revokedAt"),
    }


def issue(
    workspace_id: str,
    user_id: str,
    name: str,
    role: str,
    project_ids: list[str] | None = None,
    scopes: list[str] | None = None,
    created_by: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """Store a new key acting for `user_id`; returns the plaintext (never stored) and its record."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    record = {
        "keyHash": hash_key(plaintext),
        "keyId": new_id("key"),
        "workspaceId": workspace_id,
        "userId": user_id,
        "name": name,
        "role": role,
        "projectIds": list(project_ids or []),
        "scopes": list(scopes or []),
        "lastFour": plaintext[-4:],
        "createdBy": created_by or user_id,
        "createdAt": now_ms(),
    }
    keys.put(record)
    return plaintext, record


def create(caller: Caller, request: CreateApiKeyRequest) -> CreatedApiKeyResponse:
    caller.require("owner", "workspace:write")
    project_ids = list(dict.fromkeys(request.projectIds or []))
    # A key can never reach further than the key that made it.
    outside = [p for p in project_ids if not caller.is_bound_to(p)]
    missing = set(project_ids) - entities.existing_project_ids(caller.workspace_id, project_ids)
    if outside or missing:
        # Foreign and missing projects answer alike (docs/api.md §1): no existence leak.
        raise Forbidden("No access to this project", details={"projectIds": sorted(set(outside) | missing)})
    if caller.project_ids and not project_ids:
        project_ids = list(caller.project_ids)
    scopes = list(dict.fromkeys(request.scopes or caller.scopes))
    if not caller.reaches(project_ids, scopes):
        raise Forbidden(
            "A key cannot reach further than the key that creates it",
            details={"scopes": sorted(set(scopes) - set(caller.scopes))},
        )
    user_id = _holder(caller, request)
    plaintext, record = issue(
        caller.workspace_id, user_id, request.name, request.role, project_ids, scopes, caller.user_id
    )
    audit.record(
        caller,
        "api_key.create",
        "api_key",
        record["keyId"],
        metadata={"role": request.role, "userId": user_id},
    )
    return CreatedApiKeyResponse(data=CreatedApiKey(**_public(record), key=plaintext))


def _holder(caller: Caller, request: CreateApiKeyRequest) -> str:
    """The member a new key acts for: the caller's own user, or a current member the owner names,
    with a role at most the member's. (The caller's own role already bounds a key for itself.)"""
    if request.userId in (None, caller.user_id):
        return caller.user_id
    member = team.get(caller.workspace_id, request.userId, consistent=True)
    if member is None or member.get("removedAt"):
        raise NotFound("Team member not found", details={"userId": "no current member of this workspace"})
    member_role = member.get("role", "editor")
    if ROLES.index(request.role) > ROLES.index(member_role):
        raise BadRequest(
            f"Invalid parameter: role is at most the member's role ({member_role})",
            details={"role": f"at most {member_role}, the member's role"},
        )
    return request.userId


def _within_reach(caller: Caller, record: dict[str, Any]) -> bool:
    return caller.reaches(record.get("projectIds") or [], record.get("scopes") or [])


def list_keys(caller: Caller, query: PageQuery) -> ApiKeyList:
    """The keys within the caller's reach, in key id order."""
    caller.require("owner", "workspace:read")
    ws = caller.workspace_id
    reach = f"{','.join(sorted(caller.project_ids))}|{','.join(sorted(caller.scopes))}"
    spec = pages.page_spec(query.limit, query.offset, query.cursor, f"api-keys|{ws}|{reach}")
    if not caller.project_ids and not caller.scopes:
        page, total = keys.page(ws, spec), keys.count_for_workspace(ws)
    else:  # reach is a subset rule no key condition states: a narrow key's count walks the keys
        keep = lambda r: _within_reach(caller, r)  # noqa: E731
        page, total = keys.page(ws, spec, keep), sum(map(keep, keys.list_for_workspace(ws)))
    return ApiKeyList(
        data=[ApiKey(**_public(r)) for r in page.items], pagination=pages.pagination(spec, total, page)
    )


def revoke(caller: Caller, key_id: str) -> None:
    caller.require("owner", "workspace:write")
    record = keys.find_in_workspace(caller.workspace_id, key_id)
    # A key beyond the caller's reach answers exactly like one that does not exist.
    if (
        record is None
        or not _within_reach(caller, record)
        or not keys.mark_revoked(record["keyHash"], caller.workspace_id, now_ms())
    ):
        raise NotFound("API key not found")
    audit.record(caller, "api_key.revoke", "api_key", key_id)
