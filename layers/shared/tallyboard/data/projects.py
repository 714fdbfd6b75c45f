"""Projects in the entities table: the analytics project item (metrics, dashboards, exports hang
off its id) carries the agency fields too, and a claim item makes its slug unique in the
workspace. Project items keep camelCase attributes (clientId, startDate, …) like every item of
the analytics routes; the logic maps them to the agency's snake_case.

  project     pk WS#<ws>   sk PROJECT#<projectId>
              gsi1pk WS#<ws>#CLIENT#<clientId>#PROJ   gsi1sk <createdAt, 13 digits>#<projectId>
              (gsi1 only while linked to a client: the index stays sparse)
  slug claim  pk WS#<ws>   sk SLUG#PROJECT#<slug>     projectId

| request                       | operations                  | key condition                              |
|-------------------------------|-----------------------------|--------------------------------------------|
| GET /projects                 | Query (1), COUNT Query      | pk = WS#<ws> AND begins_with(sk, PROJECT#) |
| GET /projects?id=, …/{id}     | GetItem                     | pk = WS#<ws>, sk = PROJECT#<id>            |
| GET /clients/{id}/projects    | Query gsi1 (2), COUNT Query | gsi1pk = WS#<ws>#CLIENT#<clientId>#PROJ    |
| POST /clients/{id}/projects   | TransactWriteItems (3)      | project Put + slug claim Put               |
| PATCH, DELETE /projects/{id}  | GetItem, TransactWrite (4)  | project Update [+ claim Put, Delete]       |

(1) by project id (the order of the sort key, stable); `status <> archived`, and for a
    project-restricted key `id IN (<its projects>)`, as a FilterExpression.
(2) newest first; `status = <filter>` as a FilterExpression.
(3) both conditional on attribute_not_exists(pk): a taken slug cancels the transaction.
(4) the update is conditional on the version read (optimistic; `version` counts writes); a new
    slug is claimed and the old claim deleted in the same transaction.
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec

PROJECT_PREFIX = "PROJECT#"
SLUG_PREFIX = "SLUG#PROJECT#"
# What a write that lost reports: the slug is another project's, or the project changed meanwhile.
SLUG_TAKEN, CHANGED = "slug_taken", "changed"


def client_projects_pk(workspace_id: str, client_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#CLIENT#{client_id}#PROJ"


def _project_key(workspace_id: str, project_id: str) -> dict[str, Any]:
    return dynamo.key(pk=workspace_pk(workspace_id), sk=PROJECT_PREFIX + project_id)


def _slug_key(workspace_id: str, slug: str) -> dict[str, Any]:
    return dynamo.key(pk=workspace_pk(workspace_id), sk=SLUG_PREFIX + slug)


def _client_index(workspace_id: str, client_id: str, created_at: int, project_id: str) -> dict[str, str]:
    return {
        "gsi1pk": client_projects_pk(workspace_id, client_id),
        "gsi1sk": f"{created_at:013d}#{project_id}",
    }


def _claim(workspace_id: str, slug: str, project_id: str) -> dict[str, Any]:
    item = {**_slug_key(workspace_id, slug), **dynamo.to_item({"projectId": project_id, "kind": "slug"})}
    return {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": item,
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def create(workspace_id: str, record: dict[str, Any]) -> str | None:
    """Store a new project and claim its slug in one transaction; None when stored, SLUG_TAKEN
    when another project of the workspace has the slug."""
    item = {
        **record,
        "kind": "project",
        "pk": workspace_pk(workspace_id),
        "sk": PROJECT_PREFIX + record["id"],
    }
    if record.get("clientId"):
        item.update(_client_index(workspace_id, record["clientId"], record["createdAt"], record["id"]))
    put = {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    codes = dynamo.transact([put, _claim(workspace_id, record["slug"], record["id"])])
    if codes is None:
        return None
    return SLUG_TAKEN if 1 in dynamo.failed_conditions(codes) else CHANGED


def get(workspace_id: str, project_id: str, consistent: bool = False) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("entities"), _project_key(workspace_id, project_id), consistent=consistent)
    return dynamo.without_keys(item) if item else None


def _workspace_query(workspace_id: str, project_ids: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {
        ":pk": {"S": workspace_pk(workspace_id)},
        ":prefix": {"S": PROJECT_PREFIX},
        ":archived": {"S": "archived"},
    }
    condition = "(attribute_not_exists(#status) OR #status <> :archived)"
    if project_ids:
        names = [f":p{i}" for i in range(len(project_ids))]
        values.update({name: {"S": p} for name, p in zip(names, project_ids, strict=True)})
        condition += f" AND id IN ({', '.join(names)})"
    return {
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "FilterExpression": condition,
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": values,
    }


def page_listed(
    workspace_id: str, spec: PageSpec, project_ids: tuple[str, ...] = ()
) -> tuple[dynamo.Page, int]:
    """A page of the workspace's projects that are not archived (only `project_ids` when
    given), by project id, and how many there are."""
    query = _workspace_query(workspace_id, project_ids)
    total = dynamo.count(dynamo.table("entities"), **query)
    found = dynamo.query_page(dynamo.table("entities"), spec, **query)
    return found.without_keys(), total


def page_for_client(
    workspace_id: str, client_id: str, spec: PageSpec, status: str | None
) -> tuple[dynamo.Page, int]:
    """A page of a client's projects, newest first (optionally in one status), and how many."""
    query: dict[str, Any] = {
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": {":p": {"S": client_projects_pk(workspace_id, client_id)}},
    }
    if status:
        query["FilterExpression"] = "#status = :status"
        query["ExpressionAttributeNames"] = {"#status": "status"}
        query["ExpressionAttributeValues"][":status"] = {"S": status}
    total = dynamo.count(dynamo.table("entities"), **query)
    found = dynamo.query_page(dynamo.table("entities"), spec, ScanIndexForward=False, **query)
    return found.without_keys(), total


