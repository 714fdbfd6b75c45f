"""Data colour themes in the entities table, one partition per project. Theme ids sort by
creation time (ids.new_sorted_id), so the partition lists them oldest first with no index.

  theme  pk WS#<ws>#P#<projectId>#THEME   sk <themeId>   usageCount: dashboards that name it

| request                               | operations          | key condition (T = WS#<ws>#P#<proj>#THEME) |
|---------------------------------------|---------------------|--------------------------------------------|
| GET /projects/{p}/data_color_themes   | Query COUNT + Query | pk = T                                     |
| POST /projects/{p}/data_color_themes  | PutItem (1)         | pk = T, sk = <id>                          |
| GET …/data_color_themes/{id}          | GetItem             | pk = T, sk = <id>                          |
| PATCH …/data_color_themes/{id}        | UpdateItem (2)      | pk = T, sk = <id>                          |
| DELETE …/data_color_themes/{id}       | DeleteItem (3)      | pk = T, sk = <id>                          |

(1) attribute_not_exists(pk). (2) attribute_exists(pk). (3) only while usageCount is 0: a
dashboard sets or clears its theme in one transaction with the theme's usageCount (see
data/dashboards/updates.py), so a theme in use can never be deleted, whatever the concurrency.
"""

from __future__ import annotations

from typing import Any, cast

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec


def themes_pk(workspace_id: str, project_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#P#{project_id}#THEME"


def theme_key(workspace_id: str, project_id: str, theme_id: str) -> dict[str, Any]:
    return dynamo.key(pk=themes_pk(workspace_id, project_id), sk=theme_id)


def put(workspace_id: str, record: dict[str, Any]) -> bool:
    item = {**record, "usageCount": 0, "pk": themes_pk(workspace_id, record["projectId"]), "sk": record["id"]}
    return dynamo.put_new(dynamo.table("entities"), item, key_attribute="pk")


def get(workspace_id: str, project_id: str, theme_id: str) -> dict[str, Any] | None:
    item = dynamo.get(
        dynamo.table("entities"), theme_key(workspace_id, project_id, theme_id), consistent=True
    )
    return dynamo.without_keys(item) if item else None


def _list_query(workspace_id: str, project_id: str) -> dict[str, Any]:
    return {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": themes_pk(workspace_id, project_id)}},
    }


def page(workspace_id: str, project_id: str, spec: PageSpec) -> tuple[dynamo.Page, int]:
    """A page of the project's themes, oldest first, and how many there are."""
    query = _list_query(workspace_id, project_id)
    total = dynamo.count(dynamo.table("entities"), **query)
    found = dynamo.query_page(dynamo.table("entities"), spec, dynamo.TABLE_KEYS, **query)
    return found.without_keys(), total


def update(
    workspace_id: str, project_id: str, theme_id: str, changes: dict[str, Any], updated_at: int
) -> dict[str, Any] | None:
    """Set `changes` and updatedAt; the theme as it now is, or None when it does not exist."""
    expression = Expression().condition("attribute_exists(pk)")
    for name, value in {**changes, "updatedAt": updated_at}.items():
        expression.set(name, value)
    update = expression.update(dynamo.table("entities"), theme_key(workspace_id, project_id, theme_id))
    theme = dynamo.update_if(**update, ReturnValues="ALL_NEW")
    return dynamo.without_keys(theme) if theme is not None else None


def delete_unused(workspace_id: str, project_id: str, theme_id: str) -> tuple[bool, dict[str, Any] | None]:
    """Delete the theme if no dashboard uses it: (deleted, the theme as found when refused)."""
    # not delete_if: a refusal answers with the theme as found (ReturnValuesOnConditionCheckFailure)
    try:
        dynamodb().delete_item(
            TableName=dynamo.table("entities"),
            Key=theme_key(workspace_id, project_id, theme_id),
            ConditionExpression=(
                "attribute_exists(pk) AND (attribute_not_exists(usageCount) OR usageCount <= :z)"
            ),
            ExpressionAttributeValues={":z": {"N": "0"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if not dynamo.is_condition_failure(error):
            raise
        old = cast("dict[str, Any] | None", error.response.get("Item"))  # the item, as DynamoDB sends it
        return False, dynamo.without_keys(dynamo.from_item(old)) if old else None
    return True, None


def usage_update(
    workspace_id: str, project_id: str, theme_id: str, change: int, must_exist: bool = True
) -> dict[str, Any]:
    """A transaction item: ADD `change` to the theme's usageCount (the theme must exist)."""
    expression = Expression().add("usageCount", change)
    if must_exist:
        expression.condition("attribute_exists(pk)")
    return expression.update(dynamo.table("entities"), theme_key(workspace_id, project_id, theme_id))
