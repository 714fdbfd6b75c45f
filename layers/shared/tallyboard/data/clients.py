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

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec

CLIENT_PREFIX = "CLIENT#"


def clients_pk(workspace_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#CLIENTS"


def _key(workspace_id: str, client_id: str) -> dict[str, Any]:
    return dynamo.key(pk=clients_pk(workspace_id), sk=CLIENT_PREFIX + client_id)


def put(workspace_id: str, record: dict[str, Any]) -> bool:
    """Store a new client; False when the id is taken."""
    item = {**record, "kind": "client", "pk": clients_pk(workspace_id), "sk": CLIENT_PREFIX + record["id"]}
    return dynamo.put_new(dynamo.table("entities"), item, key_attribute="pk")


def get(workspace_id: str, client_id: str) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("entities"), _key(workspace_id, client_id), consistent=True)
    return dynamo.without_keys(item) if item else None


def page(workspace_id: str, spec: PageSpec) -> tuple[dynamo.Page, int]:
    """A page of the workspace's clients, newest first, and how many there are."""
    query: dict[str, Any] = {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": clients_pk(workspace_id)}},
        "ConsistentRead": True,
    }
    total = dynamo.count(dynamo.table("entities"), **query)
    found = dynamo.query_page(
        dynamo.table("entities"), spec, dynamo.TABLE_KEYS, ScanIndexForward=False, **query
    )
    return found.without_keys(), total


def set_team(
    workspace_id: str, client_id: str, user_ids: list[str], updated_at: int
) -> dict[str, Any] | None:
    """Replace the client's team; the client as stored after, or None when there is no such client."""
    expression = Expression().set("teamUserIds", user_ids).set("updatedAt", updated_at)
    update = expression.condition("attribute_exists(pk)").update(
        dynamo.table("entities"), _key(workspace_id, client_id)
    )
    client = dynamo.update_if(**update, ReturnValues="ALL_NEW")
    return dynamo.without_keys(client) if client is not None else None
