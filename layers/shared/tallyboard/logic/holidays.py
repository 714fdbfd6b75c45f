"""Holiday requests: list (the key's user or the team, every year or one, with a year's annual
leave stats), request days off (counted in working days, Monday to Friday; never overlapping
another pending or approved request of the same member), and decide (owners approve or decline) or
cancel (the requester) a pending request. Workspace-level: a project-restricted key gets 403."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import holidays, team
from tallyboard.errors import Conflict, Forbidden, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.logic.team import allowance
from tallyboard.models.holidays import (
    CreateHolidayRequest,
    Holiday,
    HolidayList,
    HolidayQuery,
    HolidayResponse,
    HolidayStats,
    UpdateHolidayRequest,
)
from tallyboard.timeutil import to_iso

COUNTED_TYPE = "annual"  # the leave an allowance is for


def working_days(first: date, last: date) -> int:
    """Monday-to-Friday days from `first` to `last`, both included (0 when last < first)."""
    if last < first:
        return 0
    span = (last - first).days + 1
    weeks, rest = divmod(span, 7)
    tail = sum(1 for i in range(rest) if (first + timedelta(days=weeks * 7 + i)).weekday() < 5)
    return weeks * 5 + tail


def days_by_year(first: date, last: date) -> dict[int, int]:
    """Working days of [first, last] in each year they fall in."""
    return {
        year: working_days(max(first, date(year, 1, 1)), min(last, date(year, 12, 31)))
        for year in range(first.year, last.year + 1)
    }


def public_holiday(record: dict[str, Any]) -> Holiday:
    decided = record.get("decidedAt")
    return Holiday(
        **{k: record.get(k) for k in ("id", "user_id", "user_name", "start_date", "end_date", "days")},
        **{k: record.get(k) for k in ("type", "note", "status", "decided_by")},
        decided_at=to_iso(decided) if decided is not None else None,
        created_at=to_iso(record["createdAt"]),
        updated_at=to_iso(record["updatedAt"]),
    )


def _deltas(record: dict[str, Any], moves: dict[str, int]) -> dict[int, dict[str, int]]:
    """Counter changes per year for annual leave: `moves` is the sign per counter."""
    if record["type"] != COUNTED_TYPE:
        return {}
    return {
        int(year): {counter: sign * days for counter, sign in moves.items()}
        for year, days in record["days_by_year"].items()
        if days
    }


def _stats(caller: Caller, scope: str, year: int) -> HolidayStats:
    ws = caller.workspace_id
    if scope == "me":
        member = team.get(ws, caller.user_id)
        allowance_days = allowance(member) if member else 0
        counted = holidays.counters_of(ws, year, caller.user_id)
    else:
        current = [m for m in team.everyone(ws) if not m.get("removedAt")]
        allowance_days = sum(allowance(m) for m in current)
        by_user = holidays.counters_by_user(ws, year)
        counted = {
            name: sum(by_user.get(m["id"], {}).get(name, 0) for m in current)
            for name in (holidays.PENDING, holidays.TAKEN)
        }
    taken, pending = counted[holidays.TAKEN], counted[holidays.PENDING]
    return HolidayStats(
        year=year,
        allowance_days=allowance_days,
        taken_days=taken,
        pending_days=pending,
        remaining_days=allowance_days - taken - pending,
    )


def _require(caller: Caller, role: str, scope: str) -> None:
    caller.require(role, scope)
    caller.require_workspace_key()


def list_holidays(caller: Caller, query: HolidayQuery) -> HolidayList:
    _require(caller, "viewer", "project:read")
    ws = caller.workspace_id
    # Every year unless `year` narrows the list; the stats are always one year's.
    if query.scope == "me":
        list_query = holidays.user_list(ws, caller.user_id, query.year)
        owner = caller.user_id
    else:
        list_query = holidays.team_list(ws, query.year)
        owner = ""
    spec = pages.page_spec(
        query.limit,
        query.offset,
        query.cursor,
        f"holidays|{ws}|{query.scope}|{owner}|{query.year or ''}|{query.status or ''}",
    )
    page = holidays.page(list_query, spec, query.status)
    return HolidayList(
        data=[public_holiday(h) for h in page.items],
        stats=_stats(caller, query.scope, query.year or datetime.now(UTC).year),
        pagination=pages.pagination(spec, holidays.count(list_query, query.status), page),
    )


WRITE_ATTEMPTS = 3  # a create retried after another request of the same member landed first


def create(caller: Caller, request: CreateHolidayRequest) -> HolidayResponse:
    _require(caller, "editor", "project:write")
    ws = caller.workspace_id
    first, last = date.fromisoformat(request.start_date), date.fromisoformat(request.end_date)
    member = team.get(ws, caller.user_id)
    now = now_ms()
    by_year = days_by_year(first, last)
    record = {
        "id": new_id("hol"),
        "user_id": caller.user_id,
        "user_name": member["name"] if member else "",
        "start_date": request.start_date,
        "end_date": request.end_date,
        "days": sum(by_year.values()),
        "days_by_year": {str(year): days for year, days in by_year.items()},
        "type": request.type,
        "note": request.note,
        "status": "pending",
        "createdAt": now,
        "updatedAt": now,
    }
    for _ in range(WRITE_ATTEMPTS):
        seq = holidays.bookings_seq(ws, caller.user_id)  # read before the check it guards
        clash = holidays.overlapping(ws, caller.user_id, request.start_date, request.end_date)
        if clash is not None:
            raise Conflict(
                f"This request overlaps your {clash['status']} request "
                f"from {clash['start_date']} to {clash['end_date']}",
                details={
                    "holiday_id": clash["id"],
                    **{k: clash[k] for k in ("start_date", "end_date", "status")},
                },
            )
        if holidays.create(ws, record, _deltas(record, {holidays.PENDING: 1}), seq):
            break
    else:
        raise Conflict("Your holiday requests changed while this one was being written; try again")
    audit.record(
        caller,
        "holiday.create",
        "holiday",
        record["id"],
        metadata={"days": record["days"], "type": request.type},
    )
    return HolidayResponse(data=public_holiday(record))


def _may_change(caller: Caller, record: dict[str, Any], status: str) -> None:
    if status == "cancelled":
        if record["user_id"] != caller.user_id:
            raise Forbidden("Only the requester may cancel a holiday request")
    else:
        caller.require("owner", "project:write")
    if record["status"] != "pending":
        raise Conflict(
            f"Only a pending request can be {status}; this one is {record['status']}",
            details={"status": record["status"]},
        )


def update(caller: Caller, holiday_id: str, request: UpdateHolidayRequest) -> HolidayResponse:
    _require(caller, "editor", "project:write")
    ws = caller.workspace_id
    record = holidays.get(ws, holiday_id)
    if record is None:
        raise NotFound("Holiday request not found")
    _may_change(caller, record, request.status)
    now = now_ms()
    changed = {**record, "status": request.status, "updatedAt": now}
    if request.status != "cancelled":
        changed.update(decided_by=caller.user_id, decidedAt=now)
    moves = {holidays.PENDING: -1, **({holidays.TAKEN: 1} if request.status == "approved" else {})}
    if not holidays.change_status(ws, changed, "pending", _deltas(record, moves)):
        # Decided, cancelled (or gone) since it was read: answer as if read now.
        latest = holidays.get(ws, holiday_id)
        if latest is None:
            raise NotFound("Holiday request not found")
        _may_change(caller, latest, request.status)
        raise Conflict("The request changed while it was being written; try again")
    audit.record(
        caller, f"holiday.{request.status}", "holiday", holiday_id, metadata={"userId": record["user_id"]}
    )
    return HolidayResponse(data=public_holiday(changed))
