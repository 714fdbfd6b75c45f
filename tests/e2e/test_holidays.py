"""Holidays over real HTTP (docs/api.md "Agency workspace"): requests counted in
working days (Monday to Friday), lists for the key's user or the team with the year's annual
leave stats, owners approve or decline, the requester cancels; workspace-wide keys only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.entities import workspace_pk
from tallyboard.logic import keys
from tallyboard.logic.holidays import working_days
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id

HOLIDAY_FIELDS = {
    "id",
    "user_id",
    "user_name",
    "start_date",
    "end_date",
    "days",
    "type",
    "note",
    "status",
    "decided_by",
    "decided_at",
    "created_at",
    "updated_at",
}


def member(tenant: Tenant, name: str, role: str = "editor", **body: Any) -> Tenant:
    """A new team member and a key of theirs (keys belong to the user of the key that makes them,
    so a member's first key comes from the issuing function, as the admin command does)."""
    response = tenant.post(
        "/team", json={"name": name, "email": f"{name.split()[0].lower()}@a.example", **body}
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["data"]["id"]
    plaintext, _ = keys.issue(tenant.workspace_id, user_id, f"{name} key", role)
    key = tenant.with_key(plaintext)
    key.user_id = user_id
    return key


def request_days(tenant: Tenant, start: str, end: str, **body: Any) -> dict[str, Any]:
    response = tenant.post("/holidays", json={"start_date": start, "end_date": end, **body})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def holidays(tenant: Tenant, **params: Any) -> dict[str, Any]:
    response = tenant.get("/holidays", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def stored(tenant: Tenant, holiday_id: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=f"{workspace_pk(tenant.workspace_id)}#HOL#{holiday_id}", sk="HOLIDAY")
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def stored_mine(tenant: Tenant, holiday: dict[str, Any]) -> dict[str, Any] | None:
    """The request's copy in its requester's partition."""
    pk = f"{workspace_pk(tenant.workspace_id)}#U#{holiday['user_id']}#HOL"
    key = dynamo.key(pk=pk, sk=f"{holiday['start_date']}#{holiday['id']}")
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def workspace_audit(tenant: Tenant) -> list[dict[str, Any]]:
    return audit.list_entries(tenant.workspace_id, None, 0, MAX_TIMESTAMP_MS)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2026-08-03", "2026-08-14", 10),  # Monday to Friday, two weeks
        ("2026-08-01", "2026-08-02", 0),  # a weekend
        ("2026-08-07", "2026-08-10", 2),  # Friday to Monday
        ("2026-08-05", "2026-08-05", 1),  # one Wednesday
        ("2026-01-01", "2026-12-31", 261),  # a whole year
    ],
)
def test_days_count_working_days(tenant: Tenant, start: str, end: str, days: int) -> None:
    holiday = request_days(tenant, start, end)

    assert holiday["days"] == days


def test_working_days_agree_with_a_day_by_day_count() -> None:
    first = date(2026, 1, 1)
    for length in range(0, 40):
        for offset in range(7):
            start = first + timedelta(days=offset)
            end = start + timedelta(days=length)
            expected = sum((start + timedelta(days=i)).weekday() < 5 for i in range(length + 1))
            assert working_days(start, end) == expected, (start, end)


def test_request_returns_the_documented_shape_and_stores_it(tenant: Tenant) -> None:
    response = tenant.post(
        "/holidays",
        json={"start_date": "2026-08-03", "end_date": "2026-08-07", "type": "annual", "note": "Summer"},
    )

    assert response.status_code == 201, response.text
    holiday = response.json()["data"]
    assert set(holiday) == HOLIDAY_FIELDS
    assert holiday["id"].startswith("hol_")
    assert (holiday["user_id"], holiday["user_name"]) == (tenant.user_id, "Owner")
    assert (holiday["start_date"], holiday["end_date"], holiday["days"]) == ("2026-08-03", "2026-08-07", 5)
    assert (holiday["type"], holiday["note"], holiday["status"]) == ("annual", "Summer", "pending")
    assert holiday["decided_by"] is None and holiday["decided_at"] is None
    team_item, mine = stored(tenant, holiday["id"]), stored_mine(tenant, holiday)
    assert team_item is not None and mine is not None
    assert (team_item["gsi1pk"], team_item["gsi1sk"]) == (
        f"WS#{tenant.workspace_id}#HOL",  # one list for every year
        f"2026-08-03#{holiday['id']}",
    )
    assert "gsi1pk" not in mine and mine["status"] == "pending"
    (entry,) = [e for e in workspace_audit(tenant) if e["action"] == "holiday_requested"]
    assert entry["resourceId"] == holiday["id"] and entry["metadata"] == {"days": 5, "type": "annual"}


def test_a_date_time_stands_for_its_date(tenant: Tenant) -> None:
    holiday = request_days(tenant, "2026-08-03T09:00:00Z", "2026-08-04T17:30:00+02:00")

    assert (holiday["start_date"], holiday["end_date"], holiday["days"]) == ("2026-08-03", "2026-08-04", 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end_date": "2026-08-07"}, "start_date"),
        ({"start_date": "2026-08-03"}, "end_date"),
        ({"start_date": "2026-08-07", "end_date": "2026-08-03"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2027-01-02"}, "end_date"),
        ({"start_date": "2026-02-30", "end_date": "2026-03-02"}, "start_date"),
        ({"start_date": "next monday", "end_date": "2026-03-02"}, "start_date"),
        ({"start_date": "2026-08-03", "end_date": "2026-08-07", "type": "sabbatical"}, "type"),
        ({"start_date": "2026-08-03", "end_date": "2026-08-07", "status": "approved"}, "status"),
    ],
)
def test_invalid_request_is_a_400_naming_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    payload = assert_error(tenant.post("/holidays", json=body), 400)

    assert field in payload["details"], payload
    assert holidays(tenant, scope="team", year=2026)["data"] == []


def test_stats_for_me_and_the_team(tenant: Tenant) -> None:
    maya = member(tenant, "Maya Patel", holiday_allowance_days=20)
    mine = request_days(tenant, "2026-08-03", "2026-08-07")  # 5 days
    request_days(tenant, "2026-09-07", "2026-09-08")  # 2 days, stays pending
    request_days(tenant, "2026-10-05", "2026-10-09", type="sick")  # not annual leave: not counted
    hers = request_days(maya, "2026-07-06", "2026-07-17")  # 10 days
    assert tenant.patch(f"/holidays/{mine['id']}", json={"status": "approved"}).status_code == 200
    assert tenant.patch(f"/holidays/{hers['id']}", json={"status": "declined"}).status_code == 200

    own = holidays(tenant, year=2026)
    team = holidays(tenant, scope="team", year=2026)
    hers_listed = holidays(maya, year=2026)

    assert set(own) == {"data", "stats", "pagination"}
    assert own["stats"] == {
        "year": 2026,
        "allowance_days": 25,
        "taken_days": 5,
        "pending_days": 2,
        "remaining_days": 18,
    }
    assert [h["start_date"] for h in own["data"]] == ["2026-08-03", "2026-09-07", "2026-10-05"]
    assert [h["start_date"] for h in team["data"]] == ["2026-07-06", "2026-08-03", "2026-09-07", "2026-10-05"]
    assert team["stats"] == {
        "year": 2026,
        "allowance_days": 45,
        "taken_days": 5,
        "pending_days": 2,
        "remaining_days": 38,
    }
    assert hers_listed["stats"]["allowance_days"] == 20 and hers_listed["stats"]["pending_days"] == 0
    assert [h["status"] for h in hers_listed["data"]] == ["declined"]
    assert [h["id"] for h in holidays(tenant, scope="team", year=2026, status="approved")["data"]] == [
        mine["id"]
    ]
    assert holidays(tenant, scope="team", year=2026, status="pending")["pagination"]["total"] == 2
    assert (
        holidays(tenant, year=2025)["data"] == [] and holidays(tenant, year=2025)["stats"]["taken_days"] == 0
    )


def test_a_request_across_new_year_counts_in_each_year(tenant: Tenant) -> None:
    holiday = request_days(tenant, "2026-12-28", "2027-01-08")

    assert holiday["days"] == 10
    assert [h["id"] for h in holidays(tenant, year=2026)["data"]] == [holiday["id"]]  # listed by start year
    assert holidays(tenant, year=2027)["data"] == []
    assert holidays(tenant, year=2026)["stats"]["pending_days"] == 4
    assert holidays(tenant, year=2027)["stats"]["pending_days"] == 6
    tenant.patch(f"/holidays/{holiday['id']}", json={"status": "approved"})
    assert holidays(tenant, year=2027)["stats"] == {
        "year": 2027,
        "allowance_days": 25,
        "taken_days": 6,
        "pending_days": 0,
        "remaining_days": 19,
    }


def test_owners_approve_and_decline(tenant: Tenant) -> None:
    maya = member(tenant, "Maya Patel")
    first = request_days(maya, "2026-08-03", "2026-08-07")
    second = request_days(maya, "2026-09-07", "2026-09-11")

    approved = tenant.patch(f"/holidays/{first['id']}", json={"status": "approved"})
    declined = tenant.patch(f"/holidays/{second['id']}", json={"status": "declined"})

    assert approved.status_code == 200, approved.text
    data = approved.json()["data"]
    assert (data["status"], data["decided_by"]) == ("approved", tenant.user_id)
    assert data["decided_at"] is not None and data["updated_at"] == data["decided_at"]
    assert declined.json()["data"]["status"] == "declined"
    assert (stored_mine(tenant, first) or {})["status"] == "approved"
    assert holidays(maya, year=2026)["stats"]["taken_days"] == 5
    assert holidays(maya, year=2026)["stats"]["pending_days"] == 0
    actions = [e["action"] for e in workspace_audit(tenant) if e["resource"] == "holidays"]
    assert sorted(actions) == [
        "holiday_approved",
        "holiday_declined",
        "holiday_requested",
        "holiday_requested",
    ]
    again = tenant.patch(f"/holidays/{first['id']}", json={"status": "declined"})
    assert assert_error(again, 409, "Conflict")["details"] == {"status": "approved"}
    assert holidays(maya, year=2026)["stats"]["taken_days"] == 5


def test_only_owners_decide_and_only_the_requester_cancels(tenant: Tenant) -> None:
    maya = member(tenant, "Maya Patel")
    jon = member(tenant, "Jon Berg")
    hers = request_days(maya, "2026-08-03", "2026-08-07")

    assert_error(maya.patch(f"/holidays/{hers['id']}", json={"status": "approved"}), 403)
    assert_error(jon.patch(f"/holidays/{hers['id']}", json={"status": "cancelled"}), 403)
    assert_error(tenant.patch(f"/holidays/{hers['id']}", json={"status": "cancelled"}), 403)
    assert (stored(tenant, hers["id"]) or {})["status"] == "pending"

    cancelled = maya.patch(f"/holidays/{hers['id']}", json={"status": "cancelled"})

    assert cancelled.status_code == 200, cancelled.text
    assert (
        cancelled.json()["data"]["status"] == "cancelled" and cancelled.json()["data"]["decided_by"] is None
    )
    assert holidays(maya, year=2026)["stats"]["pending_days"] == 0
    assert_error(tenant.patch(f"/holidays/{hers['id']}", json={"status": "approved"}), 409)
    assert (
        "status"
        in assert_error(tenant.patch(f"/holidays/{hers['id']}", json={"status": "pending"}), 400)["details"]
    )


def test_project_restricted_keys_get_403_on_holidays(tenant: Tenant) -> None:
    holiday = request_days(tenant, "2026-08-03", "2026-08-07")
    restricted = tenant.create_key("owner", projectIds=[tenant.project_id])

    for response in (
        restricted.get("/holidays"),
        restricted.get("/holidays", params={"scope": "team"}),
        restricted.post("/holidays", json={"start_date": "2026-09-07", "end_date": "2026-09-07"}),
        restricted.patch(f"/holidays/{holiday['id']}", json={"status": "approved"}),
    ):
        payload = assert_error(response, 403, "Forbidden")
        assert "workspace-wide" in payload["message"]
    assert restricted.get("/team").status_code == 200  # it may still resolve names
    assert holidays(tenant, scope="team", year=2026)["pagination"]["total"] == 1
    assert (stored(tenant, holiday["id"]) or {})["status"] == "pending"


def test_viewers_read_but_do_not_request_and_scopes_apply(tenant: Tenant) -> None:
    viewer = tenant.create_key("viewer")
    read_only = tenant.create_key("owner", scopes=["project:read"])
    keys_only = tenant.create_key("owner", scopes=["workspace:read"])
    body = {"start_date": "2026-09-07", "end_date": "2026-09-07"}

    assert viewer.get("/holidays", params={"scope": "team"}).status_code == 200
    assert read_only.get("/holidays").status_code == 200
    assert_error(viewer.post("/holidays", json=body), 403)
    assert_error(read_only.post("/holidays", json=body), 403)
    assert_error(keys_only.get("/holidays"), 403)
    assert holidays(tenant, scope="team", year=2026)["data"] == []


def test_other_workspaces_requests_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    foreign = request_days(other_tenant, "2026-08-03", "2026-08-07")

    for holiday_id in (foreign["id"], random_id("holidayId")):
        response = tenant.patch(f"/holidays/{holiday_id}", json={"status": "approved"})
        assert assert_error(response, 404)["message"] == "Holiday request not found"
    assert foreign["id"] not in tenant.get("/holidays", params={"scope": "team", "year": 2026}).text
    assert (stored(other_tenant, foreign["id"]) or {})["status"] == "pending"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"scope": "everyone"}, "scope"),
        ({"status": "maybe"}, "status"),
        ({"year": 0}, "year"),
        ({"year": 10000}, "year"),
    ],
)
def test_bad_list_parameters_are_a_400(tenant: Tenant, params: dict[str, Any], field: str) -> None:
    assert field in assert_error(tenant.get("/holidays", params=params), 400)["details"]


