"""Exports over real HTTP: create → poll → download through the real state machine (moto's
interpreter) and moto S3, the file formats, the per-project lock, cancel, failures of every
kind ending `failed` with nothing left behind, access rules and the audit trail."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from tallyboard.data import audit as audit_data
from tallyboard.data import export_files
from tallyboard.data import exports as exports_data
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tallyboard_local.stack import LocalStack, wait_for_workflows
from tests.conftest import Tenant, assert_error

CSV_HEADER = ["Type", "ID", "Name", "Value", "Unit", "Timestamp", "Service", "Status", "Created At"]
SECRET_TOKEN = "sk_live_planted_secret_0123456789"
DAY_MS = 86_400_000


def wait_for(
    tenant: Tenant, job_id: str, statuses: tuple[str, ...] = ("completed", "failed", "cancelled")
) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = tenant.get(f"/exports/{job_id}")
        assert response.status_code == 200, response.text
        job = response.json()
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"export {job_id} still {job['status']}")


def create(tenant: Tenant, **body: Any) -> requests.Response:
    return tenant.post("/exports", json={"projectId": tenant.project_id, **body})


def export(tenant: Tenant, **body: Any) -> tuple[dict, bytes]:
    created = create(tenant, **body)
    assert created.status_code == 202, created.text
    job = wait_for(tenant, created.json()["exportJobId"])
    assert job["status"] == "completed", job
    download = requests.get(job["downloadUrl"], timeout=30)
    assert download.status_code == 200
    return job, download.content


def open_uploads() -> list[dict]:
    s3 = boto3.client("s3")
    return s3.list_multipart_uploads(Bucket=get_settings().export_bucket).get("Uploads", [])


def uploads_of(tenant: Tenant) -> list[dict]:
    return [u for u in open_uploads() if f"/{tenant.workspace_id}/" in u["Key"]]


@pytest.fixture
def project(tenant: Tenant) -> Tenant:
    """A project with a pushed metric, a connection holding a secret, a dashboard with a widget
    whose title would be a spreadsheet formula."""
    now = int(time.time() * 1000)
    for index, value in enumerate((10, -5, 2.5)):
        pushed = tenant.post(
            "/metrics/custom",
            json={
                "projectId": tenant.project_id,
                "metricId": "custom_sales",
                "metricName": "Sales, gross",
                "value": value,
                "unit": "USD",
                "timestamp": now - (3 - index) * 60_000,
            },
        )
        assert pushed.status_code == 201, pushed.text
    connection = tenant.post(
        "/connections",
        json={
            "projectId": tenant.project_id,
            "service": "stripe",
            "category": "payment",
            "authType": "api_key",
            "credentials": {"apiKey": SECRET_TOKEN},
        },
    )
    assert connection.status_code == 201, connection.text
    dashboard = tenant.post(
        "/dashboards", json={"projectId": tenant.project_id, "name": '=HYPERLINK("x")', "type": "custom"}
    )
    assert dashboard.status_code == 201, dashboard.text
    widget = tenant.post(
        f"/dashboards/{dashboard.json()['data']['id']}/widgets",
        json={
            "type": "metric",
            "title": "Sales",
            "position": {"x": 0, "y": 0, "w": 4, "h": 2},
            "visible": True,
            "config": {"metricId": "custom_sales"},
        },
    )
    assert widget.status_code == 201, widget.text
    return tenant


# ------------------------------------------------------------------ the seed's flow and formats


def test_json_export_is_the_documents_layout(project: Tenant) -> None:
    job, content = export(project, format="json", dateRange="last_7_days", includeAll=True)

    document = json.loads(content)
    assert list(document) == [
        "exportedAt",
        "dateRange",
        "project",
        "metrics",
        "connections",
        "dashboards",
        "auditLogs",
    ]
    assert document["dateRange"] == job["dateRange"]
    assert set(document["project"]) == {"id", "name", "slug", "createdAt"}
    assert document["project"]["id"] == project.project_id
    assert sorted(m["value"] for m in document["metrics"]) == [-5, 2.5, 10]
    metric = document["metrics"][0]
    assert set(metric) == {
        "id",
        "metricId",
        "metricName",
        "value",
        "unit",
        "timestamp",
        "service",
        "metadata",
        "dataQuality",
        "createdAt",
    }
    assert metric["dataQuality"] == "manual" and metric["metricName"] == "Sales, gross"
    (connection,) = document["connections"]
    assert connection["serviceName"] == "Stripe" and "credentials" not in connection
    (dashboard,) = document["dashboards"]
    assert dashboard["widgets"][0]["title"] == "Sales"
    # The range ends when the export was created: the project's writes up to then.
    assert {"connection_created", "dashboard_created"} <= {entry["action"] for entry in document["auditLogs"]}
    assert job["recordCount"] == 3 + 1 + 1 + len(document["auditLogs"])
    assert job["sizeBytes"] == len(content) and job["progress"] == 100
    assert job["expiresAt"] == job["completedAt"] + DAY_MS


def test_csv_export_rows_quoting_and_formula_neutralisation(project: Tenant) -> None:
    _, content = export(
        project, format="csv", dateRange="all_time", includeMetrics=True, includeDashboards=True
    )

    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    assert rows[0] == CSV_HEADER
    by_type: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        by_type.setdefault(row[0], []).append(row)
    assert set(by_type) == {"Metric", "Dashboard"}
    values = sorted(float(r[3]) for r in by_type["Metric"])
    assert values == [-5, 2.5, 10]  # a negative number is a number, not a neutralised formula
    assert all(r[2] == "Sales, gross" and r[4] == "USD" and r[5].endswith("Z") for r in by_type["Metric"])
    (dashboard,) = by_type["Dashboard"]
    assert (
        dashboard[2] == '\'=HYPERLINK("x")'
        and dashboard[3:5] == ["1", "widgets"]
        and dashboard[7] == "custom"
    )
    assert b"\r\n" in content  # RFC 4180 line ends


def test_no_secret_ever_reaches_an_export_file(project: Tenant) -> None:
    from tallyboard.logic.keys import hash_key

    planted = [SECRET_TOKEN, project.api_key, hash_key(project.api_key)]
    for fmt in ("json", "csv"):
        _, content = export(project, format=fmt, includeAll=True)
        text = content.decode("utf-8")
        assert [secret for secret in planted if secret in text] == [], fmt


def test_date_range_presets_and_custom_ranges_select_points(project: Tenant) -> None:
    now = int(time.time() * 1000)
    old = project.post(
        "/metrics/custom",
        json={
            "projectId": project.project_id,
            "metricId": "custom_sales",
            "value": 99,
            "timestamp": now - 40 * DAY_MS,
        },
    )
    assert old.status_code == 201

    def values(date_range: Any) -> list[float]:
        _, content = export(project, format="json", dateRange=date_range, includeMetrics=True)
        return sorted(m["value"] for m in json.loads(content)["metrics"])

    assert values("last_30_days") == [-5, 2.5, 10]
    assert values("last_90_days") == [-5, 2.5, 10, 99]
    assert values({"startDate": now - 41 * DAY_MS, "endDate": now - 39 * DAY_MS}) == [99]
    iso = {"startDate": "1970-01-01T00:00:00Z", "endDate": "2100-01-01"}
    assert values(iso) == [-5, 2.5, 10, 99]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "xml"}, "format"),
        ({"dateRange": "last_week"}, "dateRange"),
        ({"dateRange": {"startDate": "yesterday", "endDate": "2024-01-01"}}, "dateRange.startDate"),
        ({"dateRange": {"startDate": 2, "endDate": 1}}, "dateRange.endDate"),
        (
            {
                "includeMetrics": False,
                "includeConnections": False,
                "includeDashboards": False,
                "includeAuditLogs": False,
            },
            "body",
        ),
        ({"includeEverything": True}, "includeEverything"),
        ({"includeAll": 0}, "includeAll"),  # a boolean, as the spec says: never 0 or 1
        ({"includeMetrics": 1}, "includeMetrics"),
        ({"dateRange": {"startDate": "", "endDate": "2024-01-01"}}, "dateRange.startDate"),
    ],
)
def test_invalid_export_requests_are_400_naming_the_field(tenant: Tenant, body: dict, field: str) -> None:
    response = create(tenant, **body)

    payload = assert_error(response, 400, "Bad Request")
    assert any(key.startswith(field.split(".")[0]) for key in payload.get("details", {"body": ""})), payload
    assert tenant.get("/exports", params={"projectId": tenant.project_id}).json()["data"] == []


# ------------------------------------------------------------------ one export at a time


def test_twenty_concurrent_creates_start_exactly_one(tenant: Tenant, slow_writes: threading.Event) -> None:
    results: list[requests.Response] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(20)

    def attempt() -> None:
        barrier.wait()
        try:
            results.append(
                tenant.with_key(tenant.api_key).post("/exports", json={"projectId": tenant.project_id})
            )
        except requests.RequestException as error:
            errors.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    slow_writes.set()  # the winner's writer was held: none of the 20 could see it finish

    assert errors == []
    statuses = sorted(r.status_code for r in results)
    assert statuses == [202] + [409] * 19, statuses
    conflict = next(r for r in results if r.status_code == 409)
    assert assert_error(conflict, 409, "Conflict")["message"] == "Another export is in progress"
    (winner,) = [r for r in results if r.status_code == 202]
    assert wait_for(tenant, winner.json()["exportJobId"])["status"] == "completed"
    assert create(tenant).status_code == 202  # the lock is released on completion


def test_history_is_newest_first_and_kept_thirty_days(tenant: Tenant) -> None:
    ids = []
    for _ in range(3):
        created = create(tenant)
        ids.append(created.json()["exportJobId"])
        wait_for(tenant, ids[-1])

    listed = tenant.get("/exports", params={"projectId": tenant.project_id, "limit": 2})

    assert listed.status_code == 200
    body = listed.json()
    assert [j["exportJobId"] for j in body["data"]] == ids[::-1][:2]
    assert body["pagination"]["hasMore"] is True and all(
        "downloadUrl" not in j or j["downloadUrl"] is None for j in body["data"]
    )
    stored = exports_data.get_job(tenant.workspace_id, ids[0])
    assert stored["expiresAt"] == stored["createdAt"] // 1000 + 30 * 86_400


def test_a_file_past_its_24_hours_is_gone(tenant: Tenant) -> None:
    created = create(tenant)
    job_id = created.json()["exportJobId"]
    wait_for(tenant, job_id)
    exports_data.update_job(tenant.workspace_id, job_id, {"downloadExpiresAt": 1}, ["completed"])

    job = tenant.get(f"/exports/{job_id}").json()

    assert job["status"] == "completed" and job["downloadUrl"] is None and job["fileExpired"] is True


# ------------------------------------------------------------------ cancel and failures


@pytest.fixture
def slow_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds the writer of this test's workspace inside its first record until released."""
    from tallyboard.logic import export_workflow

    release = threading.Event()
    original = export_workflow._records

    def held(data_type: str, ws: str, *args: Any) -> Iterator[dict[str, Any]]:
        release.wait(timeout=30)
        return original(data_type, ws, *args)

    monkeypatch.setattr(export_workflow, "_records", held)
    yield release
    release.set()


