"""Exports: the project's history and a create form, a job's page that follows it (console.js
polls it every 2 s while it runs: Mangum answers whole responses, so nothing can stream) up to
its download link, and the project's weekly or monthly schedule."""

from __future__ import annotations

import contextlib
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client._errors import NotFoundError, TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, chosen_project, redirect, signed_in, visible_projects

FORMATS = ("json", "csv")
PRESETS = ("last_7_days", "last_30_days", "last_90_days", "last_year", "all_time")
PRESET_LABELS = {
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days",
    "last_year": "Last year",
    "all_time": "All time",
}
INCLUDES = (
    ("includeMetrics", "Metrics"),
    ("includeConnections", "Connections"),
    ("includeDashboards", "Dashboards"),
    ("includeAuditLogs", "Audit logs"),
)
DATA_TYPE_FLAGS = {
    "metrics": "includeMetrics",
    "connections": "includeConnections",
    "dashboards": "includeDashboards",
    "auditLogs": "includeAuditLogs",
}
FREQUENCIES = ("weekly", "monthly")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ACTIVE = ("queued", "processing")
FOLLOW_SECONDS = 2


# ----------------------------------------------------------------------------- rendering


def size_text(size: Any) -> str:
    return f"{size:,} bytes" if isinstance(size, int) else "—"


def range_text(date_range: Any) -> str:
    if isinstance(date_range, str):
        return PRESET_LABELS.get(date_range, date_range)
    if isinstance(date_range, dict):
        return f"{render.when(date_range.get('startDate'))} to {render.when(date_range.get('endDate'))}"
    return "—"


def with_project(path: str, project_id: str | None) -> str:
    return f"{path}?{urlencode({'project': project_id})}" if project_id else path


def project_picker(base: str, path: str, projects: list[dict[str, Any]], chosen: str | None) -> str:
    """A GET form choosing the project (only for a key that sees more than one)."""
    select = render.project_select(projects, chosen)
    if not select:
        return ""
    return (
        f'<form method="get" action="{base}/console/{path}" class="picker">{select}'
        '<button type="submit">Show</button></form>'
    )


def _hidden_project(project_id: str | None) -> str:
    return f'<input type="hidden" name="projectId" value="{escape(project_id)}">' if project_id else ""


def includes_fieldset(flags: dict[str, bool], include_all: bool) -> str:
    checked = {**flags, "includeAll": include_all}
    boxes = "".join(
        f'<span class="check"><input type="checkbox" id="{name}" name="{name}"'
        f'{" checked" if checked.get(name) else ""}><label for="{name}">{label}</label></span>'
        for name, label in (("includeAll", "Everything"), *INCLUDES)
    )
    return f'<fieldset class="includes"><legend>Data</legend>{boxes}</fieldset>'


def create_form(base: str, csrf: str, project_id: str | None) -> str:
    return (
        f'<form method="post" action="{base}/console/exports" class="export-form">'
        f"{render.hidden_csrf(csrf)}{_hidden_project(project_id)}"
        '<h2 id="new-export">New export</h2>'
        + render.select("format", "Format", FORMATS, "json", {"json": "JSON", "csv": "CSV"})
        + render.select("dateRange", "Date range", PRESETS, "last_30_days", PRESET_LABELS)
        + includes_fieldset({}, include_all=True)
        + '<button type="submit">Start export</button></form>'
    )


def history_table(base: str, jobs: list[dict[str, Any]]) -> str:
    if not jobs:
        return '<h2 id="history">History</h2><p class="empty">No exports in the last 30 days.</p>'
    headings = ("Export", "Status", "Format", "Records", "Size", "Created (UTC)")
    head = "".join(f'<th scope="col">{h}</th>' for h in headings)
    rows = "".join(
        "<tr>"
        f'<td><a href="{base}/console/exports/{escape(job["exportJobId"])}">'
        f"{escape(job['exportJobId'])}</a></td>"
        + "".join(
            f"<td>{escape(str(cell))}</td>"
            for cell in (
                job.get("status"),
                str(job.get("format") or "").upper(),
                render.number(job.get("recordCount") or 0),
                size_text(job.get("sizeBytes")),
                render.when(job.get("createdAt")),
            )
        )
        + "</tr>"
        for job in jobs
    )
    return '<h2 id="history">History</h2>' + render.scroll(
        "Export history",
        '<table class="data exports"><caption>Exports of the last 30 days, newest first</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
    )


