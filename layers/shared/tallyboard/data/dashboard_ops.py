"""Writes of the dashboard operations (docs/api.md), each one DynamoDB transaction or conditional
write on the items of data/dashboards.py, plus the unlisted-dashboard lock.

  dashboard  pk WS#<ws>#DASH#<dashId>   sk DASHBOARD   tileOrder [widget ids], tilesVersion
  widget     pk WS#<ws>#DASH#<dashId>   sk WIDGET#<widgetId>
  lock       pk WS#<ws>#P#<proj>#UNLISTED   sk TAG#<tag, lower case>   dashboardId

A dashboard's tile order is its `tileOrder` list; every change of its set of tiles bumps
`tilesVersion`, and writes that replace the list are conditional on the version they read
(optimistic: a concurrent change cancels them, and the caller retries or answers 409).

| request                          | operations                         | items                           |
|----------------------------------|------------------------------------|---------------------------------|
| PATCH /dashboards/{id}           | Query, UpdateItem or Transact (1)  | dashboard (+ old and new theme) |
| POST …/copy_tile                 | Query, BatchGet, TransactWrite (2) | new widget, target dashboard    |
| PATCH …/move_tile                | Query, Query, TransactWrite (3)    | widget out and in, dashboards   |
| POST …/reorder_tiles             | Query, UpdateItem                  | dashboard (tilesVersion)        |
| POST …/bulk_update_tags          | BatchGet, TransactWrite (4)        | every dashboard named           |
| POST …/create_from_template_json | TransactWrite                      | dashboard + tiles               |
| POST …/create_unlisted_dashboard | TransactWrite (5)                  | lock + dashboard + tiles        |

(1) a transaction when `data_color_theme_id` changes: the dashboard (conditional on the theme it
had), usageCount +1 on the new theme (which must exist in the dashboard's project), -1 on the
old one. (2) Put widget + target dashboard (not deleted, room for one more, order appended).
(3) Delete + Put of the widget under its new dashboard, source (version) and target (room)
dashboards: the tile is never on both or neither. (4) all-or-nothing, each conditional on the
tags it read. (5) the lock's attribute_not_exists(pk) makes a second dashboard for the tag in the
same project fail, whatever the concurrency. The lock is per project (the document's "team"):
a workspace-wide lock let a key of one project learn of another project's dashboard.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.dashboards import DASHBOARD_SK, WIDGET_PREFIX, dashboard_item, dashboard_pk
from tallyboard.data.dynamo import transact
from tallyboard.data.entities import workspace_pk
from tallyboard.settings import get_settings

UNLISTED_SK_PREFIX = "TAG#"
_KEY_ATTRIBUTES = ("pk", "sk", "gsi1pk", "gsi1sk")


def _table() -> str:
    return get_settings().entities_table


def dashboard_key(workspace_id: str, dashboard_id: str) -> dict[str, Any]:
    return dynamo.key(pk=dashboard_pk(workspace_id, dashboard_id), sk=DASHBOARD_SK)


def widget_key(workspace_id: str, dashboard_id: str, widget_id: str) -> dict[str, Any]:
    return dynamo.key(pk=dashboard_pk(workspace_id, dashboard_id), sk=WIDGET_PREFIX + widget_id)


def unlisted_lock_key(workspace_id: str, project_id: str, tag: str) -> dict[str, Any]:
    return dynamo.key(
        pk=f"{workspace_pk(workspace_id)}#P#{project_id}#UNLISTED", sk=UNLISTED_SK_PREFIX + tag.lower()
    )


class Expression:
    """An UpdateExpression with its condition, names and values, built clause by clause."""

    def __init__(self) -> None:
        self.sets: list[str] = []
        self.adds: list[str] = []
        self.removes: list[str] = []
        self.conditions: list[str] = []
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def set(self, attribute: str, value: Any) -> Expression:
        if value is None:
            self.removes.append(self.name(attribute))
        else:
            self.sets.append(f"{self.name(attribute)} = {self.value(value)}")
        return self

    def add(self, attribute: str, amount: int) -> Expression:
        self.adds.append(f"{self.name(attribute)} {self.value(amount)}")
        return self

    def append(self, attribute: str, items: list[Any]) -> Expression:
        name = self.name(attribute)
        self.sets.append(
            f"{name} = list_append(if_not_exists({name}, {self.value([])}), {self.value(items)})"
        )
        return self

    def condition(self, text: str, **values: Any) -> Expression:
        """`text` with {name} placeholders for attribute names and :{value} for values."""
        mapping = {}
        for key, value in values.items():
            mapping[key] = self.name(value[1:]) if isinstance(value, str) and value.startswith("#") else None
            if mapping[key] is None:
                mapping[key] = self.value(value)
        self.conditions.append(text.format(**mapping))
        return self

    def equals_or_absent(self, attribute: str, value: Any) -> Expression:
        name = self.name(attribute)
        if value is None:
            self.conditions.append(f"attribute_not_exists({name})")
        else:
            self.conditions.append(f"{name} = {self.value(value)}")
        return self

    def update(self, key: dict[str, Any]) -> dict[str, Any]:
        clauses = []
        if self.sets:
            clauses.append("SET " + ", ".join(self.sets))
        if self.removes:
            clauses.append("REMOVE " + ", ".join(self.removes))
        if self.adds:
            clauses.append("ADD " + ", ".join(self.adds))
        update: dict[str, Any] = {"TableName": _table(), "Key": key, "UpdateExpression": " ".join(clauses)}
        if self.conditions:
            update["ConditionExpression"] = " AND ".join(f"({c})" for c in self.conditions)
        if self.names:
            update["ExpressionAttributeNames"] = self.names
        if self.values:
            update["ExpressionAttributeValues"] = dynamo.to_item(self.values)
        return update


def _live(expression: Expression) -> Expression:
    """The dashboard exists and is not soft-deleted."""
    return expression.condition("attribute_exists(pk) AND {d} = {no}", d="#deleted", no=False)


def tiles_touch(
    workspace_id: str,
    dashboard_id: str,
    updated_at: int,
    *,
    appended: list[str] | None = None,
    order: list[str] | None = None,
    version: int | None = None,
    removed: int = 0,
    max_tiles: int | None = None,
) -> dict[str, Any]:
    """The dashboard's side of a change of its tiles: updatedAt, widgetCount, tilesVersion, and
    the order (appended ids, or a whole new order conditional on the version read)."""
    expression = _live(Expression()).set("updatedAt", updated_at).add("tilesVersion", 1)
    added = len(appended or [])
    if added - removed:
        expression.add("widgetCount", added - removed)
    if appended:
        expression.append("tileOrder", appended)
        if max_tiles is not None:
            expression.condition(
                "attribute_not_exists({c}) OR {c} <= {room}", c="#widgetCount", room=max_tiles - added
            )
    if order is not None:
        expression.set("tileOrder", order)
        expression.equals_or_absent("tilesVersion", version)
    return {"Update": expression.update(dashboard_key(workspace_id, dashboard_id))}


def widget_put(workspace_id: str, widget: dict[str, Any]) -> dict[str, Any]:
    item = {
        **widget,
        "kind": "widget",
        "pk": dashboard_pk(workspace_id, widget["dashboardId"]),
        "sk": WIDGET_PREFIX + widget["id"],
    }
    return {
        "Put": {
            "TableName": _table(),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def widget_delete(workspace_id: str, dashboard_id: str, widget_id: str) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": _table(),
            "Key": widget_key(workspace_id, dashboard_id, widget_id),
            "ConditionExpression": "attribute_exists(pk)",
        }
    }


def dashboard_put(workspace_id: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": _table(),
            "Item": dynamo.to_item(dashboard_item(workspace_id, record)),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def lock_put(
    workspace_id: str, project_id: str, tag: str, dashboard_id: str, created_at: int
) -> dict[str, Any]:
    item = {
        **unlisted_lock_key(workspace_id, project_id, tag),
        "kind": {"S": "unlisted-lock"},
        "tag": {"S": tag},
        "dashboardId": {"S": dashboard_id},
        "createdAt": {"N": str(created_at)},
    }
    return {"Put": {"TableName": _table(), "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}


def get_dashboards(workspace_id: str, dashboard_ids: list[str]) -> list[dict[str, Any]]:
    """The dashboard items that exist among these ids (BatchGetItem, consistent)."""
    keys = [dashboard_key(workspace_id, i) for i in dict.fromkeys(dashboard_ids)]
    items = dynamo.batch_get(_table(), keys, consistent=True) if keys else []
    return [{k: v for k, v in item.items() if k not in _KEY_ATTRIBUTES} for item in items]


def unlisted_lock(workspace_id: str, project_id: str, tag: str) -> dict[str, Any] | None:
    return dynamo.get(_table(), unlisted_lock_key(workspace_id, project_id, tag), consistent=True)


# ---------------------------------------------------------------------------- dashboard updates


def update_dashboard(
    workspace_id: str,
    dashboard_id: str,
    changes: dict[str, Any],
    *,
    was_deleted: bool,
    theme_change: tuple[str, str | None, str | None] | None = None,
    clear_tiles: bool = False,
) -> list[str] | None:
    """Set `changes` (None values remove the attribute) on a dashboard whose `deleted` flag is
    still what was read. theme_change = (project, old theme, new theme) also moves the themes'
    usage counts, in the same transaction. None when it committed, else the cancellation codes
    (item 0 the dashboard, then the new theme, then the old)."""
    expression = Expression().condition("attribute_exists(pk)")
    expression.condition("{d} = {v}", d="#deleted", v=was_deleted)
    for name, value in changes.items():
        expression.set(name, value)
    if clear_tiles:
        expression.set("widgetCount", 0).set("tileOrder", []).add("tilesVersion", 1)
    items = []
    if theme_change is not None:
        from tallyboard.data import themes

        project_id, old, new = theme_change
        expression.equals_or_absent("data_color_theme_id", old)
        if new is not None:
            items.append({"Update": themes.usage_update(workspace_id, project_id, new, 1)})
        if old is not None:
            items.append({"Update": themes.usage_update(workspace_id, project_id, old, -1)})
    items.insert(0, {"Update": expression.update(dashboard_key(workspace_id, dashboard_id))})
    if len(items) == 1:
        try:
            dynamodb().update_item(**items[0]["Update"])
        except ClientError as error:
            if dynamo.is_condition_failure(error):
                return ["ConditionalCheckFailed"]
            raise
        return None
    return transact(items)


def delete_widgets(workspace_id: str, dashboard_id: str, widget_ids: list[str]) -> None:
    """Remove widget items (of a dashboard already soft-deleted with delete_insights)."""
    for start in range(0, len(widget_ids), 25):
        pending: dict[str, Any] = {
            _table(): [
                {"DeleteRequest": {"Key": widget_key(workspace_id, dashboard_id, widget_id)}}
                for widget_id in widget_ids[start : start + 25]
            ]
        }
        while pending:
            pending = dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


# ---------------------------------------------------------------------------- tiles


def add_tile(workspace_id: str, widget: dict[str, Any], max_tiles: int) -> list[str] | None:
    """A new tile at the end of its dashboard's order (copy_tile)."""
    touch = tiles_touch(
        workspace_id, widget["dashboardId"], widget["createdAt"], appended=[widget["id"]], max_tiles=max_tiles
    )
    return transact([widget_put(workspace_id, widget), touch])