def test_cancel_mid_run_leaves_nothing_behind(tenant: Tenant, slow_writes: threading.Event) -> None:
    job_id = create(tenant).json()["exportJobId"]
    deadline = time.monotonic() + 30
    while not (exports_data.get_job(tenant.workspace_id, job_id) or {}).get("uploadId"):
        assert time.monotonic() < deadline, "the writer never started its upload"
        time.sleep(0.05)

    cancelled = tenant.delete(f"/exports/{job_id}")
    slow_writes.set()

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    wait_for_workflows()
    assert tenant.get(f"/exports/{job_id}").json()["status"] == "cancelled"
    assert uploads_of(tenant) == []
    assert (
        export_files.object_size(f"exports/{tenant.workspace_id}/{tenant.project_id}/{job_id}.json") is None
    )
    assert create(tenant).status_code == 202  # the lock is released
    assert_error(tenant.delete(f"/exports/{job_id}"), 409)


def _fail_inside_the_writer(
    monkeypatch: pytest.MonkeyPatch, tenant: Tenant, error: BaseException, after: int
) -> None:
    """The tenant's writer raises `error` after `after` records (an S3 or DynamoDB failure, or a
    timeout that kills the function before it can clean up)."""
    from tallyboard.logic import export_workflow

    original = export_workflow._records

    def failing(data_type: str, ws: str, *args: Any) -> Iterator[dict[str, Any]]:
        for index, record in enumerate(original(data_type, ws, *args)):
            if ws == tenant.workspace_id and index >= after:
                raise error
            yield record

    monkeypatch.setattr(export_workflow, "_records", failing)


