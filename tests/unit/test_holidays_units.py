"""Holidays without AWS: working days (weekends, New Year, leap years), the 366-day cap, dates
sent as date-times, the allowance counters a request moves, overlap and retry on create, who
may decide or cancel, and a year's stats — the data functions replaced by fakes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from tallyboard.auth import Caller
from tallyboard.data.holidays import PENDING, TAKEN
from tallyboard.errors import Conflict, Forbidden, NotFound
from tallyboard.logic import holidays as logic
from tallyboard.models.holidays import CreateHolidayRequest, HolidayQuery, UpdateHolidayRequest
from tests.unit import fakes


def caller(role: str = "owner", user_id: str = "user_1", **kwargs: Any) -> Caller:
    return fakes.caller(role, user_id=user_id, **kwargs)


def brute_force_working_days(first: date, last: date) -> int:
    return sum(1 for i in range((last - first).days + 1) if (first + timedelta(days=i)).weekday() < 5)


# ----------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    ("first", "last", "days"),
    [
        ("2025-08-04", "2025-08-08", 5),  # Monday to Friday
        ("2025-08-04", "2025-08-04", 1),  # one Monday
        ("2025-08-09", "2025-08-10", 0),  # a weekend
        ("2025-08-08", "2025-08-11", 2),  # Friday to Monday over a weekend
        ("2025-08-04", "2025-08-17", 10),  # two whole weeks
        ("2024-12-30", "2025-01-03", 5),  # across New Year
        ("2024-02-26", "2024-03-01", 5),  # across a leap day (Thursday 29th)
        ("2024-01-01", "2024-12-31", 262),  # a leap year, 366 days
        ("2025-01-01", "2025-12-31", 261),
        ("2025-08-08", "2025-08-04", 0),  # last before first
    ],
)
def test_working_days_count_monday_to_friday(first: str, last: str, days: int) -> None:
    assert logic.working_days(date.fromisoformat(first), date.fromisoformat(last)) == days


def test_working_days_match_a_day_by_day_count_from_every_weekday() -> None:
    for start in range(7):  # 2025-08-04 is a Monday
        first = date(2025, 8, 4) + timedelta(days=start)
        for span in range(0, 30):
            last = first + timedelta(days=span)
            assert logic.working_days(first, last) == brute_force_working_days(first, last), (first, last)


@pytest.mark.parametrize(
    ("first", "last", "by_year"),
    [
        ("2024-12-30", "2025-01-03", {2024: 2, 2025: 3}),
        ("2022-12-31", "2023-01-02", {2022: 0, 2023: 1}),  # Saturday to Monday: 2022's part is a weekend
        ("2025-03-03", "2025-03-07", {2025: 5}),
        ("2024-01-01", "2024-12-31", {2024: 262}),
    ],
)
def test_days_by_year_split_at_new_year(first: str, last: str, by_year: dict[int, int]) -> None:
    assert logic.days_by_year(date.fromisoformat(first), date.fromisoformat(last)) == by_year


# ----------------------------------------------------------------------------- the request


def test_a_request_covers_at_most_366_days() -> None:
    longest = CreateHolidayRequest(start_date="2024-01-01", end_date="2024-12-31")  # 366 days, leap year
    assert (longest.start_date, longest.end_date, longest.type) == ("2024-01-01", "2024-12-31", "annual")
    with pytest.raises(ValidationError) as raised:
        CreateHolidayRequest(start_date="2024-01-01", end_date="2025-01-01")
    assert raised.value.errors()[0]["loc"] == ("end_date",)
    assert "at most 366 days" in raised.value.errors()[0]["msg"]


def test_a_request_ends_no_earlier_than_it_starts() -> None:
    assert CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-04").end_date == "2025-08-04"
    with pytest.raises(ValidationError) as raised:
        CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-03")
    assert raised.value.errors()[0]["loc"] == ("end_date",)
    assert "must not be before start_date" in raised.value.errors()[0]["msg"]


@pytest.mark.parametrize(
    ("sent", "day"),
    [
        ("2025-08-04", "2025-08-04"),
        ("2025-08-04T23:30:00-05:00", "2025-08-04"),  # the date as written, not converted to UTC
        ("2025-08-04T00:15:00+09:00", "2025-08-04"),
        ("2025-08-04t10:00:00z", "2025-08-04"),
    ],
)
def test_a_date_time_stands_for_the_date_it_names(sent: str, day: str) -> None:
    assert CreateHolidayRequest(start_date=sent, end_date=sent).start_date == day


@pytest.mark.parametrize("sent", ["2025-02-30", "04/08/2025", "2025-08-04T25:00:00Z", "", "tomorrow"])
def test_a_day_that_is_no_date_is_refused(sent: str) -> None:
    with pytest.raises(ValidationError) as raised:
        CreateHolidayRequest(start_date=sent, end_date="2025-08-04")
    assert raised.value.errors()[0]["loc"] == ("start_date",)


def test_a_type_outside_the_list_is_refused_and_a_query_defaults_to_me() -> None:
    with pytest.raises(ValidationError):
        CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-04", type="vacation")
    with pytest.raises(ValidationError):
        UpdateHolidayRequest(status="pending")
    assert HolidayQuery().scope == "me" and HolidayQuery().year is None


# ----------------------------------------------------------------------------- counters


def test_annual_leave_moves_the_counters_of_each_year_with_days() -> None:
    record = {"type": "annual", "days_by_year": {"2022": 0, "2023": 3}}
    assert logic._deltas(record, {PENDING: 1}) == {2023: {PENDING: 3}}
    assert logic._deltas(record, {PENDING: -1, TAKEN: 1}) == {2023: {PENDING: -3, TAKEN: 3}}


@pytest.mark.parametrize("kind", ["sick", "unpaid", "other"])
def test_leave_other_than_annual_moves_no_counter(kind: str) -> None:
    assert logic._deltas({"type": kind, "days_by_year": {"2025": 5}}, {PENDING: 1}) == {}


# ----------------------------------------------------------------------------- with fakes


class Store:
    """The holidays and team data functions, in memory."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.members = [
            {"id": "user_1", "name": "Ada Lovelace", "holidayAllowanceDays": 25},
            {"id": "user_2", "name": "Grace Hopper"},  # the default allowance
            {"id": "user_3", "name": "Gone", "holidayAllowanceDays": 30, "removedAt": 1},
        ]
        self.clash: dict[str, Any] | None = None
        self.create_answers: list[bool] = []  # what create answers in turn (then True)
        self.created: list[tuple[dict[str, Any], dict[int, dict[str, int]], int]] = []
        self.changed: list[tuple[dict[str, Any], str, dict[int, dict[str, int]]]] = []
        self.change_ok = True
        self.seq_reads = 0
        self.counters: dict[str, dict[str, int]] = {}

    def bookings_seq(self, workspace_id: str, user_id: str) -> int:
        self.seq_reads += 1
        return self.seq_reads

    def overlapping(self, workspace_id: str, user_id: str, start: str, end: str) -> dict[str, Any] | None:
        return self.clash

    def create(self, workspace_id: str, record: dict[str, Any], deltas: Any, seq: int) -> bool:
        ok = self.create_answers.pop(0) if self.create_answers else True
        if ok:
            self.created.append((record, deltas, seq))
            self.records[record["id"]] = record
        return ok

    def change_status(self, workspace_id: str, record: dict[str, Any], expected: str, deltas: Any) -> bool:
        self.changed.append((record, expected, deltas))
        return self.change_ok

    def get(self, workspace_id: str, holiday_id: str) -> dict[str, Any] | None:
        return self.records.get(holiday_id)

    def team_get(self, workspace_id: str, user_id: str) -> dict[str, Any] | None:
        return next((m for m in self.members if m["id"] == user_id), None)

    def everyone(self, workspace_id: str) -> list[dict[str, Any]]:
        return self.members

    def counters_of(self, workspace_id: str, year: int, user_id: str) -> dict[str, int]:
        return self.counters.get(user_id, {PENDING: 0, TAKEN: 0})

    def counters_by_user(self, workspace_id: str, year: int) -> dict[str, dict[str, int]]:
        return self.counters


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Store:
    fake = Store()
    for name in ("bookings_seq", "overlapping", "create", "change_status", "get"):
        monkeypatch.setattr(logic.holidays, name, getattr(fake, name))
    monkeypatch.setattr(logic.holidays, "counters_of", fake.counters_of)
    monkeypatch.setattr(logic.holidays, "counters_by_user", fake.counters_by_user)
    monkeypatch.setattr(logic.team, "get", fake.team_get)
    monkeypatch.setattr(logic.team, "everyone", fake.everyone)
    monkeypatch.setattr(logic.audit, "record", lambda *args, **kwargs: None)
    return fake