def test_holidays_page_with_cursor(tenant: Tenant) -> None:
    for week in range(5):
        start = date(2026, 3, 2) + timedelta(weeks=week)
        request_days(tenant, start.isoformat(), start.isoformat())

    first = holidays(tenant, year=2026, limit=2)
    second = holidays(tenant, year=2026, limit=2, cursor=first["pagination"]["nextCursor"])
    rest = holidays(tenant, year=2026, limit=2, offset=4)

    starts = [h["start_date"] for h in first["data"] + second["data"] + rest["data"]]
    assert starts == sorted(starts) and len(set(starts)) == 5
    assert second["stats"] == first["stats"] and first["stats"]["pending_days"] == 5


def test_every_request_is_listed_whatever_its_year_and_year_narrows(tenant: Tenant) -> None:
    # Issue #16: booked in December for January, a request was invisible without `year`.
    this_year = datetime.now(UTC).year
    maya = member(tenant, "Maya Patel")
    now = request_days(tenant, f"{this_year}-06-01", f"{this_year}-06-05")
    january = request_days(tenant, f"{this_year + 1}-01-04", f"{this_year + 1}-01-08")
    last_year = request_days(maya, f"{this_year - 1}-03-02", f"{this_year - 1}-03-03")

    pending = holidays(tenant, status="pending")
    team = holidays(tenant, scope="team", status="pending")

    assert [h["id"] for h in pending["data"]] == [now["id"], january["id"]]
    assert pending["pagination"]["total"] == 2
    assert [h["id"] for h in team["data"]] == [last_year["id"], now["id"], january["id"]]
    assert team["pagination"]["total"] == 3
    assert pending["stats"]["year"] == this_year and pending["stats"]["pending_days"] == 5
    narrowed = holidays(tenant, scope="team", year=this_year + 1)
    assert [h["id"] for h in narrowed["data"]] == [january["id"]]
    assert narrowed["stats"] == {
        "year": this_year + 1,
        "allowance_days": 50,
        "taken_days": 0,
        "pending_days": 5,
        "remaining_days": 45,
    }
    assert [h["id"] for h in holidays(maya)["data"]] == [last_year["id"]]
    assert holidays(maya, year=this_year)["data"] == []


