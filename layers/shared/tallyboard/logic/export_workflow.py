"""The export workflow's steps (statemachines/export.asl.json): prepare → write → finalize, or
for a project too large for one writer prepare → write_segment for each segment (a Distributed Map) →
assemble → finalize; fail is the Catch of every step. Each step is its own Lambda function and
takes and returns the execution's state: {workspaceId, projectId, exportJobId, …}.

- write streams the records page by page into an S3 multipart upload: memory holds one Query
  page and one part, whatever the export's size. It records the upload on the job before the
  first byte, so whatever ends a run (an error, a timeout that kills the function, a cancel)
  can abort it; a retried write drops the earlier attempt's upload and starts over.
- every status move is conditional on the job being active: a cancelled job stays cancelled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import audit as audit_data
from tallyboard.data import connections, entities, export_files, exports
from tallyboard.data.dashboards import dashboards
from tallyboard.data.metrics import reads as metric_reads
from tallyboard.ids import now_ms
from tallyboard.logic import audit, export_formats
from tallyboard.logic.connections import public_connection
from tallyboard.logic.dashboards.dashboards import public_dashboard, public_widget, slugify
from tallyboard.logic.exports import ACTIVE, DOWNLOAD_HOURS, clean_up, file_prefix
from tallyboard.models.metrics import data_quality
from tallyboard.plans import get_plan

CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
PROGRESS_EVERY_RECORDS = 5_000
PROGRESS_EVERY_SECONDS = 2.0
# Past this many points in range, metrics are written by parallel segments of about this size
# (one sequential reader gets roughly 10-20k items/s: ~15M points fit one writer's 15 minutes).
SEGMENT_RECORDS = 4_000_000
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
    """Mark the job processing, estimate its record count (for progress) and, for a project
    too large for one writer, split its metrics into segments written in parallel."""
    ws, project_id, job_id = state["workspaceId"], state["projectId"], state["exportJobId"]
    if not exports.update_job(ws, job_id, {"status": "processing", "startedAt": now_ms()}, ACTIVE):
        return {**state, "cancelled": True, "segments": []}
    job = exports.get_job(ws, job_id) or {}
    counts = metric_reads.point_counts(ws, project_id) if "metrics" in job.get("dataTypes", []) else {}
    estimate = sum(counts.values())
    segments = _segments(counts) if estimate > SEGMENT_RECORDS else []
    return {**state, "estimatedRecords": estimate, "segments": segments}


def _segments(counts: dict[str, int]) -> list[dict[str, Any]]:
    """Metrics grouped, in catalog order, into segments of about SEGMENT_RECORDS points (a
    bigger metric is a segment of its own)."""
    segments: list[dict[str, Any]] = []
    current: list[str] = []
    size = 0
    for metric_id, count in counts.items():
        if current and size + count > SEGMENT_RECORDS:
            segments.append({"index": len(segments), "metricIds": current})
            current, size = [], 0
        current.append(metric_id)
        size += count
    if current:
        segments.append({"index": len(segments), "metricIds": current})
    return segments


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


def _metric_records(
    ws: str, project_id: str, start: int, end: int, metric_id: str | None = None
) -> Iterator[dict[str, Any]]:
    for point in metric_reads.iter_points(ws, project_id, start, end, now_ms() // 1000, metric_id):
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
    return f"{file_prefix(job)}{job['format']}"


def _active_job(state: dict[str, Any]) -> dict[str, Any] | None:
    job = exports.get_job(state["workspaceId"], state["exportJobId"])
    if state.get("cancelled") or job is None or job["status"] != "processing":
        return None
    return job


def _start_upload(job: dict[str, Any], key: str) -> export_files.MultipartUpload | None:
    """The upload of the export file, recorded on the job before the first byte (so whatever
    ends this run can abort it); None when the job was cancelled meanwhile."""
    if job.get("uploadId"):  # a retried attempt: the earlier one's upload is dropped
        export_files.abort_upload(job["objectKey"], job["uploadId"])
    upload = export_files.MultipartUpload.start(key, CONTENT_TYPES[job["format"]])
    changes = {"uploadId": upload.upload_id, "objectKey": key}
    if not exports.update_job(job["workspaceId"], job["id"], changes, ["processing"]):
        upload.abort()
        return None
    return upload


def _write_document(
    state: dict[str, Any],
    write_metrics: Callable[[export_formats.ExportWriter, dict[str, Any], _Progress], None],
) -> dict[str, Any]:
    """The export file: head, every section (metrics as `write_metrics` says), tail, streamed
    into a multipart upload; returns the state with the object's key, size and records."""
    job = _active_job(state)
    key = object_key(job) if job else ""
    upload = _start_upload(job, key) if job else None
    if job is None or upload is None:
        return {**state, "cancelled": True}
    ws, project_id = job["workspaceId"], job["projectId"]
    progress = _Progress(ws, job["id"], int(state.get("estimatedRecords", 0)))
    writer = export_formats.open_writer(job["format"], upload)
    start, end = job["dateRange"]["startDate"], job["dateRange"]["endDate"]
    try:
        writer.begin(now_ms(), job["dateRange"], _project(ws, project_id))
        for data_type in job["dataTypes"]:
            writer.section(data_type)
            if data_type == "metrics":
                write_metrics(writer, job, progress)
                continue
            for record in _records(data_type, ws, project_id, start, end):
                writer.write(data_type, record)
                progress.tick(writer.records)
        writer.end()
        progress.tick(writer.records, final=True)  # a job cancelled meanwhile gets no file
    except Cancelled:
        upload.abort()
        return {**state, "cancelled": True}
    size = upload.complete()
    return {**state, "objectKey": key, "sizeBytes": size, "recordCount": writer.records}