def update(
    workspace_id: str,
    project: dict[str, Any],
    changes: dict[str, Any],
    new_slug: str | None = None,
) -> str | None:
    """Apply `changes` (None removes an attribute) to the project as it was read, bumping its
    version; with `new_slug`, claim it and release the old one in the same transaction. None
    when committed, SLUG_TAKEN or CHANGED (another write came first) otherwise."""
    project_id = project["id"]
    fields = dict(changes)
    if "clientId" in changes:
        if changes["clientId"]:
            fields.update(
                _client_index(workspace_id, changes["clientId"], project.get("createdAt", 0), project_id)
            )
        else:
            fields.update(gsi1pk=None, gsi1sk=None)
    version = project.get("version")
    expression = Expression()
    for name, value in {**fields, "version": (version or 0) + 1}.items():
        expression.set(name, value)
    if version is None:
        expression.condition("attribute_exists(pk) AND attribute_not_exists({ver})", ver="#version")
    else:
        expression.condition("{ver} = {read}", ver="#version", read=version)
    items: list[dict[str, Any]] = [
        {"Update": expression.update(dynamo.table("entities"), _project_key(workspace_id, project_id))}
    ]
    if new_slug:
        items.append(_claim(workspace_id, new_slug, project_id))
    release = (
        _release(workspace_id, project["slug"], project_id) if new_slug and project.get("slug") else None
    )
    codes = dynamo.transact([*items, release])
    if codes is not None and release and dynamo.failed_conditions(codes) == {2}:
        # The old slug was never this project's (a project stored before slugs were claimed):
        # leave that claim alone.
        codes = dynamo.transact(items)
    if codes is None:
        return None
    return SLUG_TAKEN if 1 in dynamo.failed_conditions(codes) and new_slug else CHANGED


def _release(workspace_id: str, slug: str, project_id: str) -> dict[str, Any]:
    """Delete this project's claim on `slug` (a claim that is not there is no obstacle)."""
    return {
        "Delete": {
            "TableName": dynamo.table("entities"),
            "Key": _slug_key(workspace_id, slug),
            "ConditionExpression": "attribute_not_exists(pk) OR projectId = :id",
            "ExpressionAttributeValues": {":id": {"S": project_id}},
        }
    }
