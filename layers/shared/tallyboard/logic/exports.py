"""Exports (docs/api.md "Data export"): start one (a per-project lock, the job, the state
machine), read a job with a download URL signed at read time, list the history, cancel.

The file is written by the workflow (tallyboard.logic.export_workflow); a job's status moves
queued → processing → completed | failed | cancelled, each move a conditional write, so a
cancelled job is never completed by a step that was still running."""

from __future__ import annotations

from typing import Any

from tallyboard import access, timeutil
from tallyboard.auth import Caller
from tallyboard.data import export_files, exports
from tallyboard.errors import BadRequest, Conflict, Forbidden, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.models.exports import (
    CreateExportRequest,
    CustomDateRange,
    ExportContents,
    ExportCreated,
    ExportJob,
    ExportList,
    ExportListQuery,
)

DAY_MS = 86_400_000
PRESET_DAYS = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90, "last_year": 365}
HISTORY_DAYS = 30
DOWNLOAD_HOURS = 24
# A lock outlives any run of the workflow (writer 15 min, retries, finalize): past this, a job
# that died without releasing it no longer blocks the project.
LOCK_TTL_S = 2 * 3600
ACTIVE = ("queued", "processing")
EXPORTS_MESSAGE = "Exports require the Scale, Agency or Enterprise plan"


def require_export_access(caller: Caller) -> None:
    if not caller.plan.exports:
        raise Forbidden(EXPORTS_MESSAGE)
    caller.require("editor", "export:write")  # the seed: only owners and editors may export


def resolve_range(date_range: Any, now: int) -> tuple[int, int]:
    """A preset or {startDate, endDate} (epoch ms or ISO 8601) as [start, end] epoch ms."""
    if isinstance(date_range, CustomDateRange):
        start, end = (
            value if isinstance(value, int) else timeutil.parse_iso(value, f"dateRange.{name}")
            for name, value in (("startDate", date_range.startDate), ("endDate", date_range.endDate))
        )
        if end < start:
            raise BadRequest(
                "Invalid parameter: dateRange.endDate must not be before dateRange.startDate",
                details={"dateRange.endDate": "must not be before startDate"},
            )
        return start, end
    if date_range == "all_time":
        return 0, now
    return now - PRESET_DAYS[date_range] * DAY_MS, now


def start(caller: Caller, project_id: str, contents: ExportContents, trigger: str = "api") -> dict[str, Any]:
    """Take the project's lock, record the job and start the workflow; 409 while another export
    of the project is queued or processing."""
    created_at = now_ms()
    range_start, range_end = resolve_range(contents.dateRange, created_at)
    job: dict[str, Any] = {
        "id": new_id("exp"),
        "workspaceId": caller.workspace_id,
        "projectId": project_id,
        "userId": caller.user_id,
        "status": "queued",
        "format": contents.format,
        "dateRange": {"startDate": range_start, "endDate": range_end},
        "dataTypes": contents.data_types(),
        "trigger": trigger,
        "progress": 0,
        "recordCount": 0,
        "createdAt": created_at,
        "expiresAt": created_at // 1000 + HISTORY_DAYS * 86_400,
    }
    if not exports.create_locked(caller.workspace_id, job, LOCK_TTL_S, created_at):
        raise Conflict("Another export is in progress", details={"projectId": project_id})
    try:
        execution_arn = exports.start_workflow(
            job["id"], {"workspaceId": caller.workspace_id, "projectId": project_id, "exportJobId": job["id"]}
        )
    except Exception:
        error = "The export could not be started. Try again in a few minutes."
        exports.update_job(caller.workspace_id, job["id"], {"status": "failed", "error": error}, ACTIVE)
        exports.release_lock(caller.workspace_id, project_id, job["id"])
        raise
    exports.update_job(caller.workspace_id, job["id"], {"executionArn": execution_arn}, ACTIVE)
    audit.record(
        caller,
        "export.create",
        "export",
        job["id"],
        project_id=project_id,
        metadata={"format": contents.format, "dataTypes": job["dataTypes"], "trigger": trigger},
    )
    return job