def write(state: dict[str, Any]) -> dict[str, Any]:
    """One writer for the whole export: the project's points oldest first."""

    def points(writer: export_formats.ExportWriter, job: dict[str, Any], progress: _Progress) -> None:
        start, end = job["dateRange"]["startDate"], job["dateRange"]["endDate"]
        for record in _records("metrics", job["workspaceId"], job["projectId"], start, end):
            writer.write("metrics", record)
            progress.tick(writer.records)

    return _write_document(state, points)


def segment_key(job: dict[str, Any], index: int) -> str:
    return f"{object_key(job)}.segment-{index:05d}"


def write_segment(state: dict[str, Any]) -> dict[str, Any]:
    """One segment of a fanned-out export (a Distributed Map iteration): its metrics' points,
    metric by metric, oldest first, as a fragment in an object of its own."""
    segment = state["segment"]
    job = _active_job(state)
    if job is None:
        return {"index": segment["index"], "cancelled": True}
    key = segment_key(job, segment["index"])
    upload = export_files.MultipartUpload.start(key, CONTENT_TYPES[job["format"]])
    writer = export_formats.open_writer(job["format"], upload)
    start, end = job["dateRange"]["startDate"], job["dateRange"]["endDate"]
    try:
        writer.begin_fragment("metrics")
        for metric_id in segment["metricIds"]:
            for record in _metric_records(job["workspaceId"], job["projectId"], start, end, metric_id):
                writer.write("metrics", record)
        writer.end_fragment()
        # Another segment may have failed the run meanwhile, and its clean-up listed the prefix
        # before this segment's object would exist: then nothing is completed. (What still slips
        # between this read and the completion, the bucket's lifecycle rules remove in a day.)
        if _active_job(state) is None:
            upload.abort()
            return {"index": segment["index"], "cancelled": True}
    except Exception:
        upload.abort()  # a failed segment leaves no upload behind, whatever the clean-up saw
        raise
    upload.complete()
    return {"index": segment["index"], "key": key, "records": writer.records}


def assemble(state: dict[str, Any]) -> dict[str, Any]:
    """The export file of a fanned-out export: the segments' fragments, in order, stand in for
    the metrics section; the segment objects are deleted once the file is complete."""
    parts = sorted(state.get("segmentResults") or [], key=lambda part: part["index"])

    def segments(writer: export_formats.ExportWriter, job: dict[str, Any], progress: _Progress) -> None:
        for part in parts:
            if part.get("cancelled"):
                raise Cancelled()
            writer.write_fragment("metrics", export_files.read_chunks(part["key"]), part["records"])
            progress.tick(writer.records)

    result = _write_document(state, segments)
    export_files.delete([part["key"] for part in parts if "key" in part])
    return result


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
