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

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.entities import put_user, workspace_key, workspace_pk
from tallyboard.models.common import PageSpec
from tallyboard.settings import get_settings

USER_PREFIX = "USER#"
KEY_NAMES = ("pk", "sk")
_CURRENT = "attribute_not_exists(removedAt)"
OWNER = "owner"
# Outcomes of a write that moves the owner count, beside the member's new item.
LAST_OWNER, CHANGED = "last_owner", "changed"


def _table() -> str:
    return get_settings().entities_table


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in KEY_NAMES}


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
        _table(), spec.limit, KEY_NAMES, spec.start_key, spec.skip, **_users_query(workspace_id, True)
    )
    return dynamo.Page([_strip(item) for item in page.items], page.next_key)


def count(workspace_id: str) -> int:
    return dynamo.count(_table(), **_users_query(workspace_id, True))


def everyone(workspace_id: str) -> list[dict[str, Any]]:
    """Every member, removed ones too (marked removedAt): to resolve ids and names."""
    return [_strip(item) for item in dynamo.query(_table(), **_users_query(workspace_id, False))]


def _user_key(workspace_id: str, user_id: str) -> dict[str, Any]:
    return dynamo.key(pk=workspace_pk(workspace_id), sk=USER_PREFIX + user_id)


def get(workspace_id: str, user_id: str, consistent: bool = False) -> dict[str, Any] | None:
    item = dynamo.get(_table(), _user_key(workspace_id, user_id), consistent=consistent)
    return _strip(item) if item else None


def _owner_count(workspace_id: str, delta: int) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": _table(),
        "Key": workspace_key(workspace_id),
        "UpdateExpression": "ADD ownerCount :delta",
        "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
    }
    if delta < 0:
        update["ConditionExpression"] = "ownerCount > :one"
        update["ExpressionAttributeValues"][":one"] = {"N": "1"}
    return {"Update": update}


def put(workspace_id: str, member: dict[str, Any]) -> None:
    if member.get("role") != OWNER:
        put_user(workspace_id, member)
        return
    item = {**dynamo.to_item(member), **_user_key(workspace_id, member["id"])}
    put = {"TableName": _table(), "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
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
    expression = _update_expression(changes)
    expression["ExpressionAttributeNames"]["#role"] = "role"
    expression["ExpressionAttributeValues"][":roleWas"] = {"S": role_was}
    user_update = {
        "TableName": _table(),
        "Key": _user_key(workspace_id, member["id"]),
        "ConditionExpression": f"attribute_exists(pk) AND {_CURRENT} AND #role = :roleWas",
        **expression,
    }
    reasons = dynamo.transact([{"Update": user_update}, _owner_count(workspace_id, delta)])
    if reasons is None:
        return get(workspace_id, member["id"], consistent=True)
    if reasons[1] == "ConditionalCheckFailed":
        return LAST_OWNER
    current = get(workspace_id, member["id"], consistent=True)
    return None if current is None or current.get("removedAt") else CHANGED


def update(workspace_id: str, user_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """SET `changes` (None values REMOVE the attribute) on a current member; their new item, or
    None when there is no such current member."""
    return _conditional_update(workspace_id, user_id, **_update_expression(changes))


def _update_expression(changes: dict[str, Any]) -> dict[str, Any]:
    sets = {k: v for k, v in changes.items() if v is not None}
    removes = [k for k, v in changes.items() if v is None]
    names = {f"#f{i}": name for i, name in enumerate([*sets, *removes])}
    expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(sets)))
    if removes:
        expression += " REMOVE " + ", ".join(f"#f{len(sets) + i}" for i in range(len(removes)))
    return {
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": dynamo.to_item({f":v{i}": v for i, v in enumerate(sets.values())}),
    }


def _conditional_update(workspace_id: str, user_id: str, **update: Any) -> dict[str, Any] | None:
    try:
        response = dynamodb().update_item(
            TableName=_table(),
            Key=_user_key(workspace_id, user_id),
            ConditionExpression=f"attribute_exists(pk) AND {_CURRENT}",
            ReturnValues="ALL_NEW",
            **update,
        )
    except ClientError as error:
        if dynamo.is_condition_failure(error):
            return None
        raise
    return _strip(dynamo.from_item(response["Attributes"]))