def history_body(
    base: str,
    csrf: str,
    project_id: str | None,
    jobs: list[dict[str, Any]] | None,
    projects: list[dict[str, Any]] | None = None,
) -> str:
    links = (
        f'<p><a href="{escape(with_project(f"{base}/console/exports/schedule", project_id))}">'
        "Scheduled export</a></p>"
    )
    return (
        project_picker(base, "exports", projects or [], project_id)
        + links
        + create_form(base, csrf, project_id)
        + (history_table(base, jobs) if jobs is not None else "")
    )


def facts_list(details: list[tuple[str, str]]) -> str:
    """<dt>/<dd> pairs; each <dd> has a class of its term's first word (what tests read)."""
    return "".join(
        f'<div><dt>{escape(term)}</dt><dd class="{escape(term.split(" ")[0].lower())}">'
        f"{escape(value)}</dd></div>"
        for term, value in details
    )


def number_input(name: str, label: str, low: int, high: int, value: Any) -> str:
    return (
        f'<label for="{name}">{label}</label><input id="{name}" name="{name}" type="number" '
        f'min="{low}" max="{high}" value="{escape(str(value))}">'
    )


def progress_bar(percent: int) -> str:
    return (
        '<div class="progress"><label for="export-progress">Progress</label>'
        f'<progress id="export-progress" max="100" value="{percent}">{percent} %</progress>'
        f'<span class="percent" aria-hidden="true">{percent} %</span></div>'
    )


def job_body(base: str, csrf: str, job: dict[str, Any]) -> str:
    status = str(job.get("status") or "")
    percent = max(0, min(100, int(job.get("progress") or 0)))
    details = [
        ("Export", str(job.get("exportJobId") or "")),
        ("Status", status),
        ("Format", str(job.get("format") or "").upper()),
        ("Date range", range_text(job.get("dateRange"))),
        ("Data", ", ".join(job.get("dataTypes") or [])),
        ("Records", render.number(job.get("recordCount") or 0)),
        ("Created (UTC)", render.when(job.get("createdAt"))),
    ]
    if status == "completed":
        details += [
            ("Size", size_text(job.get("sizeBytes"))),
            ("Completed (UTC)", render.when(job.get("completedAt"))),
            ("Expires (UTC)", render.when(job.get("expiresAt"))),
        ]
    facts = facts_list(details)
    after = ""
    if status == "completed" and job.get("downloadUrl"):
        after = f'<p><a class="download" href="{escape(job["downloadUrl"])}">Download the export file</a></p>'
    elif status == "completed":
        after = "<p>The file has expired (24 hours after completion): start a new export.</p>"
    elif status == "failed":
        after = render.alert(job.get("error") or "The export failed.")
    elif status in ACTIVE:
        here = f"{base}/console/exports/{escape(job['exportJobId'])}"
        after = (
            f'<p class="status">The progress follows the export (<a href="{here}">reload</a>).</p>'
            f'<form method="post" action="{here}/cancel">'
            f'{render.hidden_csrf(csrf)}<button type="submit">Cancel export</button></form>'
        )
    # console.js polls the page while the job runs and swaps this region (the Cancel form stays
    # outside it, so a keyboard's focus on it survives each poll); settled, the page reloads whole.
    follow = f' data-follow="{FOLLOW_SECONDS}"' if status in ACTIVE else ""
    return (
        f'<div id="job" aria-live="polite"{follow}>'
        + progress_bar(percent)
        + f'<dl class="export-facts">{facts}</dl></div>'
        + after
        + f'<p><a href="{base}/console/exports">All exports</a></p>'
    )


