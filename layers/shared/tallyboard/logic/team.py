"""The team: every key reads it (ids resolve to names); owners with a workspace-wide key add,
change and remove members. A removed member's keys are revoked, so they answer 401 from then on."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import keys, team
from tallyboard.errors import Conflict, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.logic.partial_update import sent_fields
from tallyboard.models.common import PageQuery
from tallyboard.models.team import (
    DEFAULT_ALLOWANCE_DAYS,
    CreateMemberRequest,
    Member,
    MemberList,
    MemberResponse,
    UpdateMemberRequest,
)
from tallyboard.timeutil import to_iso

# API field → stored attribute (user items predate the agency API and are camelCase).
_STORED = {
    "name": "name",
    "email": "email",
    "role": "role",
    "title": "title",
    "holiday_allowance_days": "holidayAllowanceDays",
}
_NULLABLE = {"title"}


def member_not_found() -> NotFound:
    return NotFound("Team member not found")


def allowance(user: dict[str, Any]) -> int:
    return int(user.get("holidayAllowanceDays", DEFAULT_ALLOWANCE_DAYS))


def public_member(user: dict[str, Any]) -> Member:
    return Member(
        id=user["id"],
        name=user["name"],
        email=user.get("email", ""),
        role=user.get("role", "editor"),
        title=user.get("title"),
        holiday_allowance_days=allowance(user),
        created_at=to_iso(user["createdAt"]),
    )


def _require_manager(caller: Caller) -> None:
    caller.require("owner", "workspace:write")
    caller.require_workspace_key()


def list_team(caller: Caller, query: PageQuery) -> MemberList:
    """Every current member, for any key of the workspace, whatever its role, scopes or projects
    (API.md: this is how the ids in tasks, time entries and holidays resolve to names)."""
    spec = pages.page_spec(query.limit, query.offset, query.cursor, f"team|{caller.workspace_id}")
    page = team.page(caller.workspace_id, spec)
    return MemberList(
        data=[public_member(user) for user in page.items],
        pagination=pages.pagination(spec, team.count(caller.workspace_id), page),
    )


def create(caller: Caller, request: CreateMemberRequest) -> MemberResponse:
    _require_manager(caller)
    created_at = now_ms()
    record = {
        "id": new_id("user"),
        "name": request.name,
        "email": request.email,
        "role": request.role,
        "title": request.title,
        "holidayAllowanceDays": request.holiday_allowance_days,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    team.put(caller.workspace_id, record)
    audit.record(caller, "team_member.create", "team_member", record["id"], metadata={"role": request.role})
    return MemberResponse(data=public_member(record))


def _last_owner() -> Conflict:
    return Conflict(
        "The workspace's last owner can be neither demoted nor removed; make another member owner first",
        details={"role": "the workspace needs an owner"},
    )


def _changed(outcome: dict[str, Any] | str | None) -> dict[str, Any]:
    if outcome is None:
        raise member_not_found()
    if outcome == team.LAST_OWNER:
        raise _last_owner()
    if outcome == team.CHANGED:
        raise Conflict("The member's role changed while this request was applied; retry it")
    assert isinstance(outcome, dict)
    return outcome


def update(caller: Caller, user_id: str, request: UpdateMemberRequest) -> MemberResponse:
    """A role change binds the member's keys from their next request (the authorizer reads the
    member's role; logic/authorizer.py)."""
    _require_manager(caller)
    changes = {_STORED[name]: value for name, value in sent_fields(request, _NULLABLE).items()}
    changes["updatedAt"] = now_ms()
    if "role" in changes:
        if user_id == caller.user_id:
            raise Conflict("You cannot change your own role", details={"userId": "the key's own user"})
        member = team.get(caller.workspace_id, user_id, consistent=True)
        if member is None or member.get("removedAt"):
            raise member_not_found()
        updated = _changed(team.change(caller.workspace_id, member, changes))
    else:
        updated = _changed(team.update(caller.workspace_id, user_id, changes))
    audit.record(
        caller,
        "team_member.update",
        "team_member",
        user_id,
        metadata={"fields": sorted(request.model_fields_set)},
    )
    return MemberResponse(data=public_member(updated))


def _revoke_keys_of(workspace_id: str, user_id: str) -> int:
    """Revoke every live key of the member; how many were revoked."""
    revoked = 0
    for record in keys.list_for_workspace(workspace_id):
        if record["userId"] == user_id and not record.get("revokedAt"):
            revoked += keys.mark_revoked(record["keyHash"], workspace_id, now_ms())
    return revoked


def remove(caller: Caller, user_id: str) -> None:
    """Take a member off the team and revoke their keys. The member is marked removed first: from
    then on the authorizer refuses every key of theirs, even one an owner minted for them while
    the keys were being revoked."""
    _require_manager(caller)
    member = team.get(caller.workspace_id, user_id, consistent=True)
    if member is None or member.get("removedAt"):
        raise member_not_found()
    if user_id == caller.user_id:
        raise Conflict("You cannot remove yourself from the team", details={"userId": "the key's own user"})
    _changed(team.change(caller.workspace_id, member, {}, removed_at=now_ms()))
    revoked = _revoke_keys_of(caller.workspace_id, user_id)
    audit.record(caller, "team_member.remove", "team_member", user_id, metadata={"revokedKeys": revoked})
