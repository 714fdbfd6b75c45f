"""A project's counters for GET /projects/{projectId}/stats, kept by every task and time entry
write in the same transaction as the write itself (so a stats read is one GetItem, never a walk
over the project's tasks and time).

  stats  pk WS#<ws>#P#<projectId>#STATS   sk STATS

Attributes (numbers, ADDed): `t:<status>` tasks per status; `hours`, `billable`, `entries` time
logged; `a:<userId>` tasks assigned to a member; `h:<userId>` hours a member logged.

| request                         | operations | key condition                                 |
|---------------------------------|------------|-----------------------------------------------|
| GET /projects/{projectId}/stats | GetItem    | pk = WS#<ws>#P#<proj>#STATS, sk = STATS       |
| task and time writes            | Update (1) | pk = WS#<ws>#P#<proj>#STATS, sk = STATS (ADD) |

(1) an Update item of the write's TransactWriteItems (data/tasks.py, data/time_entries.py).
"""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.data.entities import workspace_pk

STATS_SK = "STATS"
TASKS = "t:"
ASSIGNED = "a:"
MEMBER_HOURS = "h:"
HOURS, BILLABLE, ENTRIES = "hours", "billable", "entries"


def _key(workspace_id: str, project_id: str) -> dict[str, Any]:
    return dynamo.key(pk=f"{workspace_pk(workspace_id)}#P#{project_id}#STATS", sk=STATS_SK)


def get(workspace_id: str, project_id: str) -> dict[str, Any]:
    item = dynamo.get(dynamo.table("entities"), _key(workspace_id, project_id), consistent=True)
    return dynamo.without_keys(item or {})


def adding(workspace_id: str, project_id: str, deltas: dict[str, int | float]) -> dict[str, Any] | None:
    """The transaction item that ADDs `deltas` to the counters (None when nothing changes)."""
    changed = {name: value for name, value in deltas.items() if value}
    if not changed:
        return None
    expression = Expression()
    for name, value in changed.items():
        expression.add(name, value)
    return {"Update": expression.update(dynamo.table("entities"), _key(workspace_id, project_id))}


def difference(before: dict[str, int | float], after: dict[str, int | float]) -> dict[str, int | float]:
    """What to ADD to go from counting `before` to counting `after`."""
    return {name: after.get(name, 0) - before.get(name, 0) for name in {*before, *after}}