def schedule_form(base: str, csrf: str, project_id: str | None, schedule: dict[str, Any] | None) -> str:
    current = schedule or {}
    data_types = current.get("dataTypes") or list(DATA_TYPE_FLAGS)
    flags = {DATA_TYPE_FLAGS[t]: True for t in data_types if t in DATA_TYPE_FLAGS}
    everything = len(flags) == len(DATA_TYPE_FLAGS)
    day_of_month = current.get("dayOfMonth") or 1
    return (
        f'<form method="post" action="{base}/console/exports/schedule" class="export-form">'
        f"{render.hidden_csrf(csrf)}{_hidden_project(project_id)}"
        f'<h2 id="edit-schedule">{"Change the schedule" if schedule else "Set a schedule"}</h2>'
        + render.select("frequency", "Frequency", FREQUENCIES, current.get("frequency") or "weekly")
        + render.select("dayOfWeek", "Day of week (weekly)", WEEKDAYS, current.get("dayOfWeek") or "monday")
        + number_input("dayOfMonth", "Day of month (monthly, 1-28)", 1, 28, day_of_month)
        + number_input("hour", "Hour (UTC, 0-23)", 0, 23, current.get("hour") or 0)
        + render.select(
            "format", "Format", FORMATS, current.get("format") or "json", {"json": "JSON", "csv": "CSV"}
        )
        + render.select(
            "dateRange",
            "Date range",
            PRESETS,
            current.get("dateRange") or "last_7_days",
            PRESET_LABELS,
        )
        + includes_fieldset({} if everything else flags, include_all=everything)
        + '<button type="submit">Save schedule</button></form>'
    )


def schedule_summary(base: str, csrf: str, project_id: str | None, schedule: dict[str, Any] | None) -> str:
    if not schedule:
        return '<h2 id="current">Current schedule</h2><p class="schedule-none">No schedule: none is set.</p>'
    day = (
        f"every {str(schedule.get('dayOfWeek') or '').capitalize()}"
        if schedule.get("frequency") == "weekly"
        else f"on day {schedule.get('dayOfMonth')} of each month"
    )
    details = [
        ("Frequency", str(schedule.get("frequency") or "")),
        ("Runs", f"{day} at {int(schedule.get('hour') or 0):02d}:00 UTC"),
        ("Format", str(schedule.get("format") or "").upper()),
        ("Date range", range_text(schedule.get("dateRange"))),
        ("Data", ", ".join(schedule.get("dataTypes") or [])),
        ("Next run (UTC)", render.when(schedule.get("nextRunAt"))),
    ]
    facts = facts_list(details)
    remove = (
        f'<form method="post" action="{base}/console/exports/schedule/remove" class="remove-form">'
        f"{render.hidden_csrf(csrf)}{_hidden_project(project_id)}"
        '<button type="submit" class="remove">Remove the schedule</button></form>'
    )
    return f'<h2 id="current">Current schedule</h2><dl class="export-facts schedule">{facts}</dl>{remove}'


def schedule_body(
    base: str,
    csrf: str,
    project_id: str | None,
    schedule: dict[str, Any] | None,
    projects: list[dict[str, Any]] | None = None,
) -> str:
    return (
        project_picker(base, "exports/schedule", projects or [], project_id)
        + schedule_summary(base, csrf, project_id, schedule)
        + schedule_form(base, csrf, project_id, schedule)
        + f'<p><a href="{escape(with_project(f"{base}/console/exports", project_id))}">All exports</a></p>'
    )


# ----------------------------------------------------------------------------- form → API body


def contents_of(form: dict[str, str]) -> dict[str, Any]:
    """Format, range and every include flag as the form says (each sent, checked or not: an
    empty choice is the API's 400, not silently everything)."""
    body: dict[str, Any] = {
        "format": form.get("format", ""),
        "dateRange": form.get("dateRange", ""),
        "includeAll": form.get("includeAll") == "on",
    }
    for name, _ in INCLUDES:
        body[name] = form.get(name) == "on"
    return body


def _int_or_text(value: str) -> int | str:
    # A number the API validates; anything else goes as typed, so the 400 names it.
    try:
        return int(value)
    except ValueError:
        return value


def schedule_of(form: dict[str, str]) -> dict[str, Any]:
    """The PUT body: the day that fits the frequency only (the other is an unknown field)."""
    body = contents_of(form)
    body["frequency"] = form.get("frequency", "")
    body["hour"] = _int_or_text(form.get("hour", "0").strip() or "0")
    if body["frequency"] == "monthly":
        body["dayOfMonth"] = _int_or_text(form.get("dayOfMonth", "1").strip() or "1")
    else:
        body["dayOfWeek"] = form.get("dayOfWeek", "")
    return body


# ----------------------------------------------------------------------------- pages


def _history(ctx: Context, project_id: str | None) -> list[dict[str, Any]]:
    listed = ctx.client.call("exports.list", unwrap=False, query={"projectId": project_id})
    return list(listed.get("data") or [])


