"""Pure rendering of the console's people pages (leads, time, holidays): grouping, the week, the
totals, and which buttons a request gets."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tallyboard.console import holidays, leads, routing, timesheet
from tallyboard.models.leads import LEAD_STATUSES


class PagedClient:
    """Answers a list operation in pages of two, following the cursor it hands out."""

    def __init__(self, items: list[dict[str, Any]]):
        self.items, self.calls = items, []  # type: ignore[var-annotated]

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((operation, kwargs))
        start = int(kwargs["query"].get("cursor") or 0)
        more = start + 2 < len(self.items)
        return {
            "data": self.items[start : start + 2],
            "pagination": {"hasMore": more, "nextCursor": str(start + 2) if more else None},
        }


def test_every_follows_the_cursor_to_the_last_page() -> None:
    client = PagedClient([{"id": i} for i in range(5)])

    items = routing.every(client, "leads.list", query={"rep": "Sam"})  # type: ignore[arg-type]

    assert [i["id"] for i in items] == [0, 1, 2, 3, 4]
    assert [c[1]["query"].get("cursor") for c in client.calls] == [None, "2", "4"]
    assert all(c[1]["query"]["rep"] == "Sam" and c[1]["query"]["limit"] == 100 for c in client.calls)


def test_leads_group_in_the_contracts_status_order_with_unknown_ones_last() -> None:
    found = [
        {"name": "a", "status": "Closed"},
        {"name": "b", "status": "First Contact Made"},
        {"name": "c", "status": "Closed"},
        {"name": "d", "status": "Archived"},
    ]

    groups = leads.by_status(found)

    assert [s for s, _ in groups] == [*LEAD_STATUSES, "Archived"]
    assert {s: [lead["name"] for lead in g] for s, g in groups if g} == {
        "First Contact Made": ["b"],
        "Closed": ["a", "c"],
        "Archived": ["d"],
    }


def test_leads_body_escapes_and_counts() -> None:
    body = leads.leads_body(
        "/v1",
        "tok",
        [
            {
                "id": "lead_1",
                "name": "<i>x</i>",
                "status": "Chaser",
                "value": 1234.5,
                "tags": ["Won", "Stuck"],
                "rep": "Sam",
            }
        ],
        "Sam",
    )

    assert "<i>x</i>" not in body and "&lt;i&gt;x&lt;/i&gt;" in body
    assert '<section class="lead-status" data-status="Chaser"' in body
    assert "<td>1,234.5</td>" in body and "<td>Won, Stuck</td>" in body
    assert body.count('<span class="count">0</span>') == len(LEAD_STATUSES) - 1
    # One move form, its CSRF token, the filter kept and the lead's status chosen.
    assert body.count('action="/v1/console/leads/lead_1"') == 1 and 'name="csrf" value="tok"' in body
    assert '<input type="hidden" name="rep" value="Sam">' in body
    assert '<option value="Chaser" selected>' in body and body.count(" selected>") == 1


@pytest.mark.parametrize(
    ("given", "monday"),
    [
        ("2026-01-05", "2026-01-05"),
        ("2026-01-08", "2026-01-05"),
        ("2026-01-11", "2026-01-05"),
        ("2026-01-12", "2026-01-12"),
    ],
)
def test_a_week_runs_monday_to_sunday(given: str, monday: str) -> None:
    assert timesheet.week_of(given) == date.fromisoformat(monday)


def test_no_week_is_this_week_and_a_bad_one_is_refused() -> None:
    assert timesheet.week_of(None, today=date(2026, 12, 3)) == date(2026, 11, 30)
    with pytest.raises(timesheet.BadWeek):
        timesheet.week_of("2026-02-30")


def test_totals_sum_a_members_entries_per_day_and_skip_days_outside_the_week() -> None:
    entries = [
        {"user_id": "u1", "user_name": "Maya", "date": "2026-01-05", "hours": 1.5},
        {"user_id": "u1", "user_name": "Maya", "date": "2026-01-05", "hours": 2.25},
        {"user_id": "u2", "user_name": "Jon", "date": "2026-01-11", "hours": 1},
        {"user_id": "u2", "user_name": "Jon", "date": "2026-01-12", "hours": 8},
    ]

    hours, names = timesheet.totals(entries, date(2026, 1, 5))

    assert {u: dict(d) for u, d in hours.items()} == {"u1": {"2026-01-05": 3.75}, "u2": {"2026-01-11": 1.0}}
    assert names == {"u1": "Maya", "u2": "Jon"}


def test_the_time_body_links_the_weeks_either_side_and_totals_the_week() -> None:
    entries = [
        {"id": "t1", "user_id": "u1", "user_name": "Maya", "date": "2026-01-05", "hours": 0.1},
        {"id": "t2", "user_id": "u1", "user_name": "Maya", "date": "2026-01-05", "hours": 0.2},
    ]

    body = timesheet.time_body(
        "/v1", {"proj_1": "Site"}, "proj_1", date(2026, 1, 5), entries, {"u1": "Maya P"}
    )

    assert 'href="/v1/console/time?week=2025-12-29&amp;project=proj_1"' in body
    assert 'href="/v1/console/time?week=2026-01-12&amp;project=proj_1"' in body
    assert "<td>Maya P</td><td>0.3</td>" in body  # 0.1 + 0.2 shown rounded, the team's name
    assert "Week total: <strong>0.3</strong>" in body


def _holiday(status: str = "pending") -> dict[str, Any]:
    return {"id": "hol_1", "user_name": "Maya", "start_date": "2030-06-03", "status": status}


@pytest.mark.parametrize(
    ("scope", "owner", "status", "buttons"),
    [
        ("team", True, "pending", ["approved", "declined"]),
        ("team", False, "pending", []),
        ("me", True, "pending", ["cancelled"]),
        ("me", False, "pending", ["cancelled"]),
        ("team", True, "approved", []),
        ("me", False, "declined", []),
    ],
)
def test_a_request_gets_the_buttons_of_what_the_key_may_do(
    scope: str, owner: bool, status: str, buttons: list[str]
) -> None:
    html = holidays.actions("/v1", "tok", _holiday(status), scope, owner, "/holidays?scope=team")

    assert [part.split('"')[0] for part in html.split('name="status" value="')[1:]] == buttons
    assert html.count('name="csrf" value="tok"') == len(buttons)
    assert all('action="/v1/console/holidays/hol_1"' in form for form in html.split("</form>")[:-1])


def test_holiday_filters_fall_back_to_their_defaults() -> None:
    assert holidays.choice_of({"scope": "everyone", "status": "lost", "year": " 2030 "}) == {
        "scope": "me",
        "status": "",
        "year": "2030",
    }
    assert (
        holidays.back_path({"scope": "team", "status": "", "year": "2030"})
        == "/holidays?scope=team&year=2030"
    )
