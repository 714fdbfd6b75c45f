"""Metrics over real HTTP: the documented curl flows of the analytics document, list filters and pagination,
time series from rollups, idempotent pushes, batch all-or-nothing, roles, scopes, tenancy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import Tenant, assert_error

HOUR = 3_600_000
DAY = 24 * HOUR


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def push(
    tenant: Tenant, metric_id: str, value: float, timestamp: int | str | None = None, **extra: Any
) -> str:
    body = {"projectId": tenant.project_id, "metricId": metric_id, "value": value, **extra}
    if timestamp is not None:
        body["timestamp"] = timestamp
    response = tenant.post("/metrics/custom", json=body)
    assert response.status_code == 201, response.text
    return response.json()["metricId"]


def listed(tenant: Tenant, **params: Any) -> dict[str, Any]:
    response = tenant.get("/metrics", params={"projectId": tenant.project_id, **params})
    assert response.status_code == 200, response.text
    return response.json()


def timeseries(tenant: Tenant, metric_id: str, **params: Any) -> dict[str, Any]:
    response = tenant.get(
        f"/metrics/{metric_id}/timeseries", params={"projectId": tenant.project_id, **params}
    )
    assert response.status_code == 200, response.text
    return response.json()


# ----------------------------------------------------------------------------- the documented flows


def test_documented_push_then_timeseries(tenant: Tenant) -> None:
    """The seed's curl examples, unchanged but for base URL, key and project id."""
    created = tenant.post(
        "/metrics/custom",
        json={
            "projectId": tenant.project_id,
            "metricId": "custom_sales",
            "value": 5000,
            "timestamp": 1704067200000,
            "unit": "USD",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True and body["message"] == "Custom metric created successfully"
    assert body["metricId"].startswith("metric_")

    for ts, value in ((1704153600000, 14750), (1704240000000, 15000), (1704067200000, 14500)):
        push(tenant, "stripe_mrr", value, ts, unit="USD")
    response = tenant.get(
        f"/metrics/stripe_mrr/timeseries?projectId={tenant.project_id}"
        "&startDate=2024-01-01T00:00:00Z&endDate=2024-01-31T23:59:59Z&interval=day"
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {"timestamp": 1704067200000, "value": 14500},
            {"timestamp": 1704153600000, "value": 14750},
            {"timestamp": 1704240000000, "value": 15000},
        ],
        "metric": {
            "id": "stripe_mrr",
            "name": "Monthly Recurring Revenue",
            "unit": "USD",
            "service": "custom",
        },
        "interval": "day",
        "startDate": "2024-01-01T00:00:00Z",
        "endDate": "2024-01-31T23:59:59Z",
    }


def test_documented_list_shape(tenant: Tenant) -> None:
    point_id = push(
        tenant,
        "stripe_mrr",
        15000,
        1704067201000,
        unit="USD",
        metadata={"currency": "USD", "subscriptionCount": 150},
    )
    push(tenant, "github_commits", 42, 1704067200000, unit="count", metadata={"repositories": ["r1", "r2"]})

    response = tenant.get(
        f"/metrics?projectId={tenant.project_id}&metricIds=stripe_mrr,github_commits"
        "&startDate=2024-01-01T00:00:00Z&limit=100"
    )
    assert response.status_code == 200
    body = response.json()
    first = body["data"][0]
    assert set(first) == {
        "id", "projectId", "connectionId", "service", "metricId", "metricName",
        "value", "unit", "timestamp", "metadata", "createdAt", "dataQuality",
    }  # fmt: skip
    assert first["id"] == point_id and first["value"] == 15000 and first["unit"] == "USD"
    assert first["metricName"] == "Monthly Recurring Revenue" and first["projectId"] == tenant.project_id
    assert first["metadata"] == {"currency": "USD", "subscriptionCount": 150}
    assert isinstance(first["createdAt"], int) and first["timestamp"] == 1704067201000
    assert body["data"][1]["metadata"] == {"repositories": ["r1", "r2"]}
    assert body["pagination"] == {"total": 2, "limit": 100, "offset": 0, "hasMore": False, "nextCursor": None}


def test_timestamp_defaults_to_now(tenant: Tenant) -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    push(tenant, "now_metric", 1)
    (point,) = listed(tenant)["data"]
    assert before - 1000 <= point["timestamp"] <= before + 60_000


# ----------------------------------------------------------------------------- list


def test_list_is_newest_first_and_filters(tenant: Tenant) -> None:
    base = ms(2024, 3, 1)
    for i in range(6):
        push(tenant, "a" if i % 2 else "b", i, base + i * HOUR)
    push(tenant, "c", 99, base + 2 * HOUR)

    everything = listed(tenant)
    stamps = [(p["timestamp"], p["id"]) for p in everything["data"]]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == 7
    assert everything["pagination"]["total"] == 7

    only_a = listed(tenant, metricIds="a")
    assert [p["value"] for p in only_a["data"]] == [5, 3, 1]
    a_and_c = listed(tenant, metricIds="a,c")
    assert [p["value"] for p in a_and_c["data"]] == [5, 3, 99, 1]
    assert a_and_c["pagination"]["total"] == 4

    window = listed(tenant, startDate="2024-03-01T01:00:00Z", endDate="2024-03-01T03:00:00+00:00")
    assert sorted(p["value"] for p in window["data"]) == [1, 2, 3, 99]
    assert window["pagination"]["total"] == 4
    no_zone = listed(tenant, startDate="2024-03-01T01:00:00", endDate="2024-03-01T03:00:00")
    assert no_zone["data"] == window["data"]
    offset_zone = listed(tenant, startDate="2024-03-01T02:00:00+01:00", endDate="2024-03-01T04:00:00+01:00")
    assert offset_zone["data"] == window["data"]
    assert listed(tenant, metricIds="nothing_here")["data"] == []


def test_pagination(tenant: Tenant) -> None:
    base = ms(2024, 4, 1)
    for i in range(5):
        push(tenant, "pg", i, base + i * 1000)

    pages = [listed(tenant, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [[p["value"] for p in page["data"]] for page in pages] == [[4, 3], [2, 1], [0]]
    assert [page["pagination"]["hasMore"] for page in pages] == [True, True, False]
    assert all(page["pagination"]["total"] == 5 for page in pages)
    cursor = pages[1]["pagination"].pop("nextCursor")
    assert pages[1]["pagination"] == {"total": 5, "limit": 2, "offset": 2, "hasMore": True}
    assert listed(tenant, limit=2, cursor=cursor) == pages[2]
    assert listed(tenant, limit=2, offset=10)["data"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 1001},
        {"limit": 0},
        {"offset": -1},
        {"limit": "many"},
        {"startDate": "not-a-date"},
        {"endDate": "2024-02-30T00:00:00Z"},
        {"startDate": "2024-02-01", "endDate": "2024-01-01"},
        {"metricIds": "bad id!"},
        {"metricIds": "a, b"},  # the spec's pattern: commas, no spaces
        {"metricIds": "a,,b"},
        {"metricIds": ",".join(f"m{i}" for i in range(51))},
        {"startDate": ""},  # the spec's pattern: an empty date is no date
        {"startDate": "2024-03-01T01:00"},
    ],
)
def test_list_rejects_bad_parameters(tenant: Tenant, params: dict[str, Any]) -> None:
    body = assert_error(
        tenant.get("/metrics", params={"projectId": tenant.project_id, **params}), 400, "Bad Request"
    )
    assert body["message"].startswith("Invalid parameter")


def test_invalid_start_date_wording(tenant: Tenant) -> None:
    body = assert_error(
        tenant.get("/metrics", params={"projectId": tenant.project_id, "startDate": "x"}), 400
    )
    assert body["message"] == "Invalid parameter: startDate must be a valid ISO 8601 date"


def test_limit_above_maximum_is_not_clamped(tenant: Tenant) -> None:
    body = assert_error(tenant.get("/metrics", params={"projectId": tenant.project_id, "limit": 1001}), 400)
    assert "limit" in body["message"]
    assert listed(tenant, limit=1000)["pagination"]["limit"] == 1000


def test_project_id_is_required_for_a_workspace_wide_key(tenant: Tenant) -> None:
    assert_error(tenant.get("/metrics"), 400)


# ----------------------------------------------------------------------------- time series


def test_timeseries_intervals_and_aggregations(tenant: Tenant) -> None:
    # Written out of order; two points in one hour, a Monday-starting week boundary crossed.
    points = [
        (ms(2024, 1, 8, 10, 30), 3),  # Monday
        (ms(2024, 1, 7, 23, 0), 10),  # Sunday
        (ms(2024, 1, 8, 10, 5), 5),
        (ms(2024, 2, 1, 0, 0), 7),
        (ms(2024, 1, 7, 1, 0), 2),
    ]
    for ts, value in points:
        push(tenant, "orders", value, ts)
    window = {"startDate": "2024-01-01T00:00:00Z", "endDate": "2024-02-29T23:59:59Z"}

    def values(**params: Any) -> list[list[int]]:
        return [
            [p["timestamp"], p["value"]] for p in timeseries(tenant, "orders", **window, **params)["data"]
        ]

    assert values() == [[ms(2024, 1, 7), 12], [ms(2024, 1, 8), 8], [ms(2024, 2, 1), 7]]  # day, sum
    assert values(interval="week") == [[ms(2024, 1, 1), 12], [ms(2024, 1, 8), 8], [ms(2024, 1, 29), 7]]
    assert values(interval="month", aggregation="count") == [[ms(2024, 1, 1), 4], [ms(2024, 2, 1), 1]]
    assert values(interval="month", aggregation="last") == [[ms(2024, 1, 1), 3], [ms(2024, 2, 1), 7]]
    assert values(interval="month", aggregation="avg") == [[ms(2024, 1, 1), 5], [ms(2024, 2, 1), 7]]
    assert values(interval="month", aggregation="min") == [[ms(2024, 1, 1), 2], [ms(2024, 2, 1), 7]]
    assert values(interval="month", aggregation="max") == [[ms(2024, 1, 1), 10], [ms(2024, 2, 1), 7]]
    hours = timeseries(
        tenant, "orders", startDate="2024-01-08T00:00:00Z", endDate="2024-01-08T23:59:59Z", interval="hour"
    )
    assert hours["data"] == [{"timestamp": ms(2024, 1, 8, 10), "value": 8}]
    assert hours["interval"] == "hour" and hours["startDate"] == "2024-01-08T00:00:00Z"


def test_gauges_default_to_last_counters_to_sum(tenant: Tenant) -> None:
    for ts, value in ((ms(2024, 5, 1, 9), 100), (ms(2024, 5, 1, 18), 120), (ms(2024, 5, 1, 12), 110)):
        push(tenant, "stripe_mrr", value, ts)
        push(tenant, "signups", value, ts)
    window = {"startDate": "2024-05-01", "endDate": "2024-05-01T23:59:59Z"}
    assert timeseries(tenant, "stripe_mrr", **window)["data"] == [{"timestamp": ms(2024, 5, 1), "value": 120}]
    assert timeseries(tenant, "signups", **window)["data"] == [{"timestamp": ms(2024, 5, 1), "value": 330}]
    custom = push(tenant, "nps_score", 40, ms(2024, 5, 1, 1), aggregation="avg")
    assert custom.startswith("metric_")
    push(tenant, "nps_score", 60, ms(2024, 5, 1, 2))
    assert timeseries(tenant, "nps_score", **window)["data"] == [{"timestamp": ms(2024, 5, 1), "value": 50}]


def test_timeseries_errors(tenant: Tenant) -> None:
    push(tenant, "known", 1, ms(2024, 1, 1))
    window = {"projectId": tenant.project_id, "startDate": "2024-01-01", "endDate": "2024-01-31"}

    body = assert_error(tenant.get("/metrics/unknown_metric/timeseries", params=window), 404, "Not Found")
    assert body["message"] == "Metric not found"
    assert_error(
        tenant.get("/metrics/known/timeseries", params={**window, "startDate": "2024-02-01"}),
        400,
        "Bad Request",
    )
    too_many = tenant.get(
        "/metrics/known/timeseries", params={**window, "endDate": "2024-12-31", "interval": "hour"}
    )
    assert "1000" in assert_error(too_many, 400)["message"]
    assert_error(tenant.get("/metrics/known/timeseries", params={**window, "interval": "minute"}), 400)
    assert_error(tenant.get("/metrics/known/timeseries", params={**window, "aggregation": "median"}), 400)
    assert_error(
        tenant.get(
            "/metrics/known/timeseries", params={"projectId": tenant.project_id, "startDate": "2024-01-01"}
        ),
        400,
    )
    assert_error(tenant.get("/metrics/known/timeseries", params={**window, "startDate": "soon"}), 400)
    assert timeseries(tenant, "known", startDate="2024-01-01", endDate="2024-01-31")["data"] == [
        {"timestamp": ms(2024, 1, 1), "value": 1}
    ]


# ----------------------------------------------------------------------------- pushes


@pytest.mark.parametrize(
    "body",
    [
        {"metricId": "m", "value": "12"},
        {"metricId": "m", "value": 1e300},
        {"metricId": "m"},
        {"value": 1},
        {"metricId": "bad id", "value": 1},
        {"metricId": "m", "value": 1, "timestamp": "yesterday"},
        {"metricId": "m", "value": 1, "metadata": {"big": "x" * 9000}},
        {"metricId": "m", "value": 1, "unknown": True},
    ],
)
def test_bad_push_is_400_and_stores_nothing(tenant: Tenant, body: dict[str, Any]) -> None:
    assert_error(
        tenant.post("/metrics/custom", json={"projectId": tenant.project_id, **body}), 400, "Bad Request"
    )
    assert listed(tenant)["pagination"]["total"] == 0


@pytest.mark.parametrize(
    "raw",
    [
        "true",
        '"12"',
        '"1704067200000"',
        "1704067200000.5",
        "-1",
        "-1.0",
        "10000000000000",
        '"2024-01-15"',
        '"2024-01-15T10:30:00"',  # no zone: which moment is it?
        '"2024-02-30T10:30:00Z"',
        '"2024-01-15T10:30Z"',
        '"1969-12-31T23:59:59Z"',
        "[]",
        "{}",
    ],
)
def test_a_timestamp_is_epoch_ms_or_an_iso_date_time_and_nothing_else(tenant: Tenant, raw: str) -> None:
    """Nothing coerced (true was stored as 1, "12" as 12): a 400 naming the field, on the single
    and the batch push, and nothing stored."""
    single = f'{{"projectId": "{tenant.project_id}", "metricId": "m", "value": 1, "timestamp": {raw}}}'
    batch = f'{{"projectId": "{tenant.project_id}", "points": [{{"metricId": "m", "value": 1}}, ' + (
        f'{{"metricId": "m", "value": 1, "timestamp": {raw}}}]}}'
    )
    json_type = {"Content-Type": "application/json"}

    refused = assert_error(tenant.post("/metrics/custom", data=single, headers=json_type), 400, "Bad Request")
    refused_batch = assert_error(tenant.post("/metrics/custom/batch", data=batch, headers=json_type), 400)

    assert "epoch milliseconds" in refused["details"]["timestamp"]
    assert set(refused_batch["details"]) == {"points.1.timestamp"}
    assert listed(tenant)["pagination"]["total"] == 0


def test_an_iso_timestamp_is_stored_as_epoch_ms(tenant: Tenant) -> None:
    at = ms(2024, 1, 15, 10, 30) + 250
    push(tenant, "iso", 1, "2024-01-15T11:30:00.250+01:00")
    body = {"metricId": "iso", "value": 2, "timestamp": "2024-01-15T10:30:00.250999Z"}
    # 1705314600250.0 is what JSON Schema calls an integer too (the schema says integer)
    integral = {"metricId": "iso", "value": 3, "timestamp": float(at)}
    batch = tenant.post(
        "/metrics/custom/batch", json={"projectId": tenant.project_id, "points": [body, integral]}
    )
    assert batch.status_code == 201, batch.text

    assert [p["timestamp"] for p in listed(tenant, metricIds="iso")["data"]] == [at, at, at]


@pytest.mark.parametrize("raw", ["1e-131", "5e-324", "-1e-200", "1e126", "-9.99e125"])
def test_numbers_dynamodb_cannot_hold_are_400_naming_the_field(tenant: Tenant, raw: str) -> None:
    single = f'{{"projectId": "{tenant.project_id}", "metricId": "m", "value": {raw}}}'
    batch = f'{{"projectId": "{tenant.project_id}", "points": [{{"metricId": "m", "value": {raw}}}]}}'
    metadata = (
        f'{{"projectId": "{tenant.project_id}", "metricId": "m", "value": 1, "metadata": {{"x": {raw}}}}}'
    )
    json_headers = {"Content-Type": "application/json"}

    for path, raw_body, field in (
        ("/metrics/custom", single, "value"),
        ("/metrics/custom/batch", batch, "points.0.value"),
        ("/metrics/custom", metadata, "metadata"),
    ):
        body = assert_error(tenant.post(path, data=raw_body, headers=json_headers), 400, "Bad Request")
        assert field in body["details"], body
        assert "1e-130" in body["details"][field] or "finite" in body["details"][field], body
    assert listed(tenant)["pagination"]["total"] == 0


@pytest.mark.parametrize("value", [1e-130, -1e-130, 0.0, -0.0, 1e15, 1.2345678901234567e-100])
def test_numbers_at_the_edges_are_stored_and_read_back(tenant: Tenant, value: float) -> None:
    pushed = tenant.post(
        "/metrics/custom",
        json={
            "projectId": tenant.project_id,
            "metricId": "edge",
            "value": value,
            "timestamp": ms(2024, 1, 2),
        },
    )

    assert pushed.status_code == 201, pushed.text
    assert listed(tenant)["data"][0]["value"] == value


def test_a_rollup_sum_that_cancels_below_dynamodb_range_reads_as_zero(tenant: Tenant) -> None:
    for value in (1.0000000000000002e-125, -1e-125):  # the float sum is ~1e-141: not storable
        pushed = tenant.post(
            "/metrics/custom",
            json={
                "projectId": tenant.project_id,
                "metricId": "cancel",
                "value": value,
                "timestamp": ms(2024, 1, 2),
            },
        )
        assert pushed.status_code == 201, pushed.text

    series = timeseries(tenant, "cancel", startDate="2024-01-01", endDate="2024-01-31", aggregation="sum")

    assert series["data"] == [{"timestamp": ms(2024, 1, 2), "value": 0}]


def test_query_parameter_errors_name_the_parameter(tenant: Tenant) -> None:
    body = assert_error(tenant.get("/metrics", params={"projectId": "a#b"}), 400, "Bad Request")

    assert body["message"].startswith("Invalid parameter: projectId: ")
    assert list(body["details"]) == ["projectId"]


def test_nan_and_infinity_are_not_json(tenant: Tenant) -> None:
    for literal in ("NaN", "Infinity", "-Infinity"):
        raw = f'{{"projectId": "{tenant.project_id}", "metricId": "m", "value": {literal}}}'
        assert_error(
            tenant.post("/metrics/custom", data=raw, headers={"Content-Type": "application/json"}), 400
        )
    assert listed(tenant)["pagination"]["total"] == 0


def test_retry_with_the_same_idempotency_key_stores_one_point(tenant: Tenant) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"projectId": tenant.project_id, "metricId": "idem", "value": 7, "timestamp": ms(2024, 1, 2)}

    first = tenant.post("/metrics/custom", json=body, headers=key)
    second = tenant.post("/metrics/custom", json=body, headers=key)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert listed(tenant)["pagination"]["total"] == 1
    assert timeseries(tenant, "idem", startDate="2024-01-01", endDate="2024-01-31", aggregation="count")[
        "data"
    ] == [{"timestamp": ms(2024, 1, 2), "value": 1}]
    conflict = tenant.post("/metrics/custom", json={**body, "value": 8}, headers=key)
    assert "Idempotency-Key" in assert_error(conflict, 409, "Conflict")["message"]
    assert listed(tenant)["pagination"]["total"] == 1
    # Without a key every push is a new point; with a fresh key too.
    push(tenant, "idem", 7, ms(2024, 1, 2))
    assert tenant.post("/metrics/custom", json=body, headers={"Idempotency-Key": "other"}).status_code == 201
    assert listed(tenant)["pagination"]["total"] == 3


