"""The export workflow's steps (statemachines/export.asl.json): prepare → write → finalize, and
fail (the Catch of every step). Each step is its own Lambda function and takes and returns the
execution's state: {workspaceId, projectId, exportJobId, …}.

- write streams the records page by page into an S3 multipart upload: memory holds one Query
  page and one part, whatever the export's size. It records the upload on the job before the
  first byte, so whatever ends a run (an error, a timeout that kills the function, a cancel)
  can abort it; a retried write drops the earlier attempt's upload and starts over.
- every status move is conditional on the job being active: a cancelled job stays cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import audit as audit_data
from tallyboard.data import connections, dashboards, entities, export_files, exports, metrics
from tallyboard.ids import now_ms
from tallyboard.logic import audit, export_formats
from tallyboard.logic.connections import public_connection
from tallyboard.logic.dashboards import public_dashboard, public_widget, slugify
from tallyboard.logic.exports import ACTIVE, DOWNLOAD_HOURS, clean_up
from tallyboard.models.metrics import data_quality
from tallyboard.plans import get_plan

CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
PROGRESS_EVERY_RECORDS = 5_000
PROGRESS_EVERY_SECONDS = 2.0
# Step Functions errors that mean the function ran out of time rather than failed.
TIMEOUT_ERRORS = {"States.Timeout", "Sandbox.Timedout", "Lambda.Timeout"}


class Cancelled(Exception):
    """The job left `processing` while the file was being written."""


def _job_caller(job: dict[str, Any], actor: str) -> Caller:
    workspace = entities.get_workspace(job["workspaceId"]) or {}
    plan = get_plan(workspace.get("plan", "free"))
    return Caller.system(job["workspaceId"], job.get("userId", ""), actor, plan, job["projectId"])


# ----------------------------------------------------------------------------- prepare


def prepare(state: dict[str, Any]) -> dict[str, Any]:
    """Mark the job processing and estimate its record count (for progress)."""
    ws, project_id, job_id = state["workspaceId"], state["projectId"], state["exportJobId"]
    if not exports.update_job(ws, job_id, {"status": "processing", "startedAt": now_ms()}, ACTIVE):
        return {**state, "cancelled": True}
    job = exports.get_job(ws, job_id) or {}
    estimate = 0
    if "metrics" in job.get("dataTypes", []):
        estimate = sum(int(entry.get("pointCount", 0)) for entry in metrics.catalog_entries(ws, project_id))
    return {**state, "estimatedRecords": estimate}


# ----------------------------------------------------------------------------- write


class _Progress:
    """Writes progress and recordCount to the job every few thousand records or seconds; the
    write is conditional on `processing`, so it is also how the writer learns of a cancel."""

    def __init__(self, ws: str, job_id: str, estimate: int):
        self.ws, self.job_id, self.estimate = ws, job_id, max(estimate, 1)
        self.next_count, self.next_time = PROGRESS_EVERY_RECORDS, time.monotonic() + PROGRESS_EVERY_SECONDS

    def tick(self, records: int, final: bool = False) -> None:
        if not final and records < self.next_count and time.monotonic() < self.next_time:
            return
        self.next_count = records + PROGRESS_EVERY_RECORDS
        self.next_time = time.monotonic() + PROGRESS_EVERY_SECONDS
        percent = min(99, records * 100 // self.estimate)
        if not exports.update_job(
            self.ws, self.job_id, {"progress": percent, "recordCount": records}, ["processing"]
        ):
            raise Cancelled()


def _project(ws: str, project_id: str) -> dict[str, Any]:
    project = entities.get_project(ws, project_id) or {"id": project_id, "name": project_id, "createdAt": 0}
    return {
        "id": project["id"],
        "name": project["name"],
        "slug": project.get("slug") or slugify(project["name"]),
        "createdAt": project["createdAt"],
    }


def _metric_records(ws: str, project_id: str, start: int, end: int) -> Iterator[dict[str, Any]]:
    for point in metrics.iter_project_points(ws, project_id, start, end, now_ms() // 1000):
        yield {
            "id": point["id"],
            "metricId": point["metricId"],
            "metricName": point.get("metricName") or point["metricId"],
            "value": point["value"],
            "unit": point.get("unit"),
            "timestamp": point["timestamp"],
            "service": point.get("service"),
            "metadata": point.get("metadata") or {},
            "dataQuality": data_quality(point.get("connectionId")),
            "createdAt": point["createdAt"],
        }


def _connection_records(ws: str, project_id: str) -> Iterator[dict[str, Any]]:
    for record in connections.list_for_project(ws, project_id):
        # The public shape: credentials are not part of it (and are never read here).
        yield public_connection(record).model_dump(exclude={"projectId"})


def _dashboard_records(ws: str, project_id: str) -> Iterator[dict[str, Any]]:
    for listed in dashboards.list_for_project(ws, project_id):
        dashboard, widgets = dashboards.get_with_widgets(ws, listed["id"])
        if dashboard is None:
            continue
        yield {
            **public_dashboard(dashboard).model_dump(exclude={"projectId"}),
            "widgets": [public_widget(w).model_dump(exclude={"dashboardId"}) for w in widgets],
        }


def _audit_records(ws: str, project_id: str, start: int, end: int) -> Iterator[dict[str, Any]]:
    for entry in audit_data.iter_entries(ws, project_id, start, end, newest_first=False):
        yield {k: entry.get(k) for k in audit.PUBLIC_FIELDS}


def _records(data_type: str, ws: str, project_id: str, start: int, end: int) -> Iterator[dict[str, Any]]:
    if data_type == "metrics":
        return _metric_records(ws, project_id, start, end)
    if data_type == "connections":
        return _connection_records(ws, project_id)
    if data_type == "dashboards":
        return _dashboard_records(ws, project_id)
    return _audit_records(ws, project_id, start, end)


def object_key(job: dict[str, Any]) -> str:
    return f"exports/{job['workspaceId']}/{job['projectId']}/{job['id']}.{job['format']}"


def write(state: dict[str, Any]) -> dict[str, Any]:
    """Stream the export into S3; returns the state with the object's key, size and records."""
    ws, job_id = state["workspaceId"], state["exportJobId"]
    job = exports.get_job(ws, job_id)
    if state.get("cancelled") or job is None or job["status"] != "processing":
        return {**state, "cancelled": True}
    if job.get("uploadId"):  # a retried attempt: the earlier one's upload is dropped
        export_files.abort_upload(job["objectKey"], job["uploadId"])
    key = object_key(job)
    upload = export_files.MultipartUpload.start(key, CONTENT_TYPES[job["format"]])
    if not exports.update_job(ws, job_id, {"uploadId": upload.upload_id, "objectKey": key}, ["processing"]):
        upload.abort()
        return {**state, "cancelled": True}
    progress = _Progress(ws, job_id, int(state.get("estimatedRecords", 0)))
    writer = export_formats.open_writer(job["format"], upload)
    start, end = job["dateRange"]["startDate"], job["dateRange"]["endDate"]
    try:
        writer.begin(now_ms(), job["dateRange"], _project(ws, job["projectId"]))
        for data_type in job["dataTypes"]:
            writer.section(data_type)
            for record in _records(data_type, ws, job["projectId"], start, end):
                writer.write(data_type, record)
                progress.tick(writer.records)
        writer.end()
        progress.tick(writer.records, final=True)  # a job cancelled meanwhile gets no file
    except Cancelled:
        upload.abort()
        return {**state, "cancelled": True}
    size = upload.complete()
    return {**state, "objectKey": key, "sizeBytes": size, "recordCount": writer.records}