def _client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)


@pytest.mark.parametrize(
    ("error", "wording"),
    [
        (_client_error("ValidationException", "Query"), "could not be completed"),
        (_client_error("AccessDenied", "UploadPart"), "could not be completed"),
        (type("Sandbox.Timedout", (Exception,), {})("Task timed out after 900.00 seconds"), "time limit"),
    ],
    ids=["dynamodb", "s3", "writer timeout"],
)
def test_a_failure_mid_export_ends_failed_with_nothing_left(
    project: Tenant, monkeypatch: pytest.MonkeyPatch, error: BaseException, wording: str
) -> None:
    _fail_inside_the_writer(monkeypatch, project, error, after=1)

    job = wait_for(project, create(project, includeMetrics=True).json()["exportJobId"])

    assert job["status"] == "failed" and wording in job["error"], job
    assert "injected" not in job["error"] and "Traceback" not in job["error"]
    assert job["downloadUrl"] is None
    wait_for_workflows()  # the failed status lands before the Catch's clean-up has run
    assert uploads_of(project) == []
    monkeypatch.undo()
    _, content = export(project)  # lock released: the next export succeeds
    assert json.loads(content)["metrics"]


# ------------------------------------------------------------------ access


def test_plans_without_exports_are_403_naming_exports(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("professional")

    for response in (create(tenant), tenant.get("/exports", params={"projectId": tenant.project_id})):
        assert "Exports" in assert_error(response, 403, "Forbidden")["message"]


@pytest.mark.parametrize(
    "key",
    [{"role": "viewer"}, {"role": "editor", "scopes": ["metrics:read", "metrics:write"]}],
    ids=["viewer", "scoped"],
)
def test_viewers_and_keys_without_export_write_cannot_export(tenant: Tenant, key: dict) -> None:
    narrow = tenant.create_key(**key)

    assert_error(create(narrow), 403, "Forbidden")
    assert tenant.get("/exports", params={"projectId": tenant.project_id}).json()["data"] == []


def test_a_project_bound_key_exports_its_project_without_naming_it(tenant: Tenant) -> None:
    bound = tenant.create_key("editor", projectIds=[tenant.project_id])

    created = bound.post("/exports", json={"format": "json", "dateRange": "last_7_days"})

    assert created.status_code == 202, created.text
    assert wait_for(bound, created.json()["exportJobId"])["status"] == "completed"


def test_exports_are_audited(tenant: Tenant) -> None:
    job_id = create(tenant).json()["exportJobId"]
    wait_for(tenant, job_id)
    tenant.get(f"/exports/{job_id}")

    entries = audit_data.list_entries(tenant.workspace_id, tenant.project_id, 0, MAX_TIMESTAMP_MS)

    actions = [e["action"] for e in entries if e["resourceId"] == job_id]
    assert {"export_created", "export_completed", "export_download_url_issued"} <= set(actions), actions


# ------------------------------------------------------------------ schedules


def test_a_scheduled_export_produces_a_downloadable_file(stack: LocalStack, project: Tenant) -> None:
    from tallyboard.data.export_schedules import schedule_name

    put = project.put(
        "/exports/schedule",
        params={"projectId": project.project_id},
        json={
            "frequency": "weekly",
            "dayOfWeek": "sunday",
            "hour": 3,
            "format": "csv",
            "dateRange": "last_7_days",
        },
    )
    assert put.status_code == 200, put.text
    schedule = put.json()
    assert project.get("/exports/schedule", params={"projectId": project.project_id}).json() == schedule
    assert (
        time.gmtime(schedule["nextRunAt"] / 1000).tm_wday == 6
        and time.gmtime(schedule["nextRunAt"] / 1000).tm_hour == 3
    )

    assert stack.schedules
    (answer,) = stack.schedules.fire_due(
        now=schedule["nextRunAt"], only=schedule_name(project.workspace_id, project.project_id)
    )

    job = wait_for(project, answer["exportJobId"])
    assert job["status"] == "completed" and job["trigger"] == "schedule" and job["format"] == "csv"
    rows = list(csv.reader(io.StringIO(requests.get(job["downloadUrl"], timeout=30).text)))
    assert rows[0] == CSV_HEADER and any(r[0] == "Metric" for r in rows[1:])
    assert project.delete("/exports/schedule", params={"projectId": project.project_id}).status_code == 204
    assert_error(project.get("/exports/schedule", params={"projectId": project.project_id}), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"frequency": "daily"},
        {"frequency": "weekly", "dayOfMonth": 3},
        {"frequency": "monthly", "dayOfMonth": 31},
        {"frequency": "weekly", "hour": 24},
        {"frequency": "weekly", "dateRange": {"startDate": 1, "endDate": 2}},
    ],
)
def test_invalid_schedules_are_400(tenant: Tenant, body: dict) -> None:
    response = tenant.put("/exports/schedule", params={"projectId": tenant.project_id}, json=body)

    assert_error(response, 400, "Bad Request")
    assert_error(tenant.get("/exports/schedule", params={"projectId": tenant.project_id}), 404)