def test_the_list_of_every_year_pages_with_cursor(tenant: Tenant) -> None:
    starts = [f"{year}-0{month}-0{day}" for year in (2025, 2026, 2027) for month, day in ((2, 3), (9, 7))]
    for start in reversed(starts):
        request_days(tenant, start, start)

    seen, cursor = [], None
    while True:
        page = holidays(tenant, scope="team", limit=4, **({"cursor": cursor} if cursor else {}))
        seen += [h["start_date"] for h in page["data"]]
        assert page["pagination"]["total"] == 6
        cursor = page["pagination"]["nextCursor"]
        if not cursor:
            break

    assert seen == starts
    other_filter = tenant.get(
        "/holidays",
        params={
            "scope": "team",
            "year": 2026,
            "cursor": holidays(tenant, limit=1)["pagination"]["nextCursor"],
        },
    )
    assert "cursor" in assert_error(other_filter, 400)["details"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-08-03", "2026-08-07"),  # the same range again
        ("2026-07-27", "2026-08-03"),  # ends on its first day
        ("2026-08-07", "2026-08-20"),  # starts on its last day
        ("2026-08-05", "2026-08-05"),  # inside it
        ("2026-07-01", "2026-09-30"),  # around it
        ("2025-09-01", "2026-08-04"),  # a long request starting a year before
    ],
)
def test_a_request_overlapping_a_pending_one_of_the_member_is_409(
    tenant: Tenant, start: str, end: str
) -> None:
    first = request_days(tenant, "2026-08-03", "2026-08-07")

    payload = assert_error(
        tenant.post("/holidays", json={"start_date": start, "end_date": end}), 409, "Conflict"
    )

    assert payload["details"] == {
        "holiday_id": first["id"],
        "start_date": "2026-08-03",
        "end_date": "2026-08-07",
        "status": "pending",
    }
    assert "overlaps" in payload["message"]
    listed = holidays(tenant, scope="team")
    assert [h["id"] for h in listed["data"]] == [first["id"]]
    assert holidays(tenant, year=2026)["stats"]["pending_days"] == 5
    assert holidays(tenant, year=2025)["stats"]["pending_days"] == 0


