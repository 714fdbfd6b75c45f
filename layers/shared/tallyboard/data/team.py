"""Team members: the workspace's user items in the entities table. A removed member keeps the
item, marked `removedAt` (their name still resolves in stats and history), and leaves the team list.

  user   pk WS#<ws>   sk USER#<userId>

| request                     | operations             | key condition                                |
|-----------------------------|------------------------|----------------------------------------------|
| GET /team                   | COUNT Query, Query (1) | pk = WS#<ws> AND begins_with(sk, "USER#")    |
| POST /team                  | PutItem (2)            | pk = WS#<ws>, sk = USER#<id>                 |
| PATCH /team/{userId}        | UpdateItem (3)         | pk = WS#<ws>, sk = USER#<id>                 |
| DELETE /team/{userId}       | GetItem, UpdateItem (3)| pk = WS#<ws>, sk = USER#<id> (SET removedAt) |
| names and ids (tasks, time) | Query                  | pk = WS#<ws> AND begins_with(sk, "USER#")    |

(1) filter `attribute_not_exists(removedAt)`; in user id order (the sort key).
(2) condition attribute_not_exists(pk).
(3) condition: the member exists and is not removed; ALL_NEW returned.

A workspace always keeps an owner: its item counts its current owners (`ownerCount`), and a
write that makes or unmakes an owner is one transaction with that count (+1, or -1 on the
condition `ownerCount > 1`), so two owners demoting each other at once cannot leave none.
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import put_user, workspace_key, workspace_pk
from tallyboard.models.common import PageSpec

USER_PREFIX = "USER#"
_CURRENT = "attribute_not_exists(removedAt)"
OWNER = "owner"
# Outcomes of a write that moves the owner count, beside the member's new item.
LAST_OWNER, CHANGED = "last_owner", "changed"


def _users_query(workspace_id: str, current_only: bool) -> dict[str, Any]:
    query: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :user)",
        "ExpressionAttributeValues": {":pk": {"S": workspace_pk(workspace_id)}, ":user": {"S": USER_PREFIX}},
    }
    if current_only:
        query["FilterExpression"] = _CURRENT
    return query


def page(workspace_id: str, spec: PageSpec) -> dynamo.Page:
    """A page of the current members, in user id order."""
    page = dynamo.query_page(
        dynamo.table("entities"), spec, dynamo.TABLE_KEYS, **_users_query(workspace_id, True)
    )
    return page.without_keys()


def count(workspace_id: str) -> int:
    return dynamo.count(dynamo.table("entities"), **_users_query(workspace_id, True))


def everyone(workspace_id: str) -> list[dict[str, Any]]:
    """Every member, removed ones too (marked removedAt): to resolve ids and names."""
    return [
        dynamo.without_keys(item)
        for item in dynamo.query(dynamo.table("entities"), **_users_query(workspace_id, False))
    ]


def _user_key(workspace_id: str, user_id: str) -> dict[str, Any]:
    return dynamo.key(pk=workspace_pk(workspace_id), sk=USER_PREFIX + user_id)


def get(workspace_id: str, user_id: str, consistent: bool = False) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("entities"), _user_key(workspace_id, user_id), consistent=consistent)
    return dynamo.without_keys(item) if item else None


def _owner_count(workspace_id: str, delta: int) -> dict[str, Any]:
    expression = Expression().add("ownerCount", delta)
    if delta < 0:
        expression.condition("{n} > {one}", n="#ownerCount", one=1)
    return {"Update": expression.update(dynamo.table("entities"), workspace_key(workspace_id))}


def put(workspace_id: str, member: dict[str, Any]) -> None:
    if member.get("role") != OWNER:
        put_user(workspace_id, member)
        return
    item = {**dynamo.to_item(member), **_user_key(workspace_id, member["id"])}
    put = {
        "TableName": dynamo.table("entities"),
        "Item": item,
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    if dynamo.transact([{"Put": put}, _owner_count(workspace_id, +1)]) is not None:
        raise RuntimeError(f"user {member['id']} already exists")  # fresh random ids: never expected


def _owner_delta(role_was: str, role: str | None) -> int:
    if role is None or (role == OWNER) == (role_was == OWNER):
        return 0
    return 1 if role == OWNER else -1


def change(
    workspace_id: str, member: dict[str, Any], changes: dict[str, Any], removed_at: int | None = None
) -> dict[str, Any] | str | None:
    """Change a current member read as `member` (SET `changes`, None values REMOVE; `removed_at`
    takes them off the team); a write that makes or unmakes an owner moves the owner count with
    it. Their new item; None when there is no such current member; LAST_OWNER when it would
    leave the workspace without an owner; CHANGED when their role changed since it was read."""
    role_was = member.get("role", "editor")
    delta = (
        -1 if removed_at is not None and role_was == OWNER else _owner_delta(role_was, changes.get("role"))
    )
    if removed_at is not None:
        changes = {**changes, "removedAt": removed_at, "updatedAt": removed_at}
    if not delta:
        return update(workspace_id, member["id"], changes)
    expression = _current_member(changes).condition("{r} = {was}", r="#role", was=role_was)
    user_update = expression.update(dynamo.table("entities"), _user_key(workspace_id, member["id"]))
    reasons = dynamo.transact([{"Update": user_update}, _owner_count(workspace_id, delta)])
    if reasons is None:
        return get(workspace_id, member["id"], consistent=True)
    if reasons[1] == dynamo.CONDITION_FAILED:
        return LAST_OWNER
    current = get(workspace_id, member["id"], consistent=True)
    return None if current is None or current.get("removedAt") else CHANGED


def update(workspace_id: str, user_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """SET `changes` (None values REMOVE the attribute) on a current member; their new item, or
    None when there is no such current member."""
    update = _current_member(changes).update(dynamo.table("entities"), _user_key(workspace_id, user_id))
    member = dynamo.update_if(**update, ReturnValues="ALL_NEW")
    return dynamo.without_keys(member) if member is not None else None


def _current_member(changes: dict[str, Any]) -> Expression:
    """SET `changes` (None values REMOVE) on a member who exists and is not removed."""
    expression = Expression().condition(f"attribute_exists(pk) AND {_CURRENT}")
    for name, value in changes.items():
        expression.set(name, value)
    return expression