def move_tile(
    workspace_id: str,
    widget: dict[str, Any],
    from_dashboard: str,
    source_order: list[str],
    source_version: int | None,
    max_tiles: int,
) -> list[str] | None:
    """The widget leaves `from_dashboard` and lands on widget["dashboardId"], atomically.
    Cancellation codes: [old widget, new widget, source dashboard, target dashboard]."""
    at = widget["updatedAt"]
    return transact(
        [
            widget_delete(workspace_id, from_dashboard, widget["id"]),
            widget_put(workspace_id, widget),
            tiles_touch(
                workspace_id, from_dashboard, at, order=source_order, version=source_version, removed=1
            ),
            tiles_touch(
                workspace_id, widget["dashboardId"], at, appended=[widget["id"]], max_tiles=max_tiles
            ),
        ]
    )


def reorder_tiles(
    workspace_id: str, dashboard_id: str, order: list[str], version: int | None, updated_at: int
) -> bool:
    """Replace the tile order if the tiles are still those read (tilesVersion); False otherwise."""
    update = tiles_touch(workspace_id, dashboard_id, updated_at, order=order, version=version)["Update"]
    try:
        dynamodb().update_item(**update)
    except ClientError as error:
        if dynamo.is_condition_failure(error):
            return False
        raise
    return True