def test_overlap_counts_pending_and_approved_requests_of_the_same_member_only(tenant: Tenant) -> None:
    maya = member(tenant, "Maya Patel")
    approved = request_days(maya, "2026-08-03", "2026-08-07")
    assert tenant.patch(f"/holidays/{approved['id']}", json={"status": "approved"}).status_code == 200
    declined = request_days(maya, "2026-09-07", "2026-09-11")
    assert tenant.patch(f"/holidays/{declined['id']}", json={"status": "declined"}).status_code == 200
    cancelled = request_days(maya, "2026-10-05", "2026-10-09")
    assert maya.patch(f"/holidays/{cancelled['id']}", json={"status": "cancelled"}).status_code == 200

    clash = assert_error(
        maya.post("/holidays", json={"start_date": "2026-08-07", "end_date": "2026-08-07"}), 409
    )
    assert clash["details"]["holiday_id"] == approved["id"] and clash["details"]["status"] == "approved"
    again = request_days(maya, "2026-09-07", "2026-09-11")  # over a declined request
    request_days(maya, "2026-10-05", "2026-10-09")  # over a cancelled one
    request_days(maya, "2026-08-10", "2026-08-10", type="sick")  # the next day: adjacent, not overlapping
    request_days(tenant, "2026-08-03", "2026-08-07")  # another member's days

    assert holidays(maya, year=2026)["stats"]["pending_days"] == 10
    assert len(holidays(maya)["data"]) == 6
    assert_error(maya.post("/holidays", json={"start_date": "2026-09-11", "end_date": "2026-09-14"}), 409)
    assert (stored(tenant, again["id"]) or {})["status"] == "pending"


def test_concurrent_overlapping_requests_make_one(tenant: Tenant) -> None:
    from concurrent.futures import ThreadPoolExecutor

    bodies = [{"start_date": "2026-08-03", "end_date": f"2026-08-{3 + i:02d}"} for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda body: tenant.post("/holidays", json=body), bodies))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7, [r.text for r in responses]
    (made,) = [r.json()["data"] for r in responses if r.status_code == 201]
    assert [h["id"] for h in holidays(tenant)["data"]] == [made["id"]]
    assert holidays(tenant, year=2026)["stats"]["pending_days"] == made["days"]
