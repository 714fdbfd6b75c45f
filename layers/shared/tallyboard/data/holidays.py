"""Holiday requests in the entities table. A request is two items in its own partition, each
projected into gsi1 under one of the two lists it belongs to (the team's year and its requester's
year), so both lists are one Query; a status change rewrites both in one transaction. Annual leave
is counted per member and year (pending and taken days) in the same transactions, so the stats of
a list are one read, never a walk.

  request   pk WS#<ws>#HOL#<id>   sk HOLIDAY   gsi1pk WS#<ws>#HOL#<year>            gsi1sk <start>#<id>
            pk WS#<ws>#HOL#<id>   sk MINE      gsi1pk WS#<ws>#U#<userId>#HOL#<year> gsi1sk <start>#<id>
  counters  pk WS#<ws>#HOLSTATS#<year>   sk USER#<userId>   (pendingDays, takenDays: ADDed)

<year> is the year of start_date; the counters split a request across the years its days fall in.
Below, H = WS#<ws>#HOL#<id> and C = WS#<ws>#HOLSTATS#<year>.

| request                  | operations                                | key condition                      |
|--------------------------|-------------------------------------------|------------------------------------|
| GET /holidays?scope=me   | COUNT Query gsi1, Query gsi1 (1)          | gsi1pk = WS#<ws>#U#<me>#HOL#<year> |
|   its stats              | GetItem, GetItem                          | pk = C, sk = USER#<me>; the member |
| GET /holidays?scope=team | COUNT Query gsi1, Query gsi1 (1)          | gsi1pk = WS#<ws>#HOL#<year>        |
|   its stats              | Query, Query                              | pk = C; the members (data/team.py) |
| POST /holidays           | TransactWrite: Put, Put (2), Update (3)   | pk = H, sk IN (HOLIDAY, MINE)      |
| PATCH /holidays/{id}     | GetItem; TransactWrite: Put, Put (4), (3) | pk = H, sk = HOLIDAY               |

(1) by start_date, then id; filter `status` when asked.
(2) condition attribute_not_exists(pk).
(3) the counters of each year the request's annual leave falls in (ADD).
(4) condition: still in the status read (a concurrent decision fails, not lost).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec
from tallyboard.settings import get_settings

HOLIDAY_SK, MINE_SK = "HOLIDAY", "MINE"
KEY_NAMES = ("pk", "sk", "gsi1pk", "gsi1sk")
PENDING, TAKEN = "pendingDays", "takenDays"


def _table() -> str:
    return get_settings().entities_table


def _pk(workspace_id: str, holiday_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#HOL#{holiday_id}"


def team_list(workspace_id: str, year: int) -> str:
    return f"{workspace_pk(workspace_id)}#HOL#{year}"


def user_list(workspace_id: str, user_id: str, year: int) -> str:
    return f"{workspace_pk(workspace_id)}#U#{user_id}#HOL#{year}"


def _counters_pk(workspace_id: str, year: int) -> str:
    return f"{workspace_pk(workspace_id)}#HOLSTATS#{year}"


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in KEY_NAMES}


def _puts(workspace_id: str, holiday: dict[str, Any], condition: dict[str, Any]) -> list[dict[str, Any]]:
    year = int(holiday["start_date"][:4])
    order = f"{holiday['start_date']}#{holiday['id']}"
    lists = {
        HOLIDAY_SK: team_list(workspace_id, year),
        MINE_SK: user_list(workspace_id, holiday["user_id"], year),
    }
    return [
        {
            "Put": {
                "TableName": _table(),
                "Item": dynamo.to_item(
                    {
                        **holiday,
                        "pk": _pk(workspace_id, holiday["id"]),
                        "sk": sk,
                        "gsi1pk": gsi1pk,
                        "gsi1sk": order,
                    }
                ),
                **condition,
            }
        }
        for sk, gsi1pk in lists.items()
    ]


def _counter_updates(
    workspace_id: str, user_id: str, deltas: dict[int, dict[str, int]]
) -> list[dict[str, Any]]:
    updates = []
    for year, changes in sorted(deltas.items()):
        changed = {name: value for name, value in changes.items() if value}
        if not changed:
            continue
        updates.append(
            {
                "Update": {
                    "TableName": _table(),
                    "Key": dynamo.key(pk=_counters_pk(workspace_id, year), sk=f"USER#{user_id}"),
                    "UpdateExpression": "ADD " + ", ".join(f"{name} :{name}" for name in changed),
                    "ExpressionAttributeValues": dynamo.to_item({f":{k}": v for k, v in changed.items()}),
                }
            }
        )
    return updates


def _transact(items: list[dict[str, Any]]) -> bool:
    try:
        dynamodb().transact_write_items(TransactItems=items)
    except ClientError as error:
        if dynamo.is_condition_failure(error):
            return False
        raise
    return True


def create(workspace_id: str, holiday: dict[str, Any], deltas: dict[int, dict[str, int]]) -> bool:
    """Store a new request and count its annual leave; False when the id is taken."""
    condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    return _transact(
        [
            *_puts(workspace_id, holiday, condition),
            *_counter_updates(workspace_id, holiday["user_id"], deltas),
        ]
    )


def change_status(
    workspace_id: str, holiday: dict[str, Any], read_status: str, deltas: dict[int, dict[str, int]]
) -> bool:
    """Write the request's new state over the one read in `read_status`; False when its status
    changed since (or it went)."""
    condition = {
        "ConditionExpression": "#status = :read",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":read": {"S": read_status}},
    }
    return _transact(
        [
            *_puts(workspace_id, holiday, condition),
            *_counter_updates(workspace_id, holiday["user_id"], deltas),
        ]
    )


def get(workspace_id: str, holiday_id: str) -> dict[str, Any] | None:
    item = dynamo.get(_table(), dynamo.key(pk=_pk(workspace_id, holiday_id), sk=HOLIDAY_SK), consistent=True)
    return _strip(item) if item else None


def _list_query(list_pk: str, status: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :l",
        "ExpressionAttributeValues": {":l": {"S": list_pk}},
    }
    if status:
        query["FilterExpression"] = "#status = :s"
        query["ExpressionAttributeNames"] = {"#status": "status"}
        query["ExpressionAttributeValues"][":s"] = {"S": status}
    return query


def page(list_pk: str, spec: PageSpec, status: str | None = None) -> dynamo.Page:
    """A page of a list (team_list or user_list), by start date then id."""
    page = dynamo.query_page(
        _table(), spec.limit, KEY_NAMES, spec.start_key, spec.skip, **_list_query(list_pk, status)
    )
    return dynamo.Page([_strip(item) for item in page.items], page.next_key)


def count(list_pk: str, status: str | None = None) -> int:
    return dynamo.count(_table(), **_list_query(list_pk, status))


def counters_of(workspace_id: str, year: int, user_id: str) -> dict[str, int]:
    """One member's annual leave counters for the year."""
    item = dynamo.get(_table(), dynamo.key(pk=_counters_pk(workspace_id, year), sk=f"USER#{user_id}"))
    return {PENDING: int((item or {}).get(PENDING, 0)), TAKEN: int((item or {}).get(TAKEN, 0))}


def counters_by_user(workspace_id: str, year: int) -> dict[str, dict[str, int]]:
    """Every member's annual leave counters for the year, by user id."""
    items = dynamo.query(
        _table(),
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": _counters_pk(workspace_id, year)}},
    )
    return {
        item["sk"].removeprefix("USER#"): {PENDING: int(item.get(PENDING, 0)), TAKEN: int(item.get(TAKEN, 0))}
        for item in items
    }
