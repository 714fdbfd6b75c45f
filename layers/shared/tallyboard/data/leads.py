"""Leads in the entities table: one partition per workspace, sorted by lead id. Lead ids are
time-ordered (ids.new_sorted_id), so the partition lists leads in creation order with no index;
a lead linked to a project is also in the project's gsi1 partition, which the campaign figures
read.

  lead  pk WS#<ws>#LEADS   sk LEAD#<leadId>
        gsi1pk WS#<ws>#P#<projectId>#LEADS   gsi1sk LEAD#<leadId>   (only while linked to a project)
        repKey: rep case-folded (the `rep` filter is case-insensitive)

| request                      | operations             | key condition                         |
|------------------------------|------------------------|---------------------------------------|
| GET /leads                   | Query (1), COUNT Query | pk = WS#<ws>#LEADS                    |
| POST /leads                  | PutItem (2)            | pk = WS#<ws>#LEADS, sk = LEAD#<id>    |
| GET /leads/{leadId}          | GetItem                | pk = WS#<ws>#LEADS, sk = LEAD#<id>    |
| PATCH /leads/{leadId}        | UpdateItem (3)         | pk = WS#<ws>#LEADS, sk = LEAD#<id>    |
| DELETE /leads/{leadId}       | DeleteItem (3)         | pk = WS#<ws>#LEADS, sk = LEAD#<id>    |
| GET /projects/{id}/metrics   | Query gsi1 (4)         | gsi1pk = WS#<ws>#P#<projectId>#LEADS  |

(1) newest first, consistent read; filters `status = :s` and `repKey = :r` as a FilterExpression.
(2) condition attribute_not_exists(pk).
(3) condition attribute_exists(pk); PATCH returns the item as stored after (ALL_NEW).
(4) every page: only status and value are read (ProjectionExpression).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec

LEAD_PREFIX = "LEAD#"
_HIDDEN = ("pk", "sk", "gsi1pk", "gsi1sk", "repKey", "kind")


def leads_pk(workspace_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#LEADS"


def project_leads_pk(workspace_id: str, project_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#P#{project_id}#LEADS"


def _key(workspace_id: str, lead_id: str) -> dict[str, Any]:
    return dynamo.key(pk=leads_pk(workspace_id), sk=LEAD_PREFIX + lead_id)


def _derived(workspace_id: str, lead_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The index and filter attributes that follow from `fields` (None: remove the attribute)."""
    derived: dict[str, Any] = {}
    if "projectId" in fields:
        linked = fields["projectId"]
        derived["gsi1pk"] = project_leads_pk(workspace_id, linked) if linked else None
        derived["gsi1sk"] = LEAD_PREFIX + lead_id if linked else None
    if "rep" in fields:
        derived["repKey"] = fields["rep"].casefold() if fields["rep"] else None
    return derived


def put(workspace_id: str, record: dict[str, Any]) -> bool:
    """Store a new lead; False when the id is taken."""
    item = {
        **record,
        **_derived(workspace_id, record["id"], record),
        "kind": "lead",
        "pk": leads_pk(workspace_id),
        "sk": LEAD_PREFIX + record["id"],
    }
    return dynamo.put_new(dynamo.table("entities"), item, key_attribute="pk")


def get(workspace_id: str, lead_id: str) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("entities"), _key(workspace_id, lead_id), consistent=True)
    return dynamo.without_keys(item, _HIDDEN) if item else None


def page(workspace_id: str, spec: PageSpec, status: str | None, rep: str | None) -> tuple[dynamo.Page, int]:
    """A page of the workspace's leads, newest first, optionally of one status and one rep (any
    case), and how many there are."""
    query: dict[str, Any] = {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": leads_pk(workspace_id)}},
        "ConsistentRead": True,
    }
    filters = []
    if status:
        filters.append("#status = :status")
        query["ExpressionAttributeNames"] = {"#status": "status"}
        query["ExpressionAttributeValues"][":status"] = {"S": status}
    if rep:
        filters.append("repKey = :rep")
        query["ExpressionAttributeValues"][":rep"] = {"S": rep.casefold()}
    if filters:
        query["FilterExpression"] = " AND ".join(filters)
    total = dynamo.count(dynamo.table("entities"), **query)
    found = dynamo.query_page(
        dynamo.table("entities"), spec, dynamo.TABLE_KEYS, ScanIndexForward=False, **query
    )
    return found.without_keys(_HIDDEN), total


def update(workspace_id: str, lead_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Apply `changes` (None removes an attribute); the lead as stored after, or None when there
    is no such lead."""
    expression = Expression().condition("attribute_exists(pk)")
    for name, value in {**changes, **_derived(workspace_id, lead_id, changes)}.items():
        expression.set(name, value)
    lead = dynamo.update_if(
        **expression.update(dynamo.table("entities"), _key(workspace_id, lead_id)), ReturnValues="ALL_NEW"
    )
    return dynamo.without_keys(lead, _HIDDEN) if lead is not None else None


def delete(workspace_id: str, lead_id: str) -> bool:
    """Remove the lead; False when there is no such lead."""
    return dynamo.delete_if(
        TableName=dynamo.table("entities"),
        Key=_key(workspace_id, lead_id),
        ConditionExpression="attribute_exists(pk)",
    )


def iter_project_leads(workspace_id: str, project_id: str) -> Iterator[dict[str, Any]]:
    """Status and value of every lead linked to the project, one Query page at a time."""
    yield from dynamo.query(
        dynamo.table("entities"),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :p",
        ProjectionExpression="#status, #value",
        ExpressionAttributeNames={"#status": "status", "#value": "value"},
        ExpressionAttributeValues={":p": {"S": project_leads_pk(workspace_id, project_id)}},
    )
