"""Tasks in the entities table: one item per task, listed per project on gsi1 in creation order.
Each write also ADDs to the project's stats counters (data/project_stats.py) in one transaction.

  task  pk WS#<ws>#TASK#<taskId>   sk TASK
        gsi1pk WS#<ws>#P#<projectId>#TASK   gsi1sk <createdAt, 13 digits>#<taskId>

| request                          | operations                       | key condition                       |
|----------------------------------|----------------------------------|-------------------------------------|
| GET /projects/{projectId}/tasks  | COUNT Query gsi1, Query gsi1 (1) | gsi1pk = WS#<ws>#P#<proj>#TASK      |
| POST /projects/{projectId}/tasks | TransactWriteItems: Put (2), (3) | pk = WS#<ws>#TASK#<id>, sk = TASK   |
| GET /tasks/{taskId}              | GetItem                          | pk = WS#<ws>#TASK#<id>, sk = TASK   |
| PATCH /tasks/{taskId}            | GetItem, TransactWrite: Put (4)  | pk = WS#<ws>#TASK#<id>, sk = TASK   |
| DELETE /tasks/{taskId}           | GetItem, TransactWrite: Delete (4) | pk = WS#<ws>#TASK#<id>, sk = TASK |

(1) oldest first; filters `status`, `contains(assignee_ids, <userId>)`, `task_list`.
(2) condition attribute_not_exists(pk).
(3) with the Update of the project's stats counters when they change.
(4) condition on the version `v` read (optimistic: a concurrent write makes it fail, not lost).
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo, project_stats
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec

TASK_SK = "TASK"


def _key(workspace_id: str, task_id: str) -> dict[str, Any]:
    return dynamo.key(pk=f"{workspace_pk(workspace_id)}#TASK#{task_id}", sk=TASK_SK)


def _project_tasks(workspace_id: str, project_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#P#{project_id}#TASK"


def _item(workspace_id: str, task: dict[str, Any]) -> dict[str, Any]:
    return dynamo.to_item(
        {
            **task,
            **dynamo.from_item(_key(workspace_id, task["id"])),
            "gsi1pk": _project_tasks(workspace_id, task["project_id"]),
            "gsi1sk": f"{task['createdAt']:013d}#{task['id']}",
        }
    )


def get(workspace_id: str, task_id: str) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("entities"), _key(workspace_id, task_id), consistent=True)
    return dynamo.without_keys(item) if item else None


def create(workspace_id: str, task: dict[str, Any], counters: dict[str, int | float]) -> bool:
    """Store a new task and count it; False when the id is taken."""
    put = {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": _item(workspace_id, task),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    return dynamo.transact([put, project_stats.adding(workspace_id, task["project_id"], counters)]) is None


def replace(
    workspace_id: str, task: dict[str, Any], read_version: int, counters: dict[str, int | float]
) -> bool:
    """Write the task's new state over the one read at `read_version`; False when it changed
    or went since."""
    put = {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": _item(workspace_id, task),
            "ConditionExpression": "attribute_exists(pk) AND v = :v",
            "ExpressionAttributeValues": {":v": {"N": str(read_version)}},
        }
    }
    return dynamo.transact([put, project_stats.adding(workspace_id, task["project_id"], counters)]) is None


def delete(workspace_id: str, task: dict[str, Any], counters: dict[str, int | float]) -> bool:
    """Remove the task read at its version `v` and uncount it; False when it changed or went."""
    remove = {
        "Delete": {
            "TableName": dynamo.table("entities"),
            "Key": _key(workspace_id, task["id"]),
            "ConditionExpression": "v = :v",
            "ExpressionAttributeValues": {":v": {"N": str(task["v"])}},
        }
    }
    return dynamo.transact([remove, project_stats.adding(workspace_id, task["project_id"], counters)]) is None


def _list_query(
    workspace_id: str, project_id: str, status: str | None, assignee_id: str | None, task_list: str | None
) -> dict[str, Any]:
    names: dict[str, str] = {}
    values: dict[str, Any] = {":p": {"S": _project_tasks(workspace_id, project_id)}}
    filters = []
    if status:
        names["#status"] = "status"
        values[":status"] = {"S": status}
        filters.append("#status = :status")
    if assignee_id:
        values[":who"] = {"S": assignee_id}
        filters.append("contains(assignee_ids, :who)")
    if task_list:
        values[":list"] = {"S": task_list}
        filters.append("task_list = :list")
    query: dict[str, Any] = {
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": values,
    }
    if filters:
        query["FilterExpression"] = " AND ".join(filters)
    if names:
        query["ExpressionAttributeNames"] = names
    return query


def page(
    workspace_id: str,
    project_id: str,
    spec: PageSpec,
    status: str | None = None,
    assignee_id: str | None = None,
    task_list: str | None = None,
) -> dynamo.Page:
    """A page of the project's tasks, oldest first."""
    query = _list_query(workspace_id, project_id, status, assignee_id, task_list)
    page = dynamo.query_page(dynamo.table("entities"), spec, **query)
    return page.without_keys()


def count(
    workspace_id: str,
    project_id: str,
    status: str | None = None,
    assignee_id: str | None = None,
    task_list: str | None = None,
) -> int:
    return dynamo.count(
        dynamo.table("entities"), **_list_query(workspace_id, project_id, status, assignee_id, task_list)
    )
