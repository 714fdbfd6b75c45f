"""The exports pages' pure parts: the job page for each status, the history table, the form →
API body mapping (every include flag sent; the schedule's day that fits its frequency)."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.console import exports

JOB: dict[str, Any] = {
    "exportJobId": "exp_1",
    "projectId": "proj_1",
    "status": "processing",
    "format": "json",
    "dateRange": {"startDate": 0, "endDate": 86_400_000},
    "dataTypes": ["metrics", "auditLogs"],
    "progress": 42,
    "recordCount": 1234,
    "sizeBytes": None,
    "downloadUrl": None,
    "expiresAt": None,
    "error": None,
    "createdAt": 1_700_000_000_000,
    "completedAt": None,
}


def test_a_running_job_shows_its_progress_and_a_cancel_form() -> None:
    body = exports.job_body("/v1", "tok", JOB)

    assert '<progress id="export-progress" max="100" value="42">42 %</progress>' in body
    assert '<label for="export-progress">Progress</label>' in body
    assert 'action="/v1/console/exports/exp_1/cancel"' in body and 'value="tok"' in body
    assert '<dd class="records">1,234</dd>' in body and "download" not in body
    # console.js follows the region; the Cancel form is outside it
    region = body[body.index('<div id="job"') : body.index("</dl></div>")]
    assert 'data-follow="2"' in region and "cancel" not in region


def test_a_settled_job_is_not_followed() -> None:
    for status in ("completed", "failed", "cancelled"):
        assert "data-follow" not in exports.job_body("", "tok", {**JOB, "status": status})


def test_a_completed_job_links_its_signed_url_escaped_and_has_no_cancel() -> None:
    url = "https://s3.example/exports/f.json?X-Amz-Signature=a&b=<c>"
    job = {**JOB, "status": "completed", "progress": 100, "sizeBytes": 2048, "downloadUrl": url}
    job["expiresAt"] = 1_700_086_400_000

    body = exports.job_body("", "tok", job)

    assert 'href="https://s3.example/exports/f.json?X-Amz-Signature=a&amp;b=&lt;c&gt;"' in body
    assert '<dd class="size">2,048 bytes</dd>' in body and "/cancel" not in body
    assert '<dd class="expires">2023-11-15 22:13</dd>' in body
    assert 'value="100">100 %' in body


def test_a_completed_job_past_its_24_hours_says_the_file_is_gone() -> None:
    body = exports.job_body("", "tok", {**JOB, "status": "completed", "progress": 100})

    assert "The file has expired" in body and 'class="download"' not in body and "/cancel" not in body


def test_a_failed_job_shows_its_error_as_an_alert() -> None:
    body = exports.job_body("", "tok", {**JOB, "status": "failed", "error": "S3 <down>"})

    assert '<p class="error" role="alert">S3 &lt;down&gt;</p>' in body and "/cancel" not in body


def test_the_history_keeps_the_apis_order_and_escapes() -> None:
    jobs = [{**JOB, "exportJobId": "exp_2<", "status": "completed", "sizeBytes": 10}, JOB]

    table = exports.history_table("/v1", jobs)

    assert table.index("exp_2&lt;") < table.index(">exp_1<")
    assert 'href="/v1/console/exports/exp_2&lt;"' in table and "<td>10 bytes</td>" in table
    assert "No exports" in exports.history_table("", [])


def test_the_form_sends_every_include_flag_checked_or_not() -> None:
    assert exports.contents_of({"format": "csv", "dateRange": "all_time", "includeMetrics": "on"}) == {
        "format": "csv",
        "dateRange": "all_time",
        "includeAll": False,
        "includeMetrics": True,
        "includeConnections": False,
        "includeDashboards": False,
        "includeAuditLogs": False,
    }


@pytest.mark.parametrize(
    ("form", "day"),
    [
        ({"frequency": "weekly", "dayOfWeek": "friday", "dayOfMonth": "3"}, {"dayOfWeek": "friday"}),
        ({"frequency": "monthly", "dayOfWeek": "friday", "dayOfMonth": "3"}, {"dayOfMonth": 3}),
        ({"frequency": "monthly", "dayOfMonth": "x"}, {"dayOfMonth": "x"}),  # the API's 400 names it
    ],
)
def test_the_schedule_body_names_the_day_of_its_frequency(form: dict[str, str], day: dict[str, Any]) -> None:
    body = exports.schedule_of({**form, "hour": "6", "format": "json", "dateRange": "last_7_days"})

    assert {k: body[k] for k in ("frequency", "hour")} == {"frequency": form["frequency"], "hour": 6}
    assert {k: body[k] for k in ("dayOfWeek", "dayOfMonth") if k in body} == day


def test_the_schedule_form_shows_what_is_stored() -> None:
    stored = {
        "frequency": "monthly",
        "dayOfMonth": 15,
        "dayOfWeek": None,
        "hour": 23,
        "format": "csv",
        "dateRange": "last_90_days",
        "dataTypes": ["metrics"],
        "nextRunAt": 0,
    }

    form = exports.schedule_form("", "tok", "proj_1", stored)

    assert '<option value="monthly" selected>' in form and '<option value="csv" selected>' in form
    assert 'id="dayOfMonth" name="dayOfMonth" type="number" min="1" max="28" value="15"' in form
    assert 'id="includeMetrics" name="includeMetrics" checked' in form
    assert 'id="includeAll" name="includeAll">' in form  # one type: not everything
    assert 'name="projectId" value="proj_1"' in form
    assert "on day 15 of each month at 23:00 UTC" in exports.schedule_summary("", "tok", None, stored)
    assert "none is set" in exports.schedule_summary("", "tok", None, None)


def test_a_project_select_only_for_a_key_that_sees_several() -> None:
    two = [{"id": "proj_a", "name": "Alpha"}, {"id": "proj_b", "name": "<Beta>"}]

    picker = exports.project_picker("/v1", "exports", two, "proj_b")

    assert 'action="/v1/console/exports"' in picker and 'method="get"' in picker
    assert '<option value="proj_b" selected>&lt;Beta&gt;</option>' in picker
    assert exports.project_picker("", "exports", two[:1], "proj_a") == ""
    assert (
        exports.with_project("/console/exports/schedule", "proj_b")
        == "/console/exports/schedule?project=proj_b"
    )