def pending(store: Store, user_id: str = "user_2", kind: str = "annual") -> str:
    record = {
        "id": "hol_1",
        "user_id": user_id,
        "user_name": "Grace Hopper",
        "start_date": "2024-12-30",
        "end_date": "2025-01-03",
        "days": 5,
        "days_by_year": {"2024": 2, "2025": 3},
        "type": kind,
        "note": None,
        "status": "pending",
        "createdAt": 1,
        "updatedAt": 1,
    }
    store.records[record["id"]] = record
    return record["id"]


def test_create_counts_working_days_per_year_and_books_them_pending(store: Store) -> None:
    answer = logic.create(
        caller("editor"), CreateHolidayRequest(start_date="2024-12-28", end_date="2025-01-05")
    )
    record, deltas, seq = store.created[0]
    assert (record["days"], record["days_by_year"]) == (5, {"2024": 2, "2025": 3})
    assert (record["user_id"], record["user_name"], record["status"]) == ("user_1", "Ada Lovelace", "pending")
    assert record["id"].startswith("hol_")
    assert deltas == {2024: {PENDING: 2}, 2025: {PENDING: 3}}
    assert seq == 1
    assert (answer.data.days, answer.data.status, answer.data.decided_at) == (5, "pending", None)


def test_create_of_sick_leave_books_no_allowance(store: Store) -> None:
    logic.create(caller(), CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-08", type="sick"))
    assert store.created[0][1] == {}
    assert store.created[0][0]["days"] == 5


def test_create_overlapping_a_request_is_a_409_naming_it(store: Store) -> None:
    store.clash = {"id": "hol_9", "status": "approved", "start_date": "2025-08-01", "end_date": "2025-08-05"}
    with pytest.raises(Conflict) as raised:
        logic.create(caller(), CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-08"))
    assert raised.value.message == "This request overlaps your approved request from 2025-08-01 to 2025-08-05"
    assert raised.value.details == {
        "holiday_id": "hol_9",
        "start_date": "2025-08-01",
        "end_date": "2025-08-05",
        "status": "approved",
    }
    assert store.created == []


def test_create_retries_when_another_request_landed_first(store: Store) -> None:
    store.create_answers = [False, True]
    logic.create(caller(), CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-04"))
    assert store.seq_reads == 2 and store.created[0][2] == 2  # written against the sequence read again


def test_create_gives_up_after_three_attempts(store: Store) -> None:
    store.create_answers = [False, False, False]
    with pytest.raises(Conflict) as raised:
        logic.create(caller(), CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-04"))
    assert "changed while this one was being written" in raised.value.message
    assert store.seq_reads == logic.WRITE_ATTEMPTS == 3 and store.created == []


def test_a_project_restricted_key_may_not_request_days_off(store: Store) -> None:
    with pytest.raises(Forbidden) as raised:
        logic.create(
            caller(project_ids=("proj_1",)),
            CreateHolidayRequest(start_date="2025-08-04", end_date="2025-08-04"),
        )
    assert raised.value.details == {"projectIds": "a workspace-wide key (no projectIds) is required"}


def test_approval_moves_pending_days_to_taken_and_records_the_decider(store: Store) -> None:
    holiday_id = pending(store)
    answer = logic.update(caller("owner"), holiday_id, UpdateHolidayRequest(status="approved"))
    record, expected, deltas = store.changed[0]
    assert expected == "pending"
    assert deltas == {2024: {PENDING: -2, TAKEN: 2}, 2025: {PENDING: -3, TAKEN: 3}}
    assert (record["status"], record["decided_by"]) == ("approved", "user_1")
    assert (answer.data.status, answer.data.decided_by) == ("approved", "user_1")
    assert answer.data.decided_at is not None


def test_declining_releases_the_pending_days(store: Store) -> None:
    logic.update(caller("owner"), pending(store), UpdateHolidayRequest(status="declined"))
    assert store.changed[0][2] == {2024: {PENDING: -2}, 2025: {PENDING: -3}}


def test_the_requester_cancels_without_a_decision(store: Store) -> None:
    answer = logic.update(
        caller("editor", "user_2"), pending(store), UpdateHolidayRequest(status="cancelled")
    )
    assert store.changed[0][2] == {2024: {PENDING: -2}, 2025: {PENDING: -3}}
    assert (answer.data.status, answer.data.decided_by, answer.data.decided_at) == ("cancelled", None, None)


def test_only_the_requester_may_cancel(store: Store) -> None:
    with pytest.raises(Forbidden) as raised:
        logic.update(caller("owner", "user_1"), pending(store), UpdateHolidayRequest(status="cancelled"))
    assert raised.value.message == "Only the requester may cancel a holiday request"
    assert store.changed == []


def test_only_an_owner_may_decide(store: Store) -> None:
    with pytest.raises(Forbidden) as raised:
        logic.update(caller("editor"), pending(store), UpdateHolidayRequest(status="approved"))
    assert raised.value.details == {"role": "editor"}
    assert store.changed == []


def test_only_a_pending_request_changes(store: Store) -> None:
    holiday_id = pending(store)
    store.records[holiday_id]["status"] = "declined"
    with pytest.raises(Conflict) as raised:
        logic.update(caller("owner"), holiday_id, UpdateHolidayRequest(status="approved"))
    assert raised.value.message == "Only a pending request can be approved; this one is declined"
    assert raised.value.details == {"status": "declined"}


def test_a_request_decided_meanwhile_answers_as_read_now(store: Store) -> None:
    holiday_id = pending(store)
    store.change_ok = False
    store.records[holiday_id] = {**store.records[holiday_id], "status": "approved"}
    with pytest.raises(Conflict) as raised:
        logic.update(caller("owner"), "hol_1", UpdateHolidayRequest(status="declined"))
    assert raised.value.details == {"status": "approved"}


def test_an_unknown_request_is_a_404(store: Store) -> None:
    with pytest.raises(NotFound) as raised:
        logic.update(caller("owner"), "hol_nope", UpdateHolidayRequest(status="approved"))
    assert raised.value.message == "Holiday request not found"


def test_my_stats_are_my_allowance_less_taken_and_pending(store: Store) -> None:
    store.counters = {"user_1": {PENDING: 3, TAKEN: 10}}
    stats = logic._stats(caller(), "me", 2025)
    assert stats.model_dump() == {
        "year": 2025,
        "allowance_days": 25,
        "taken_days": 10,
        "pending_days": 3,
        "remaining_days": 12,
    }


def test_team_stats_sum_the_current_members_only(store: Store) -> None:
    store.counters = {
        "user_1": {PENDING: 3, TAKEN: 10},
        "user_2": {PENDING: 0, TAKEN: 4},
        "user_3": {PENDING: 7, TAKEN: 7},  # removed: neither the allowance nor the days count
    }
    default = logic.allowance({})
    stats = logic._stats(caller(), "team", 2025)
    assert stats.model_dump() == {
        "year": 2025,
        "allowance_days": 25 + default,
        "taken_days": 14,
        "pending_days": 3,
        "remaining_days": 25 + default - 17,
    }


def test_stats_of_a_user_no_longer_in_the_team_have_no_allowance(store: Store) -> None:
    store.counters = {"user_9": {PENDING: 1, TAKEN: 2}}
    stats = logic._stats(caller(user_id="user_9"), "me", 2025)
    assert (stats.allowance_days, stats.remaining_days) == (0, -3)
