"""Meeting notes in the entities table: one partition per project, newest first.

  note  pk WS#<ws>#P#<projectId>#NOTE   sk <createdAt, 13 digits>#<noteId>

| request                          | operations             | key condition (N = WS#<ws>#P#<proj>#NOTE) |
|----------------------------------|------------------------|-------------------------------------------|
| GET /projects/{projectId}/notes  | COUNT Query, Query (1) | pk = N                                    |
| POST /projects/{projectId}/notes | PutItem (2)            | pk = N, sk = <createdAt>#<id>             |

(1) newest first (ScanIndexForward false).
(2) condition attribute_not_exists(pk).
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec


def _query(workspace_id: str, project_id: str) -> dict[str, Any]:
    return {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": f"{workspace_pk(workspace_id)}#P#{project_id}#NOTE"}},
    }


def create(workspace_id: str, note: dict[str, Any]) -> bool:
    """Store a new note; False when its key is taken."""
    item = {
        **note,
        "pk": f"{workspace_pk(workspace_id)}#P#{note['project_id']}#NOTE",
        "sk": f"{note['createdAt']:013d}#{note['id']}",
    }
    return dynamo.put_new(dynamo.table("entities"), item, key_attribute="pk")


def page(workspace_id: str, project_id: str, spec: PageSpec) -> dynamo.Page:
    """A page of the project's notes, newest first."""
    return dynamo.query_page(
        dynamo.table("entities"),
        spec,
        dynamo.TABLE_KEYS,
        ScanIndexForward=False,
        **_query(workspace_id, project_id),
    ).without_keys()


def count(workspace_id: str, project_id: str) -> int:
    return dynamo.count(dynamo.table("entities"), **_query(workspace_id, project_id))