def test_idempotency_keys_are_per_workspace(tenant: Tenant, other_tenant: Tenant) -> None:
    key = {"Idempotency-Key": "shared-key-1"}
    a = tenant.post(
        "/metrics/custom", json={"projectId": tenant.project_id, "metricId": "m", "value": 1}, headers=key
    )
    b = other_tenant.post(
        "/metrics/custom",
        json={"projectId": other_tenant.project_id, "metricId": "m", "value": 1},
        headers=key,
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["metricId"] != b.json()["metricId"]
    assert listed(other_tenant)["pagination"]["total"] == 1


def test_idempotency_keys_are_per_project(tenant: Tenant) -> None:
    """Two projects' clients that pick the same key, each with a key bound to its project and no
    projectId: each push is stored in its own project, and neither answer names the other's point."""
    second = tenant.add_project("Second")
    keys = [t.create_key("editor", projectIds=[t.project_id]) for t in (tenant, second)]
    body = {"metricId": "sales", "value": 5000}
    header = {"Idempotency-Key": "sale-2026-11-23"}
    answers = [key.post("/metrics/custom", json=body, headers=header) for key in keys]
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json()["metricId"] != answers[1].json()["metricId"]
    for project in (tenant, second):
        assert listed(project)["pagination"]["total"] == 1
    # The same push with projectId sent by the workspace-wide key is the same push: a replay.
    replay = tenant.post("/metrics/custom", json={**body, "projectId": tenant.project_id}, headers=header)
    assert replay.status_code == 201 and replay.json() == answers[0].json()
    assert listed(tenant)["pagination"]["total"] == 1


def test_bad_idempotency_key_is_400(tenant: Tenant) -> None:
    body = {"projectId": tenant.project_id, "metricId": "m", "value": 1}
    assert_error(tenant.post("/metrics/custom", json=body, headers={"Idempotency-Key": "x" * 300}), 400)


def test_batch_push_returns_ids_in_order(tenant: Tenant) -> None:
    start = ms(2024, 1, 1)
    points = [
        {"metricId": "batch_a" if i % 2 else "batch_b", "value": i, "timestamp": start + i * HOUR}
        for i in range(50)
    ]
    response = tenant.post("/metrics/custom/batch", json={"projectId": tenant.project_id, "points": points})

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["success"] is True and body["count"] == 50 and len(set(body["metricIds"])) == 50
    stored = {p["id"]: p for p in listed(tenant, limit=1000)["data"]}
    for point_id, sent in zip(body["metricIds"], points, strict=True):
        assert stored[point_id]["value"] == sent["value"] and stored[point_id]["metricId"] == sent["metricId"]
    day = timeseries(tenant, "batch_a", startDate="2024-01-01", endDate="2024-01-03", aggregation="count")
    assert [p["value"] for p in day["data"]] == [12, 12, 1]  # odd hours of 1, 2 and 3 January


def test_batch_is_all_or_nothing(tenant: Tenant) -> None:
    points = [{"metricId": "atomic", "value": i} for i in range(10)]
    points[7] = {"metricId": "atomic", "value": float("inf")}
    raw = {"projectId": tenant.project_id, "points": points}
    import json

    text = json.dumps(raw).replace("Infinity", "1e999")  # JSON has no Infinity: an out-of-range number
    body = assert_error(
        tenant.post("/metrics/custom/batch", data=text, headers={"Content-Type": "application/json"}), 400
    )
    assert "points.7" in body["message"]
    points[7] = {"metricId": "atomic", "value": 1, "metadata": {"k": "v" * 9000}}
    body = assert_error(tenant.post("/metrics/custom/batch", json={**raw, "points": points}), 400)
    assert "points.7.metadata" in body["message"]
    assert listed(tenant)["pagination"]["total"] == 0
    too_many = [{"metricId": "atomic", "value": 1}] * 1001
    assert_error(tenant.post("/metrics/custom/batch", json={**raw, "points": too_many}), 400)


def test_batch_retry_with_the_same_key_stores_once(tenant: Tenant) -> None:
    key = {"Idempotency-Key": "batch-" + uuid.uuid4().hex}
    payload = {
        "projectId": tenant.project_id,
        "points": [{"metricId": "bi", "value": i, "timestamp": ms(2024, 2, 1) + i} for i in range(20)],
    }
    first = tenant.post("/metrics/custom/batch", json=payload, headers=key)
    again = tenant.post("/metrics/custom/batch", json=payload, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert listed(tenant)["pagination"]["total"] == 20
    changed = {**payload, "points": payload["points"][:19]}
    assert_error(tenant.post("/metrics/custom/batch", json=changed, headers=key), 409)
    assert listed(tenant)["pagination"]["total"] == 20


# ----------------------------------------------------------------------------- roles, scopes, tenancy


def test_viewers_and_read_scoped_keys_cannot_push(tenant: Tenant) -> None:
    push(tenant, "m", 1, ms(2024, 1, 1))
    body = {"projectId": tenant.project_id, "metricId": "m", "value": 1}
    viewer = tenant.create_key("viewer")
    reader = tenant.create_key("editor", scopes=["metrics:read"])
    writer = tenant.create_key("editor", scopes=["metrics:write"])

    for key in (viewer, reader):
        assert_error(key.post("/metrics/custom", json=body), 403, "Forbidden")
        batch = {"projectId": tenant.project_id, "points": [{"metricId": "m", "value": 1}]}
        assert_error(key.post("/metrics/custom/batch", json=batch), 403)
        assert listed(key)["pagination"]["total"] == 1
    assert (
        "metrics:read"
        in assert_error(writer.get("/metrics", params={"projectId": tenant.project_id}), 403)["message"]
    )
    assert writer.post("/metrics/custom", json=body).status_code == 201


def test_a_project_bound_key_needs_no_project_id(tenant: Tenant) -> None:
    push(tenant, "bound", 1, ms(2024, 1, 1))
    bound = tenant.create_key("editor", projectIds=[tenant.project_id])
    response = bound.get("/metrics")
    assert response.status_code == 200 and response.json()["pagination"]["total"] == 1
    created = bound.post("/metrics/custom", json={"metricId": "bound", "value": 2})
    assert created.status_code == 201, created.text
    batch = bound.post("/metrics/custom/batch", json={"points": [{"metricId": "bound", "value": 3}]})
    assert batch.status_code == 201, batch.text
    assert_error(tenant.post("/metrics/custom", json={"metricId": "bound", "value": 2}), 400)


def test_another_tenants_project_is_403_and_nothing_leaks(tenant: Tenant, other_tenant: Tenant) -> None:
    secret = push(other_tenant, "secret_metric", 123, ms(2024, 1, 1))
    theirs = other_tenant.project_id
    window = {"projectId": theirs, "startDate": "2024-01-01", "endDate": "2024-01-31"}

    assert_error(tenant.get("/metrics", params={"projectId": theirs}), 403, "Forbidden")
    assert_error(tenant.get("/metrics/secret_metric/timeseries", params=window), 403, "Forbidden")
    assert_error(tenant.post("/metrics/custom", json={"projectId": theirs, "metricId": "x", "value": 1}), 403)
    assert_error(
        tenant.post(
            "/metrics/custom/batch", json={"projectId": theirs, "points": [{"metricId": "x", "value": 1}]}
        ),
        403,
    )
    mine = {**window, "projectId": tenant.project_id}
    assert_error(tenant.get("/metrics/secret_metric/timeseries", params=mine), 404)
    assert secret not in tenant.get("/metrics", params={"projectId": tenant.project_id}).text
    assert listed(other_tenant)["pagination"]["total"] == 1  # their data is untouched


def test_pushed_points_are_manual_and_synced_points_synced(tenant: Tenant) -> None:
    from tallyboard.logic import metrics as metrics_logic

    pushed = tenant.post(
        "/metrics/custom",
        json={"projectId": tenant.project_id, "metricId": "dq", "value": 1, "timestamp": ms(2024, 1, 2)},
    )
    assert pushed.status_code == 201
    synced = [
        {
            "metricId": "dq",
            "value": 2,
            "timestamp": ms(2024, 1, 3),
            "connectionId": "conn_1",
            "service": "stripe",
        }
    ]
    metrics_logic.record_points(tenant.workspace_id, tenant.project_id, synced)

    points = listed(tenant)["data"]

    assert [(p["value"], p["dataQuality"]) for p in points] == [(2, "synced"), (1, "manual")]


def test_twenty_concurrent_writers_on_one_metric_are_all_accepted_and_counted_once(
    make_tenant: Any, stack: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    tenant = make_tenant("enterprise", rate_limit_per_hour=100_000)
    base = ms(2024, 5, 1)

    def writer(w: int) -> list[int]:
        session = tenant.with_key(tenant.api_key)
        return [
            session.post(
                "/metrics/custom",
                json={
                    "projectId": tenant.project_id,
                    "metricId": "hot",
                    "value": 1,
                    "timestamp": base + w * 25 + i,
                },
                timeout=180,  # a loaded 2-core machine queues 20 writers behind moto
            ).status_code
            for i in range(25)
        ]

    with ThreadPoolExecutor(20) as pool:
        statuses = [s for batch in pool.map(writer, range(20)) for s in batch]

    assert statuses.count(201) == 500, {s: statuses.count(s) for s in set(statuses)}
    day = {"startDate": "2024-05-01", "endDate": "2024-05-01T23:59:59Z"}
    counted = timeseries(tenant, "hot", aggregation="count", **day)["data"]
    assert counted == [{"timestamp": base, "value": 500}]  # exact before and after the fold
    assert listed(tenant, metricIds="hot", **day)["pagination"]["total"] == 500
    stack.streams.drain()
    assert timeseries(tenant, "hot", aggregation="count", **day)["data"] == counted
    assert listed(tenant, **day)["pagination"]["total"] == 500
