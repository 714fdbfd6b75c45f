"""Clients in the entities table: one partition per workspace, sorted by client id. Client ids
are time-ordered (ids.new_sorted_id), so the partition lists clients in creation order with no
index, and reads are strongly consistent. The client's team is the list of user ids on the
client item; the users themselves are the workspace's USER# items (data/entities.py).

  client  pk WS#<ws>#CLIENTS   sk CLIENT#<clientId>   teamUserIds [<userId>, …]

C = pk WS#<ws>#CLIENTS, sk CLIENT#<clientId>; U = pk WS#<ws>, sk USER#<userId>

| request                    | operations                         | key condition           |
|----------------------------|------------------------------------|-------------------------|
| GET /clients               | Query (1), COUNT Query             | pk = WS#<ws>#CLIENTS    |
| POST /clients              | PutItem (2)                        | C                       |
| …/clients/{id}/projects    | GetItem, then data/projects.py     | C                       |
| GET /clients/{id}/team     | GetItem, BatchGetItem              | C; U for each member    |
| PUT /clients/{id}/team     | BatchGetItem, UpdateItem (3)       | U for each user id; C   |

(1) newest first (ScanIndexForward false), consistent read.
(2) condition attribute_not_exists(pk).
(3) condition attribute_exists(pk): sets teamUserIds and updatedAt.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec
from tallyboard.settings import get_settings

CLIENT_PREFIX = "CLIENT#"
KEY_NAMES = ("pk", "sk")


def _table() -> str:
    return get_settings().entities_table


def clients_pk(workspace_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#CLIENTS"


def _key(workspace_id: str, client_id: str) -> dict[str, Any]:
    return dynamo.key(pk=clients_pk(workspace_id), sk=CLIENT_PREFIX + client_id)


def _strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in KEY_NAMES}


def put(workspace_id: str, record: dict[str, Any]) -> bool:
    """Store a new client; False when the id is taken."""
    item = {**record, "kind": "client", "pk": clients_pk(workspace_id), "sk": CLIENT_PREFIX + record["id"]}
    return dynamo.put_new(_table(), item, key_attribute="pk")


def get(workspace_id: str, client_id: str) -> dict[str, Any] | None:
    item = dynamo.get(_table(), _key(workspace_id, client_id), consistent=True)
    return _strip_keys(item) if item else None


def page(workspace_id: str, spec: PageSpec) -> tuple[dynamo.Page, int]:
    """A page of the workspace's clients, newest first, and how many there are."""
    query: dict[str, Any] = {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": clients_pk(workspace_id)}},
        "ConsistentRead": True,
    }
    total = dynamo.count(_table(), **query)
    found = dynamo.query_page(
        _table(), spec.limit, KEY_NAMES, spec.start_key, spec.skip, ScanIndexForward=False, **query
    )
    return dynamo.Page([_strip_keys(i) for i in found.items], found.next_key), total


def set_team(
    workspace_id: str, client_id: str, user_ids: list[str], updated_at: int
) -> dict[str, Any] | None:
    """Replace the client's team; the client as stored after, or None when there is no such client."""
    try:
        response = dynamodb().update_item(
            TableName=_table(),
            Key=_key(workspace_id, client_id),
            UpdateExpression="SET teamUserIds = :team, updatedAt = :t",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=dynamo.to_item({":team": user_ids, ":t": updated_at}),
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if dynamo.is_condition_failure(error):
            return None
        raise
    return _strip_keys(dynamo.from_item(response["Attributes"]))