async def history(ctx: Context) -> Response:
    projects = visible_projects(ctx.client)
    project_id = chosen_project(projects, ctx.request.query_params.get("project"))
    try:
        jobs = _history(ctx, project_id)
    except TallyboardError as error:  # a plan without exports, a viewer: the API's 403
        return ctx.failure("Exports", error, history_body(ctx.base, ctx.csrf, project_id, None, projects))
    return ctx.page("Exports", history_body(ctx.base, ctx.csrf, project_id, jobs, projects))


async def create(ctx: Context) -> Response:
    form = await ctx.form()
    projects = visible_projects(ctx.client)
    project_id = chosen_project(projects, form.get("projectId"))
    try:
        created = ctx.client.call("exports.create", body={"projectId": project_id, **contents_of(form)})
    except TallyboardError as error:  # 409 another export runs, 403 plan or role, 400 the form
        jobs = None
        with contextlib.suppress(TallyboardError):
            jobs = _history(ctx, project_id)
        return ctx.failure("Exports", error, history_body(ctx.base, ctx.csrf, project_id, jobs, projects))
    return redirect(ctx.request, f"/exports/{created['exportJobId']}")


async def job(ctx: Context) -> Response:
    job_id = ctx.request.path_params["job_id"]
    try:
        found = ctx.client.call("exports.get", unwrap=False, path={"exportJobId": job_id})
    except TallyboardError as error:
        return ctx.failure("Export", error)
    return ctx.page("Export", job_body(ctx.base, ctx.csrf, found))


async def cancel(ctx: Context) -> Response:
    await ctx.form()
    job_id = ctx.request.path_params["job_id"]
    try:
        ctx.client.call("exports.cancel", path={"exportJobId": job_id})
    except TallyboardError as error:  # already finished: 409 naming its status
        return ctx.failure("Export", error)
    return redirect(ctx.request, f"/exports/{job_id}")


def _schedule(ctx: Context, project_id: str | None) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = ctx.client.call(
            "exports.schedule.get", unwrap=False, query={"projectId": project_id}
        )
    except NotFoundError:
        return None
    return found


async def schedule(ctx: Context) -> Response:
    projects = visible_projects(ctx.client)
    project_id = chosen_project(projects, ctx.request.query_params.get("project"))
    try:
        found = _schedule(ctx, project_id)
    except TallyboardError as error:
        return ctx.failure("Scheduled export", error)
    return ctx.page("Scheduled export", schedule_body(ctx.base, ctx.csrf, project_id, found, projects))


async def set_schedule(ctx: Context) -> Response:
    form = await ctx.form()
    projects = visible_projects(ctx.client)
    project_id = chosen_project(projects, form.get("projectId"))
    try:
        ctx.client.call("exports.schedule.set", query={"projectId": project_id}, body=schedule_of(form))
    except TallyboardError as error:  # a 400 naming the field, a 403: the form again, unchanged
        try:
            found = _schedule(ctx, project_id)
        except TallyboardError:
            found = None
        return ctx.failure(
            "Scheduled export", error, schedule_body(ctx.base, ctx.csrf, project_id, found, projects)
        )
    return redirect(ctx.request, with_project("/exports/schedule", project_id if len(projects) > 1 else None))


async def remove_schedule(ctx: Context) -> Response:
    form = await ctx.form()
    projects = visible_projects(ctx.client)
    project_id = chosen_project(projects, form.get("projectId"))
    try:
        ctx.client.call("exports.schedule.delete", query={"projectId": project_id})
    except TallyboardError as error:
        return ctx.failure("Scheduled export", error)
    return redirect(ctx.request, with_project("/exports/schedule", project_id if len(projects) > 1 else None))


ROUTES = [
    Route("/console/exports", signed_in(history), methods=["GET"]),
    Route("/console/exports", signed_in(create), methods=["POST"]),
    # Before /{job_id}: "schedule" is not a job.
    Route("/console/exports/schedule", signed_in(schedule), methods=["GET"]),
    Route("/console/exports/schedule", signed_in(set_schedule), methods=["POST"]),
    Route("/console/exports/schedule/remove", signed_in(remove_schedule), methods=["POST"]),
    Route("/console/exports/{job_id}", signed_in(job), methods=["GET"]),
    Route("/console/exports/{job_id}/cancel", signed_in(cancel), methods=["POST"]),
]
