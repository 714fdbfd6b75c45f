"""Connections in the entities table. Credentials are stored only as KMS ciphertext
(`credentialsCiphertext`, binary) and never read back on a request path: the list projects
the public attributes only.

  connection  pk WS#<ws>#CONN#<connId>   sk CONNECTION
              gsi1pk WS#<ws>#P#<projectId>#CONN   gsi1sk <createdAt, 13 digits>#<connId>

| request           | operation  | key condition                                               |
|-------------------|------------|-------------------------------------------------------------|
| GET  /connections | Query gsi1 | gsi1pk = WS#<ws>#P#<proj>#CONN (oldest first, by gsi1sk)    |
| POST /connections | PutItem    | pk = WS#<ws>#CONN#<id>, sk = CONNECTION (attribute_not_exists) |
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec

CONNECTION_SK = "CONNECTION"
PUBLIC_ATTRIBUTES = (
    "id",
    "projectId",
    "service",
    "serviceName",
    "category",
    "authType",
    "status",
    "accountInfo",
    "lastSyncedAt",
    "totalSyncsCompleted",
    "createdAt",
    "updatedAt",
)


def connection_pk(workspace_id: str, connection_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#CONN#{connection_id}"


def project_connections_pk(workspace_id: str, project_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#P#{project_id}#CONN"


def put(workspace_id: str, record: dict[str, Any], credentials_ciphertext: bytes) -> bool:
    """Store a new connection; False when the id is already taken in this workspace."""
    item = {
        **record,
        "kind": "connection",
        "credentialsCiphertext": credentials_ciphertext,
        "pk": connection_pk(workspace_id, record["id"]),
        "sk": CONNECTION_SK,
        "gsi1pk": project_connections_pk(workspace_id, record["projectId"]),
        "gsi1sk": f"{record['createdAt']:013d}#{record['id']}",
    }
    return dynamo.put_new(dynamo.table("entities"), item, key_attribute="pk")


def _project_query(workspace_id: str, project_id: str, projected: bool = True) -> dict[str, Any]:
    query: dict[str, Any] = {
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": {":p": {"S": project_connections_pk(workspace_id, project_id)}},
    }
    if projected:  # never the credentials' ciphertext
        names = {f"#a{i}": name for i, name in enumerate((*PUBLIC_ATTRIBUTES, *dynamo.KEY_NAMES))}
        query.update(ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
    return query


def list_for_project(workspace_id: str, project_id: str) -> list[dict[str, Any]]:
    """The project's connections, oldest first, without their credentials."""
    return [
        dynamo.without_keys(i)
        for i in dynamo.query(dynamo.table("entities"), **_project_query(workspace_id, project_id))
    ]


def page(workspace_id: str, project_id: str, spec: PageSpec) -> tuple[dynamo.Page, int]:
    """A page of the project's connections, oldest first, and how many there are."""
    query = _project_query(workspace_id, project_id)
    total = dynamo.count(
        dynamo.table("entities"), **_project_query(workspace_id, project_id, projected=False)
    )
    found = dynamo.query_page(dynamo.table("entities"), spec, **query)
    return found.without_keys(), total


def get_credentials_ciphertext(workspace_id: str, connection_id: str) -> bytes | None:
    """The stored ciphertext, for the sync workers that call the service (never for a response)."""
    response = dynamodb().get_item(
        TableName=dynamo.table("entities"),
        Key=dynamo.key(pk=connection_pk(workspace_id, connection_id), sk=CONNECTION_SK),
        ProjectionExpression="credentialsCiphertext",
        ConsistentRead=True,
    )
    item = response.get("Item")
    return item["credentialsCiphertext"]["B"] if item else None