# ------------------------------------------------------------------ fan-out (Distributed Map)


@pytest.fixture
def tiny_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of two points: a small project takes the path of one too large for one writer."""
    from tallyboard.logic import export_workflow

    monkeypatch.setattr(export_workflow, "SEGMENT_RECORDS", 2)


def _objects(tenant: Tenant) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(
        Bucket=get_settings().export_bucket, Prefix=f"exports/{tenant.workspace_id}/"
    )
    return [item["Key"] for item in listed.get("Contents", [])]


def _more_metrics(tenant: Tenant) -> None:
    now = int(time.time() * 1000)
    for metric in ("visits", "signups"):
        for offset, value in ((2, 100), (1, 200)):
            body = {
                "projectId": tenant.project_id,
                "metricId": metric,
                "value": value,
                "timestamp": now - offset * 60_000,
            }
            assert tenant.post("/metrics/custom", json=body).status_code == 201


@pytest.fixture
def unfolded(stack: LocalStack) -> Iterator[None]:
    """The aggregator folds nothing until the test ends: every point pushed stays pending."""
    with stack.streams.held():
        yield


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_project_too_large_for_one_writer_fans_out_into_one_file(
    unfolded: None, project: Tenant, tiny_segments: None, fmt: str
) -> None:
    # (`unfolded` first: the project's own points are pushed pending too; Prepare counts them)
    _more_metrics(project)

    job, content = export(project, format=fmt, includeAll=True)

    if fmt == "json":
        document = json.loads(content)
        points = document["metrics"]
        assert [len(document[k]) for k in ("connections", "dashboards")] == [1, 1] and document["auditLogs"]
        assert job["recordCount"] == sum(
            len(document[k]) for k in ("metrics", "connections", "dashboards", "auditLogs")
        )
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
        assert rows[0] == CSV_HEADER and job["recordCount"] == len(rows) - 1
        points = [{"value": float(r[3])} for r in rows[1:] if r[0] == "Metric"]
    assert sorted(p["value"] for p in points) == [-5, 2.5, 10, 100, 100, 200, 200]
    # Three segments were written by the Distributed Map and deleted once assembled.
    assert _objects(project) == [
        f"exports/{project.workspace_id}/{project.project_id}/{job['exportJobId']}.{fmt}"
    ]
    history = boto3.client("stepfunctions").get_execution_history(
        executionArn=exports_data.get_job(project.workspace_id, job["exportJobId"])["executionArn"]
    )["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e]
    assert {"WriteSegments", "Assemble"} <= set(entered) and "Write" not in entered, entered


def test_a_segment_that_fails_ends_the_export_failed_with_nothing_left(
    project: Tenant, tiny_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tallyboard.logic import export_workflow

    _more_metrics(project)
    original = export_workflow._metric_records

    def failing(
        ws: str, project_id: str, start: int, end: int, metric_id: str | None = None
    ) -> Iterator[dict]:
        for record in original(ws, project_id, start, end, metric_id):
            if ws == project.workspace_id and metric_id == "signups":
                raise _client_error("InternalError", "Query")
            yield record

    monkeypatch.setattr(export_workflow, "_metric_records", failing)

    job = wait_for(project, create(project, includeMetrics=True).json()["exportJobId"])

    assert job["status"] == "failed", job
    wait_for_workflows()  # the failed status lands before the Catch's clean-up has run
    assert uploads_of(project) == [] and _objects(project) == []
    monkeypatch.undo()
    assert export(project)[0]["status"] == "completed"


def test_cancelling_a_fanned_out_export_removes_its_segments(
    project: Tenant, tiny_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tallyboard.logic import export_workflow

    _more_metrics(project)
    release, assembling = threading.Event(), threading.Event()
    original = export_workflow.assemble

    def held(state: dict[str, Any]) -> dict[str, Any]:
        assembling.set()
        release.wait(timeout=30)
        return original(state)

    monkeypatch.setattr(export_workflow, "assemble", held)
    job_id = create(project, includeMetrics=True).json()["exportJobId"]
    assert assembling.wait(timeout=30), "the segments were never written"
    assert len(_objects(project)) == 3  # one object per segment, waiting to be assembled

    cancelled = project.delete(f"/exports/{job_id}")
    release.set()

    assert cancelled.status_code == 200
    wait_for_workflows()
    assert project.get(f"/exports/{job_id}").json()["status"] == "cancelled"
    assert _objects(project) == [] and uploads_of(project) == []