def create(caller: Caller, request: CreateExportRequest) -> ExportCreated:
    require_export_access(caller)
    project_id = access.project_for(caller, request.projectId)
    job = start(caller, project_id, request)
    return ExportCreated(exportJobId=job["id"], status="queued", createdAt=job["createdAt"])


def _job_for(caller: Caller, job_id: str) -> dict[str, Any]:
    """A job of the caller's workspace and reach; anything else is 404 (no existence leak)."""
    job = exports.get_job(caller.workspace_id, job_id)
    if job is None or not caller.is_bound_to(job["projectId"]):
        raise NotFound("Export not found")
    return job


def public_job(job: dict[str, Any], download_url: str | None = None, now: int | None = None) -> ExportJob:
    expires_at = job.get("downloadExpiresAt")
    return ExportJob(
        exportJobId=job["id"],
        projectId=job["projectId"],
        status=job["status"],
        format=job["format"],
        dateRange=job["dateRange"],
        dataTypes=job["dataTypes"],
        trigger=job.get("trigger", "api"),
        progress=job.get("progress", 0),
        recordCount=job.get("recordCount", 0),
        sizeBytes=job.get("sizeBytes"),
        downloadUrl=download_url,
        expiresAt=expires_at,
        fileExpired=bool(expires_at and now and now >= expires_at),
        error=job.get("error"),
        createdAt=job["createdAt"],
        completedAt=job.get("completedAt"),
    )


def get(caller: Caller, job_id: str) -> ExportJob:
    require_export_access(caller)
    job = _job_for(caller, job_id)
    now = now_ms()
    url = None
    if job["status"] == "completed" and now < job["downloadExpiresAt"]:
        # Signed now, with this function's credentials, valid until the file itself goes: a URL
        # signed once by the workflow would die with the workflow role's temporary credentials.
        remaining_s = max(1, (job["downloadExpiresAt"] - now) // 1000)
        url = export_files.presigned_download_url(job["objectKey"], remaining_s, download_filename(job))
        audit.record(caller, "export.download_url", "export", job_id, project_id=job["projectId"])
    return public_job(job, url, now)


def download_filename(job: dict[str, Any]) -> str:
    day = timeutil.to_datetime(job["createdAt"]).strftime("%Y%m%d")
    return f"tallyboard-export-{day}-{job['id']}.{job['format']}"


def list_jobs(caller: Caller, query: ExportListQuery) -> ExportList:
    require_export_access(caller)
    project_id = access.project_for(caller, query.projectId)
    spec = pages.page_spec(
        query.limit, query.offset, query.cursor, f"exports|{caller.workspace_id}|{project_id}"
    )
    page, total = exports.list_jobs(caller.workspace_id, project_id, spec)
    now = now_ms()
    return ExportList(
        data=[public_job(job, now=now) for job in page.items], pagination=pages.pagination(spec, total, page)
    )


def cancel(caller: Caller, job_id: str) -> ExportJob:
    """Cancel a queued or processing export: the execution stops, the upload is aborted and the
    lock released. A finished job answers 409 with its status."""
    require_export_access(caller)
    job = _job_for(caller, job_id)
    if not exports.update_job(
        caller.workspace_id, job_id, {"status": "cancelled", "completedAt": now_ms()}, ACTIVE
    ):
        current = exports.get_job(caller.workspace_id, job_id) or job
        raise Conflict(f"The export is already {current['status']}", details={"status": current["status"]})
    if job.get("executionArn"):
        exports.stop_workflow(job["executionArn"], "Cancelled through the API")
    clean_up(caller.workspace_id, job_id)
    audit.record(caller, "export.cancel", "export", job_id, project_id=job["projectId"])
    return public_job({**job, "status": "cancelled"})


def file_prefix(job: dict[str, Any]) -> str:
    """Where a job's file and its segments live: exports/<ws>/<project>/<job id>."""
    return f"exports/{job['workspaceId']}/{job['projectId']}/{job['id']}."


def clean_up(workspace_id: str, job_id: str) -> None:
    """What a job that will not complete leaves behind: every upload still open and every
    object under its prefix (the file, the segments of a fanned-out export), and its lock."""
    job = exports.get_job(workspace_id, job_id)
    if job is None:
        return
    export_files.remove_all(file_prefix(job))
    exports.release_lock(workspace_id, job["projectId"], job_id)
