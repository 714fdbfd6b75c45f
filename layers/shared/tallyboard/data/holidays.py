"""Holiday requests in the entities table. A request is two items: the request in its own
partition, projected into gsi1 under the team's list, and its copy in its requester's partition;
a status change rewrites both in one transaction. Both lists hold every year, ordered by start
date, so a year is a key condition on the same partition (begins_with) and the list of all of them
is the same Query without it. Annual leave is counted per member and year (pending and taken days)
in the same transactions, so the stats of a list are one read, never a walk.

  request   pk WS#<ws>#HOL#<id>        sk HOLIDAY        gsi1pk WS#<ws>#HOL   gsi1sk <start>#<id>
  mine      pk WS#<ws>#U#<userId>#HOL  sk <start>#<id>
  bookings  pk WS#<ws>#U#<userId>#HOLSEQ  sk SEQ   (seq: one more per request the member makes)
  counters  pk WS#<ws>#HOLSTATS#<year>   sk USER#<userId>   (pendingDays, takenDays: ADDed)

A request never overlaps another pending or approved one of its member. The check reads the
member's partition (consistent: it sees every request made before it), from the earliest start
that can still reach the new request (a request spans at most MAX_SPAN_DAYS); the write is
conditional on the member's `seq` read before it, so of two overlapping requests made at once one
is written and the other, read again, finds the first. A status change does not move `seq`: it
only ever takes a request out of the check (cancelled, declined) or keeps it in (approved).

<year> is the year of start_date; the counters split a request across the years its days fall in.
Below, H = WS#<ws>#HOL#<id>, T = WS#<ws>#HOL, M = WS#<ws>#U#<userId>#HOL, S = (M + SEQ, SEQ),
C = WS#<ws>#HOLSTATS#<year> and Y = "<year>-" (begins_with, when `year` narrows the list).

| request                  | operations                                 | key condition                  |
|--------------------------|--------------------------------------------|--------------------------------|
| GET /holidays?scope=me   | COUNT Query, Query (1)                     | pk = M [, sk begins Y]         |
|   its stats              | GetItem, GetItem                           | C, USER#<me>; the member       |
| GET /holidays?scope=team | COUNT Query gsi1, Query gsi1 (1)           | gsi1pk = T [, gsi1sk begins Y] |
|   its stats              | Query, Query                               | pk = C; the members (team.py)  |
| POST /holidays           | GetItem, Query (2)                         | S; pk = M, sk BETWEEN (2)      |
|                          | TransactWrite: Put, Put (3), Update (4, 5) | H, HOLIDAY; M; S; C            |
| PATCH /holidays/{id}     | GetItem; TransactWrite: Put, Put (6), (5)  | pk = H, sk = HOLIDAY           |

(1) by start_date, then id; filter `status` when asked; the member's list reads consistently.
(2) consistent, sk from <start - (MAX_SPAN_DAYS - 1)> to <end>#~; filter: status pending or
    approved, end_date >= the new start.
(3) condition attribute_not_exists(pk).
(4) S: SET seq, condition seq as read (attribute_not_exists when it was never set).
(5) C: the counters of each year the request's annual leave falls in (ADD).
(6) condition: still in the status read (a concurrent decision fails, not lost).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import workspace_pk
from tallyboard.models.common import PageSpec
from tallyboard.models.holidays import MAX_SPAN_DAYS

HOLIDAY_SK, SEQ_SK = "HOLIDAY", "SEQ"
PENDING, TAKEN = "pendingDays", "takenDays"
BOOKED = ("pending", "approved")  # the statuses a new request may not overlap


def _pk(workspace_id: str, holiday_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#HOL#{holiday_id}"


def _team_pk(workspace_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#HOL"


def _member_pk(workspace_id: str, user_id: str) -> str:
    return f"{workspace_pk(workspace_id)}#U#{user_id}#HOL"


def _seq_key(workspace_id: str, user_id: str) -> dict[str, Any]:
    return dynamo.key(pk=f"{_member_pk(workspace_id, user_id)}SEQ", sk=SEQ_SK)


def _counters_pk(workspace_id: str, year: int) -> str:
    return f"{workspace_pk(workspace_id)}#HOLSTATS#{year}"


def _order(holiday: dict[str, Any]) -> str:
    return f"{holiday['start_date']}#{holiday['id']}"


def _puts(workspace_id: str, holiday: dict[str, Any], condition: dict[str, Any]) -> list[dict[str, Any]]:
    keys = [
        {
            "pk": _pk(workspace_id, holiday["id"]),
            "sk": HOLIDAY_SK,
            "gsi1pk": _team_pk(workspace_id),
            "gsi1sk": _order(holiday),
        },
        {"pk": _member_pk(workspace_id, holiday["user_id"]), "sk": _order(holiday)},
    ]
    return [
        {
            "Put": {
                "TableName": dynamo.table("entities"),
                "Item": dynamo.to_item({**holiday, **key}),
                **condition,
            }
        }
        for key in keys
    ]


def _counter_updates(
    workspace_id: str, user_id: str, deltas: dict[int, dict[str, int]]
) -> list[dict[str, Any]]:
    updates = []
    for year, changes in sorted(deltas.items()):
        changed = {name: value for name, value in changes.items() if value}
        if not changed:
            continue
        expression = Expression()
        for name, value in changed.items():
            expression.add(name, value)
        key = dynamo.key(pk=_counters_pk(workspace_id, year), sk=f"USER#{user_id}")
        updates.append({"Update": expression.update(dynamo.table("entities"), key)})
    return updates


def bookings_seq(workspace_id: str, user_id: str) -> int:
    """How many requests the member has made (the version a new request's write is conditional on)."""
    item = dynamo.get(dynamo.table("entities"), _seq_key(workspace_id, user_id), consistent=True)
    return int((item or {}).get("seq", 0))


def overlapping(workspace_id: str, user_id: str, start_date: str, end_date: str) -> dict[str, Any] | None:
    """A pending or approved request of the member sharing a day with [start_date, end_date]."""
    earliest = date.fromisoformat(start_date) - timedelta(days=MAX_SPAN_DAYS - 1)
    items = dynamo.query(
        dynamo.table("entities"),
        ConsistentRead=True,
        KeyConditionExpression="pk = :m AND sk BETWEEN :from AND :to",
        FilterExpression="end_date >= :start AND #status IN (:pending, :approved)",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues=dynamo.to_item(
            {
                ":m": _member_pk(workspace_id, user_id),
                ":from": earliest.isoformat(),
                ":to": f"{end_date}#~",
                ":start": start_date,
                ":pending": BOOKED[0],
                ":approved": BOOKED[1],
            }
        ),
    )
    found = next(items, None)
    return dynamo.without_keys(found) if found else None


def create(workspace_id: str, holiday: dict[str, Any], deltas: dict[int, dict[str, int]], seq: int) -> bool:
    """Store a new request and count its annual leave, if the member has made no request since
    `seq` was read (bookings_seq); False when they have (or the id is taken)."""
    condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    bump = Expression().set("seq", seq + 1)
    bump.condition("attribute_not_exists({s}) OR {s} = {read}", s="#seq", read=seq)
    cancelled = dynamo.transact(
        [
            *_puts(workspace_id, holiday, condition),
            {"Update": bump.update(dynamo.table("entities"), _seq_key(workspace_id, holiday["user_id"]))},
            *_counter_updates(workspace_id, holiday["user_id"], deltas),
        ]
    )
    return cancelled is None


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
    cancelled = dynamo.transact(
        [
            *_puts(workspace_id, holiday, condition),
            *_counter_updates(workspace_id, holiday["user_id"], deltas),
        ]
    )
    return cancelled is None


def get(workspace_id: str, holiday_id: str) -> dict[str, Any] | None:
    item = dynamo.get(
        dynamo.table("entities"), dynamo.key(pk=_pk(workspace_id, holiday_id), sk=HOLIDAY_SK), consistent=True
    )
    return dynamo.without_keys(item) if item else None


def team_list(workspace_id: str, year: int | None = None) -> dict[str, Any]:
    """The Query of the team's requests (starting in `year`, or every year)."""
    return _list_query("gsi1pk", "gsi1sk", _team_pk(workspace_id), year, IndexName="gsi1")


def user_list(workspace_id: str, user_id: str, year: int | None = None) -> dict[str, Any]:
    """The Query of one member's requests (starting in `year`, or every year)."""
    return _list_query("pk", "sk", _member_pk(workspace_id, user_id), year, ConsistentRead=True)


def _list_query(pk: str, sk: str, list_pk: str, year: int | None, **extra: Any) -> dict[str, Any]:
    condition, values = f"{pk} = :l", {":l": {"S": list_pk}}
    if year is not None:
        condition += f" AND begins_with({sk}, :y)"
        values[":y"] = {"S": f"{year:04d}-"}
    return {"KeyConditionExpression": condition, "ExpressionAttributeValues": values, **extra}


def _filtered(query: dict[str, Any], status: str | None) -> dict[str, Any]:
    if not status:
        return dict(query)
    return {
        **query,
        "FilterExpression": "#status = :s",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {**query["ExpressionAttributeValues"], ":s": {"S": status}},
    }


def page(list_query: dict[str, Any], spec: PageSpec, status: str | None = None) -> dynamo.Page:
    """A page of a list (team_list or user_list), by start date then id."""
    page = dynamo.query_page(dynamo.table("entities"), spec, **_filtered(list_query, status))
    return page.without_keys()


def count(list_query: dict[str, Any], status: str | None = None) -> int:
    return dynamo.count(dynamo.table("entities"), **_filtered(list_query, status))


def counters_of(workspace_id: str, year: int, user_id: str) -> dict[str, int]:
    """One member's annual leave counters for the year."""
    item = dynamo.get(
        dynamo.table("entities"), dynamo.key(pk=_counters_pk(workspace_id, year), sk=f"USER#{user_id}")
    )
    return {PENDING: int((item or {}).get(PENDING, 0)), TAKEN: int((item or {}).get(TAKEN, 0))}


def counters_by_user(workspace_id: str, year: int) -> dict[str, dict[str, int]]:
    """Every member's annual leave counters for the year, by user id."""
    items = dynamo.query(
        dynamo.table("entities"),
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": _counters_pk(workspace_id, year)}},
    )
    return {
        item["sk"].removeprefix("USER#"): {PENDING: int(item.get(PENDING, 0)), TAKEN: int(item.get(TAKEN, 0))}
        for item in items
    }