# ----------------------------------------------------------------------------- finalize / fail


def finalize(state: dict[str, Any]) -> dict[str, Any]:
    """Completed: size and counts from S3 and the writer, the download window, lock released."""
    ws, job_id = state["workspaceId"], state["exportJobId"]
    job = exports.get_job(ws, job_id)
    if state.get("cancelled") or job is None or job["status"] != "processing":
        return {**state, "cancelled": True}
    size = export_files.object_size(state["objectKey"])
    if size is None:
        raise RuntimeError("The export file is missing after the write")
    completed_at = now_ms()
    changes = {
        "status": "completed",
        "progress": 100,
        "recordCount": state["recordCount"],
        "sizeBytes": size,
        "completedAt": completed_at,
        "downloadExpiresAt": completed_at + DOWNLOAD_HOURS * 3_600_000,
    }
    if exports.update_job(ws, job_id, changes, ["processing"], remove=["uploadId"]):
        exports.release_lock(ws, state["projectId"], job_id)
        audit.record(
            _job_caller(job, "export-workflow"),
            "export.complete",
            "export",
            job_id,
            project_id=state["projectId"],
            metadata={"recordCount": state["recordCount"], "sizeBytes": size},
        )
    return {**state, "status": "completed", "sizeBytes": size}


def failure_message(error: dict[str, Any] | None) -> str:
    """A message for the client: what went wrong in words, never a stack trace or internals."""
    name = (error or {}).get("Error") or "Unknown"
    if name in TIMEOUT_ERRORS:
        return "The export took longer than its time limit. Try a shorter date range, or try again."
    if "Throttl" in name or "ProvisionedThroughput" in name or name.startswith("Lambda."):
        return "The export could not finish because the service was busy. Try again in a few minutes."
    return f"The export could not be completed ({name}). Try again; contact support if it persists."


def fail(state: dict[str, Any]) -> dict[str, Any]:
    """The Catch of every step: failed with a readable error, upload aborted, lock released."""
    ws, job_id = state["workspaceId"], state["exportJobId"]
    message = failure_message(state.get("error"))
    failed = exports.update_job(
        ws, job_id, {"status": "failed", "error": message, "completedAt": now_ms()}, ACTIVE
    )
    clean_up(ws, job_id)
    if failed:
        job = exports.get_job(ws, job_id) or {}
        audit.record(
            _job_caller(job, "export-workflow"),
            "export.fail",
            "export",
            job_id,
            project_id=state["projectId"],
            metadata={"error": (state.get("error") or {}).get("Error", "Unknown")},
        )
    return {**state, "status": "failed", "message": message}
