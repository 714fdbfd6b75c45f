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

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec
from tallyboard.settings import get_settings

PROJECT_PREFIX = "PROJECT#"
SLUG_PREFIX = "SLUG#PROJECT#"
KEY_NAMES = ("pk", "sk", "gsi1pk", "gsi1sk")
# What a write that lost reports: the slug is another project's, or the project changed meanwhile.
SLUG_TAKEN, CHANGED = "slug_taken", "changed"


def _table() -> str:
    return get_settings().entities_table


def client_projects_pk(workspace_id: str, client_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#CLIENT#{client_id}#PROJ"


def _project_key(workspace_id: str, project_id: str) -> dict[str, Any]:
    return dynamo.key(pk=workspace_pk(workspace_id), sk=PROJECT_PREFIX + project_id)


def _slug_key(workspace_id: str, slug: str) -> dict[str, Any]:
    return dynamo.key(pk=workspace_pk(workspace_id), sk=SLUG_PREFIX + slug)


def _strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in KEY_NAMES}


def _client_index(workspace_id: str, client_id: str, created_at: int, project_id: str) -> dict[str, str]:
    return {
        "gsi1pk": client_projects_pk(workspace_id, client_id),
        "gsi1sk": f"{created_at:013d}#{project_id}",
    }


def _claim(workspace_id: str, slug: str, project_id: str) -> dict[str, Any]:
    item = {**_slug_key(workspace_id, slug), **dynamo.to_item({"projectId": project_id, "kind": "slug"})}
    return {"Put": {"TableName": _table(), "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}


def _transact(items: list[dict[str, Any]]) -> set[int] | None:
    """None when committed; else the indexes of the items whose condition failed."""
    try:
        dynamodb().transact_write_items(TransactItems=items)
    except ClientError as error:
        if not dynamo.is_condition_failure(error):
            raise
        reasons = error.response.get("CancellationReasons") or []
        return {i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"}
    return None


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
            "TableName": _table(),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    failed = _transact([put, _claim(workspace_id, record["slug"], record["id"])])
    if failed is None:
        return None
    return SLUG_TAKEN if 1 in failed else CHANGED


def get(workspace_id: str, project_id: str, consistent: bool = False) -> dict[str, Any] | None:
    item = dynamo.get(_table(), _project_key(workspace_id, project_id), consistent=consistent)
    return _strip_keys(item) if item else None


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
    total = dynamo.count(_table(), **query)
    found = dynamo.query_page(_table(), spec.limit, KEY_NAMES, spec.start_key, spec.skip, **query)
    return dynamo.Page([_strip_keys(i) for i in found.items], found.next_key), total


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
    total = dynamo.count(_table(), **query)
    found = dynamo.query_page(
        _table(), spec.limit, KEY_NAMES, spec.start_key, spec.skip, ScanIndexForward=False, **query
    )
    return dynamo.Page([_strip_keys(i) for i in found.items], found.next_key), total


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
    fields = {k: v for k, v in changes.items() if v is not None}
    removed = [k for k, v in changes.items() if v is None]
    if "clientId" in changes:
        if changes["clientId"]:
            fields.update(
                _client_index(workspace_id, changes["clientId"], project.get("createdAt", 0), project_id)
            )
        else:
            removed += ["gsi1pk", "gsi1sk"]
    names = {f"#f{i}": name for i, name in enumerate([*fields, *removed])}
    by_name = {name: alias for alias, name in names.items()}
    values = dynamo.to_item({f":v{i}": value for i, value in enumerate(fields.values())})
    expression = "SET " + ", ".join(
        [f"{by_name[k]} = :v{i}" for i, k in enumerate(fields)] + ["#ver = :next"]
    )
    if removed:
        expression += " REMOVE " + ", ".join(by_name[k] for k in removed)
    names["#ver"] = "version"
    version = project.get("version")
    values[":next"] = {"N": str((version or 0) + 1)}
    if version is None:
        condition = "attribute_exists(pk) AND attribute_not_exists(#ver)"
    else:
        condition = "#ver = :version"
        values[":version"] = {"N": str(version)}
    items: list[dict[str, Any]] = [
        {
            "Update": {
                "TableName": _table(),
                "Key": _project_key(workspace_id, project_id),
                "UpdateExpression": expression,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
    ]
    if new_slug:
        items.append(_claim(workspace_id, new_slug, project_id))
    release = (
        _release(workspace_id, project["slug"], project_id) if new_slug and project.get("slug") else None
    )
    failed = _transact([*items, release] if release else items)
    if failed and release and failed == {2}:
        # The old slug was never this project's (a project stored before slugs were claimed):
        # leave that claim alone.
        failed = _transact(items)
    if failed is None:
        return None
    return SLUG_TAKEN if 1 in failed and new_slug else CHANGED


def _release(workspace_id: str, slug: str, project_id: str) -> dict[str, Any]:
    """Delete this project's claim on `slug` (a claim that is not there is no obstacle)."""
    return {
        "Delete": {
            "TableName": _table(),
            "Key": _slug_key(workspace_id, slug),
            "ConditionExpression": "attribute_not_exists(pk) OR projectId = :id",
            "ExpressionAttributeValues": {":id": {"S": project_id}},
        }
    }
