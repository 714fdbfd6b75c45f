"""Time entries in the entities table: one partition per project, sorted by the day worked, so
the `from`/`to` filter is the key condition. Each entry also ADDs its hours to the project's stats
counters (data/project_stats.py) in the same transaction.

  entry  pk WS#<ws>#P#<projectId>#TIME   sk <date YYYY-MM-DD>#<createdAt, 13 digits>#<entryId>

| request                         | operations                  | key condition (T = WS#<ws>#P#<proj>#TIME) |
|---------------------------------|-----------------------------|-------------------------------------------|
| GET /projects/{projectId}/time  | COUNT Query, Query (1)      | pk = T AND sk BETWEEN <from># AND <to>#~  |
| POST /projects/{projectId}/time | TransactWrite: Put (2), (3) | pk = T, sk = <date>#<createdAt>#<id>      |

(1) newest day first, then newest entry first; filter `user_id` when asked.
(2) condition attribute_not_exists(pk).
(3) with the Update of the project's stats counters.
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo, project_stats
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec


def _pk(workspace_id: str, project_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#P#{project_id}#TIME"


def create(workspace_id: str, entry: dict[str, Any], counters: dict[str, int | float]) -> None:
    item = {
        **entry,
        "pk": _pk(workspace_id, entry["project_id"]),
        "sk": f"{entry['date']}#{entry['createdAt']:013d}#{entry['id']}",
    }
    put = {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": dynamo.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    cancelled = dynamo.transact([put, project_stats.adding(workspace_id, entry["project_id"], counters)])
    if cancelled is not None:  # a fresh random id, so a conflicting write: a 500, as ever
        raise RuntimeError(f"time entry {entry['id']} not stored: {cancelled}")


def _list_query(
    workspace_id: str, project_id: str, first_day: str | None, last_day: str | None, user_id: str | None
) -> dict[str, Any]:
    # "#" sorts before every digit and "~" after them: whole days at both ends.
    values: dict[str, Any] = {
        ":p": {"S": _pk(workspace_id, project_id)},
        ":lo": {"S": f"{first_day or '0000-00-00'}#"},
        ":hi": {"S": f"{last_day or '9999-99-99'}#~"},
    }
    query: dict[str, Any] = {
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": values,
    }
    if user_id:
        values[":u"] = {"S": user_id}
        query["FilterExpression"] = "user_id = :u"
    return query


def page(
    workspace_id: str,
    project_id: str,
    spec: PageSpec,
    first_day: str | None = None,
    last_day: str | None = None,
    user_id: str | None = None,
) -> dynamo.Page:
    """A page of the project's entries, newest day first."""
    query = _list_query(workspace_id, project_id, first_day, last_day, user_id)
    page = dynamo.query_page(
        dynamo.table("entities"), spec, dynamo.TABLE_KEYS, ScanIndexForward=False, **query
    )
    return page.without_keys()


def count(
    workspace_id: str,
    project_id: str,
    first_day: str | None = None,
    last_day: str | None = None,
    user_id: str | None = None,
) -> int:
    return dynamo.count(
        dynamo.table("entities"), **_list_query(workspace_id, project_id, first_day, last_day, user_id)
    )
