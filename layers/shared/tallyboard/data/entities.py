"""Workspace entities table (single-table design). Every partition key starts with the
workspace id, so a caller's workspace is part of every key it can read: another tenant's
items are unreachable by construction.

  workspace   pk WS#<ws>   sk WORKSPACE
  project     pk WS#<ws>   sk PROJECT#<projectId>
  user        pk WS#<ws>   sk USER#<userId>
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo


def workspace_pk(workspace_id: str) -> str:
    return f"WS#{workspace_id}"


def put(pk: str, sk: str, record: dict[str, Any]) -> None:
    if not dynamo.put_new(dynamo.table("entities"), {**record, "pk": pk, "sk": sk}, key_attribute="pk"):
        raise RuntimeError(f"{sk} already exists")  # fresh random ids: never expected


def get(pk: str, sk: str) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("entities"), dynamo.key(pk=pk, sk=sk))
    return dynamo.without_keys(item) if item else None


def workspace_key(workspace_id: str) -> dict[str, Any]:
    return dynamo.key(pk=workspace_pk(workspace_id), sk="WORKSPACE")


def get_workspace(workspace_id: str) -> dict[str, Any] | None:
    return get(workspace_pk(workspace_id), "WORKSPACE")


def get_workspace_and_user(
    workspace_id: str, user_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A workspace and one of its users, in one BatchGetItem (the authorizer's read)."""
    keys = [workspace_key(workspace_id), dynamo.key(pk=workspace_pk(workspace_id), sk=f"USER#{user_id}")]
    found = {item["sk"]: item for item in dynamo.batch_get(dynamo.table("entities"), keys)}
    return found.get("WORKSPACE"), found.get(f"USER#{user_id}")


def put_workspace(workspace: dict[str, Any]) -> None:
    put(workspace_pk(workspace["id"]), "WORKSPACE", workspace)


def get_project(workspace_id: str, project_id: str) -> dict[str, Any] | None:
    return get(workspace_pk(workspace_id), f"PROJECT#{project_id}")


def put_project(workspace_id: str, project: dict[str, Any]) -> None:
    put(workspace_pk(workspace_id), f"PROJECT#{project['id']}", project)


def put_user(workspace_id: str, user: dict[str, Any]) -> None:
    put(workspace_pk(workspace_id), f"USER#{user['id']}", user)


def get_users(workspace_id: str, user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The workspace's users among `user_ids`, by id (BatchGetItem; unknown ids are absent)."""
    pk = workspace_pk(workspace_id)
    keys = [dynamo.key(pk=pk, sk=f"USER#{u}") for u in dict.fromkeys(user_ids)]
    users = dynamo.batch_get(dynamo.table("entities"), keys) if keys else []
    return {user["id"]: dynamo.without_keys(user) for user in users}


def existing_project_ids(workspace_id: str, project_ids: list[str]) -> set[str]:
    pk = workspace_pk(workspace_id)
    keys = [dynamo.key(pk=pk, sk=f"PROJECT#{p}") for p in dict.fromkeys(project_ids)]
    return {item["id"] for item in dynamo.batch_get(dynamo.table("entities"), keys)} if keys else set()
