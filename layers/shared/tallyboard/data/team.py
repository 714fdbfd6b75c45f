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
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.entities import put_user, workspace_pk
from tallyboard.models.common import PageSpec
from tallyboard.settings import get_settings

USER_PREFIX = "USER#"
KEY_NAMES = ("pk", "sk")
_CURRENT = "attribute_not_exists(removedAt)"


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


def get(workspace_id: str, user_id: str) -> dict[str, Any] | None:
    item = dynamo.get(_table(), dynamo.key(pk=workspace_pk(workspace_id), sk=USER_PREFIX + user_id))
    return _strip(item) if item else None


def put(workspace_id: str, member: dict[str, Any]) -> None:
    put_user(workspace_id, member)


def update(workspace_id: str, user_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """SET `changes` (None values REMOVE the attribute) on a current member; their new item, or
    None when there is no such current member."""
    sets = {k: v for k, v in changes.items() if v is not None}
    removes = [k for k, v in changes.items() if v is None]
    names = {f"#f{i}": name for i, name in enumerate([*sets, *removes])}
    expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(sets)))
    if removes:
        expression += " REMOVE " + ", ".join(f"#f{len(sets) + i}" for i in range(len(removes)))
    return _conditional_update(
        workspace_id,
        user_id,
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=dynamo.to_item({f":v{i}": v for i, v in enumerate(sets.values())}),
    )


def mark_removed(workspace_id: str, user_id: str, removed_at: int) -> dict[str, Any] | None:
    """Take a current member off the team; their item, or None when there is no such member."""
    return _conditional_update(
        workspace_id,
        user_id,
        UpdateExpression="SET removedAt = :t, updatedAt = :t",
        ExpressionAttributeValues={":t": {"N": str(removed_at)}},
    )


def _conditional_update(workspace_id: str, user_id: str, **update: Any) -> dict[str, Any] | None:
    try:
        response = dynamodb().update_item(
            TableName=_table(),
            Key=dynamo.key(pk=workspace_pk(workspace_id), sk=USER_PREFIX + user_id),
            ConditionExpression=f"attribute_exists(pk) AND {_CURRENT}",
            ReturnValues="ALL_NEW",
            **update,
        )
    except ClientError as error:
        if dynamo.is_condition_failure(error):
            return None
        raise
    return _strip(dynamo.from_item(response["Attributes"]))