def remove_tile(
    workspace_id: str,
    dashboard_id: str,
    widget_id: str,
    order: list[str],
    version: int | None,
    updated_at: int,
) -> list[str] | None:
    """Delete a widget and drop it from the order. Codes: [widget, dashboard]."""
    return transact(
        [
            widget_delete(workspace_id, dashboard_id, widget_id),
            tiles_touch(workspace_id, dashboard_id, updated_at, order=order, version=version, removed=1),
        ]
    )


# ---------------------------------------------------------------------------- tags, creation


def set_tags(
    workspace_id: str, updates: list[tuple[str, list[str] | None, list[str]]], updated_at: int
) -> bool:
    """All-or-nothing: each (dashboard, tags read, new tags), conditional on the tags read and on
    the dashboard being live. False when any changed or went away meanwhile."""
    items = []
    for dashboard_id, old, new in updates:
        expression = _live(Expression()).set("tags", new).set("updatedAt", updated_at)
        expression.equals_or_absent("tags", old)
        items.append({"Update": expression.update(dashboard_key(workspace_id, dashboard_id))})
    return transact(items) is None


def create_with_tiles(
    workspace_id: str, record: dict[str, Any], widgets: list[dict[str, Any]], lock_tag: str | None = None
) -> list[str] | None:
    """A new dashboard and its tiles in one transaction; with lock_tag, its project's
    unlisted lock for that tag first (codes: [lock, dashboard, tiles…])."""
    items = [dashboard_put(workspace_id, record)] + [widget_put(workspace_id, w) for w in widgets]
    if lock_tag is not None:
        items.insert(
            0, lock_put(workspace_id, record["projectId"], lock_tag, record["id"], record["createdAt"])
        )
    return transact(items)
