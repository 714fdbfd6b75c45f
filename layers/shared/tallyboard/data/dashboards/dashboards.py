"""Dashboards and their widgets in the entities table. A dashboard and its widgets share one
partition, so a dashboard with every widget is one Query; the project's dashboard list is
one Query on gsi1 (widget items carry no gsi1 attributes, so the index stays sparse).

  dashboard  pk WS#<ws>#DASH#<dashId>   sk DASHBOARD
             gsi1pk WS#<ws>#P#<projectId>#DASH   gsi1sk <createdAt, 13 digits>#<dashId>
  widget     pk WS#<ws>#DASH#<dashId>   sk WIDGET#<widgetId>

| request                       | operations                  | key condition (D = WS#<ws>#DASH#<dashId>) |
|-------------------------------|-----------------------------|-------------------------------------------|
| GET /dashboards               | Query gsi1 (1)              | gsi1pk = WS#<ws>#P#<proj>#DASH            |
| POST /dashboards              | PutItem (2)                 | pk = D, sk = DASHBOARD                    |
| GET /dashboards/{id}          | Query                       | pk = D (dashboard + widgets)              |
| POST /dashboards/{id}/widgets | GetItem, TransactWrite (3)  | pk = D, sk = DASHBOARD                    |
| PATCH …/widgets/{wid}         | BatchGet, TransactWrite (3) | pk = D, sk = DASHBOARD, WIDGET#<wid>      |
| DELETE …/widgets/{wid}        | BatchGet, Query, TWrite (3) | pk = D, sk = DASHBOARD, WIDGET#<wid>      |

(1) oldest first (gsi1sk); filter `deleted = false AND unlisted = false`.
(2) condition attribute_not_exists(pk).
(3) the widget item (sk WIDGET#<wid>) and the dashboard item, in one transaction.

Widget writes are one transaction with the dashboard item: it bumps `updatedAt`, keeps
`widgetCount` (the bound on widgets per dashboard) and fails if the dashboard was deleted.
Adding and removing widgets also keeps the dashboard's tile order (`tileOrder`, `tilesVersion`):
those writes, and the other tile operations (docs/api.md), are in tiles.py.
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec

DASHBOARD_SK = "DASHBOARD"
WIDGET_PREFIX = "WIDGET#"


def dashboard_pk(workspace_id: str, dashboard_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#DASH#{dashboard_id}"


def project_dashboards_pk(workspace_id: str, project_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#P#{project_id}#DASH"


def dashboard_key(workspace_id: str, dashboard_id: str) -> dict[str, Any]:
    return dynamo.key(pk=dashboard_pk(workspace_id, dashboard_id), sk=DASHBOARD_SK)


def widget_key(workspace_id: str, dashboard_id: str, widget_id: str) -> dict[str, Any]:
    return dynamo.key(pk=dashboard_pk(workspace_id, dashboard_id), sk=WIDGET_PREFIX + widget_id)


def dashboard_item(workspace_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """A dashboard record as its item (keys and list index)."""
    return {
        **record,
        "kind": "dashboard",
        "pk": dashboard_pk(workspace_id, record["id"]),
        "sk": DASHBOARD_SK,
        "gsi1pk": project_dashboards_pk(workspace_id, record["projectId"]),
        "gsi1sk": f"{record['createdAt']:013d}#{record['id']}",
    }


def put_dashboard(workspace_id: str, record: dict[str, Any]) -> bool:
    """Store a new dashboard; False when the id is already taken in this workspace."""
    return dynamo.put_new(dynamo.table("entities"), dashboard_item(workspace_id, record), key_attribute="pk")


def _listed_query(workspace_id: str, project_id: str) -> dict[str, Any]:
    return {
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "FilterExpression": "deleted = :no AND unlisted = :no",
        "ExpressionAttributeValues": {
            ":p": {"S": project_dashboards_pk(workspace_id, project_id)},
            ":no": {"BOOL": False},
        },
    }


def list_for_project(workspace_id: str, project_id: str) -> list[dict[str, Any]]:
    """The project's listed dashboards (not deleted, not unlisted), oldest first."""
    return [
        dynamo.without_keys(item)
        for item in dynamo.query(dynamo.table("entities"), **_listed_query(workspace_id, project_id))
    ]


def page(workspace_id: str, project_id: str, spec: PageSpec) -> tuple[dynamo.Page, int]:
    """A page of the project's listed dashboards, oldest first, and how many there are."""
    query = _listed_query(workspace_id, project_id)
    total = dynamo.count(dynamo.table("entities"), **query)
    found = dynamo.query_page(dynamo.table("entities"), spec, **query)
    return found.without_keys(), total


def get_with_widgets(
    workspace_id: str, dashboard_id: str, consistent: bool = False
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The dashboard item and its widget items, in one Query (`consistent` for a read that a
    conditional write will check: tile order and version)."""
    dashboard: dict[str, Any] | None = None
    widgets: list[dict[str, Any]] = []
    items = dynamo.query(
        dynamo.table("entities"),
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": dashboard_pk(workspace_id, dashboard_id)}},
        ConsistentRead=consistent,
    )
    for item in items:
        if item["sk"] == DASHBOARD_SK:
            dashboard = dynamo.without_keys(item)
        elif item["sk"].startswith(WIDGET_PREFIX):
            widgets.append(dynamo.without_keys(item))
    return dashboard, widgets


def get_dashboard(workspace_id: str, dashboard_id: str) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("entities"), dashboard_key(workspace_id, dashboard_id), consistent=True)
    return dynamo.without_keys(item) if item else None


def get_dashboard_and_widget(
    workspace_id: str, dashboard_id: str, widget_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    items = dynamo.batch_get(
        dynamo.table("entities"),
        [dashboard_key(workspace_id, dashboard_id), widget_key(workspace_id, dashboard_id, widget_id)],
    )
    by_sk = {item["sk"]: dynamo.without_keys(item) for item in items}
    return by_sk.get(DASHBOARD_SK), by_sk.get(WIDGET_PREFIX + widget_id)


# ---------------------------------------------------------------------------- items of writes


def live(expression: Expression) -> Expression:
    """The dashboard exists and is not soft-deleted."""
    return expression.condition("attribute_exists(pk) AND {d} = {no}", d="#deleted", no=False)


def dashboard_put(workspace_id: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": dynamo.to_item(dashboard_item(workspace_id, record)),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def widget_put(workspace_id: str, widget: dict[str, Any]) -> dict[str, Any]:
    item = {
        **widget,
        "kind": "widget",
        "pk": dashboard_pk(workspace_id, widget["dashboardId"]),
        "sk": WIDGET_PREFIX + widget["id"],
    }
    return {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def widget_delete(workspace_id: str, dashboard_id: str, widget_id: str) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": dynamo.table("entities"),
            "Key": widget_key(workspace_id, dashboard_id, widget_id),
            "ConditionExpression": "attribute_exists(pk)",
        }
    }


def get_dashboards(workspace_id: str, dashboard_ids: list[str]) -> list[dict[str, Any]]:
    """The dashboard items that exist among these ids (BatchGetItem, consistent)."""
    keys = [dashboard_key(workspace_id, i) for i in dict.fromkeys(dashboard_ids)]
    items = dynamo.batch_get(dynamo.table("entities"), keys, consistent=True) if keys else []
    return [dynamo.without_keys(item) for item in items]
