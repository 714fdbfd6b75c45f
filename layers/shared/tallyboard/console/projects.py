"""The agency area: the projects a key sees, a project's details with its stats (task counts
drawn as bars beside their table, time logged, team) and campaign figures, and a tasks board
(a column per status) whose move forms PATCH the task's status."""

from __future__ import annotations

import contextlib
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import PermissionDeniedError, TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, every, redirect, signed_in

# The contract's task statuses, in its order (docs/api.md, seed 003), and how a column names one.
STATUSES = ("todo", "in-progress", "done")
STATUS_LABELS = {"todo": "To do", "in-progress": "In progress", "done": "Done"}
FILTERS = ("assigned_to", "task_list")
BAR_W, BAR_H, BAR_PAD, LABEL_H = 320, 150, 12, 18
NONE = "—"


def client_names(client: Tallyboard) -> dict[str, str]:
    """Client id → name; a project-bound key may not list clients (403): the id is shown then."""
    with contextlib.suppress(PermissionDeniedError):
        return {c["id"]: c.get("name") or c["id"] for c in every(client, "clients.list")}
    return {}


# ----------------------------------------------------------------------------- formatting


def percent(value: Any) -> str:
    return NONE if value is None else f"{render.number(value)}%"


def money(value: Any, currency: str | None = None) -> str:
    if not isinstance(value, (int, float)):
        return NONE if value is None else str(value)
    amount = f"{value:,.2f}"
    return f"{currency} {amount}" if currency else amount


def campaign_rows(figures: dict[str, Any], currency: str | None) -> list[tuple[str, str]]:
    """The campaign figures as (label, shown value): rates as %, money in the project's currency."""
    leads = figures.get("leads_generated")
    return [
        ("ROI", percent(figures.get("roi"))),
        ("Leads generated", NONE if leads is None else render.number(leads)),
        ("Cost per lead", money(figures.get("cost_per_lead"), currency)),
        ("Conversion rate", percent(figures.get("conversion_rate"))),
        ("Revenue generated", money(figures.get("revenue_generated"), currency)),
    ]


def task_counts(stats: dict[str, Any]) -> list[tuple[str, int]]:
    """(status, count) in the contract's order, from the stats' `tasks` (in-progress is in_progress)."""
    tasks = stats.get("tasks") or {}
    return [(s, int(tasks.get(s.replace("-", "_")) or 0)) for s in STATUSES]


def bars(chart_id: str, title: str, counts: list[tuple[str, int]]) -> str:
    """A bar per (label, count), each bar labelled with its count; the <desc> is the summary."""
    high = max((c for _, c in counts), default=0) or 1
    slot = (BAR_W - 2 * BAR_PAD) / max(len(counts), 1)
    width = slot * 0.6
    floor = BAR_H - BAR_PAD - LABEL_H
    shapes = []
    for i, (label, count) in enumerate(counts):
        height = count / high * (floor - BAR_PAD - LABEL_H)
        x = BAR_PAD + i * slot + (slot - width) / 2
        centre, top = x + width / 2, floor - height
        shapes.append(
            f'<rect class="bar" x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}"/>'
            f'<text class="count" x="{centre:.1f}" y="{top - 4:.1f}">{count}</text>'
            f'<text class="label" x="{centre:.1f}" y="{BAR_H - BAR_PAD:.1f}">{escape(label)}</text>'
        )
    summary = summary_of(counts)
    return (
        f'<svg class="bars" viewBox="0 0 {BAR_W} {BAR_H}" role="img" '
        f'aria-labelledby="t-{chart_id} d-{chart_id}">'
        f'<title id="t-{chart_id}">{escape(title)}</title><desc id="d-{chart_id}">{escape(summary)}</desc>'
        f'<line class="axis" x1="{BAR_PAD}" y1="{floor}" x2="{BAR_W - BAR_PAD}" y2="{floor}"/>'
        f"{''.join(shapes)}</svg>"
    )


def summary_of(counts: list[tuple[str, int]]) -> str:
    total = sum(c for _, c in counts)
    parts = ", ".join(f"{c} {label}" for label, c in counts)
    return f"{total} task{'' if total == 1 else 's'}: {parts}"


# ----------------------------------------------------------------------------- rendering


def _link(base: str, project: dict[str, Any]) -> str:
    name = escape(project.get("name") or project["id"])
    return f'<a href="{base}/console/projects/{escape(project["id"])}">{name}</a>'


def projects_body(base: str, projects: list[dict[str, Any]], clients: dict[str, str]) -> str:
    if not projects:
        return "<p>No projects.</p>"
    rows = "".join(
        "<tr>"
        f"<td>{_link(base, p)}</td>"
        f"<td>{escape(clients.get(p.get('client_id') or '', p.get('client_id') or NONE))}</td>"
        f"<td>{escape(p.get('status') or '')}</td>"
        f"<td>{escape(p.get('start_date') or NONE)}</td>"
        f"<td>{escape(p.get('end_date') or NONE)}</td>"
        "</tr>"
        for p in projects
    )
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Project", "Client", "Status", "Start", "End"))
    return (
        '<table class="data projects"><caption>Projects this key sees</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def project_body(
    base: str,
    project: dict[str, Any],
    client_name: str | None,
    stats: dict[str, Any],
    figures: dict[str, Any],
) -> str:
    currency = project.get("currency") or None
    details = [
        ("Status", project.get("status") or ""),
        ("Client", client_name or project.get("client_id") or NONE),
        ("Slug", project.get("slug") or NONE),
        ("Description", project.get("description") or NONE),
        ("Budget", money(project.get("budget"), currency)),
        ("Start", project.get("start_date") or NONE),
        ("End", project.get("end_date") or NONE),
    ]
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in details)
    counts = task_counts(stats)
    labelled = [(STATUS_LABELS[s], c) for s, c in counts]
    total = (stats.get("tasks") or {}).get("total", sum(c for _, c in counts))
    time = stats.get("time") or {}
    team = stats.get("team") or []
    team_rows = [
        (
            (m.get("name") or m.get("id") or "") + (" (removed)" if m.get("removed") else ""),
            render.number(m.get("assigned_tasks", 0)),
            render.number(m.get("hours", 0)),
        )
        for m in team
    ]
    tasks_link = f"{base}/console/tasks?{urlencode({'project': project['id']})}"
    return (
        f'<dl class="facts">{facts}</dl>'
        '<section aria-labelledby="h-tasks" class="stats"><h2 id="h-tasks">Tasks</h2>'
        f'<p class="summary">{escape(summary_of(labelled))}</p>'
        '<div class="figure">'
        + bars("tasks", "Tasks by status", labelled)
        + render.table(
            "Tasks by status",
            ("Status", "Tasks"),
            [*labelled, ("Total", total)],
            css="data task-counts",
        )
        + f'</div><p><a href="{tasks_link}">Open the board</a></p></section>'
        '<section aria-labelledby="h-time" class="stats"><h2 id="h-time">Time logged</h2>'
        + render.table(
            "Time logged",
            ("Total hours", "Billable hours", "Entries"),
            [
                (
                    render.number(time.get("total_hours", 0)),
                    render.number(time.get("billable_hours", 0)),
                    render.number(time.get("entries", 0)),
                )
            ],
            css="data time-logged",
        )
        + '</section><section aria-labelledby="h-team" class="stats"><h2 id="h-team">Team</h2>'
        + (
            render.table("Team", ("Member", "Assigned tasks", "Hours"), team_rows, css="data team")
            if team_rows
            else "<p>Nobody has tasks or time on this project yet.</p>"
        )
        + '</section><section aria-labelledby="h-campaign" class="stats">'
        '<h2 id="h-campaign">Campaign figures</h2>'
        + render.table(
            "Campaign figures", ("Figure", "Value"), campaign_rows(figures, currency), css="data campaign"
        )
        + "</section>"
    )


def board_query(project_id: str | None, filters: dict[str, str]) -> str:
    return urlencode({k: v for k, v in {"project": project_id or "", **filters}.items() if v})


def back_query(back: str) -> str:
    """The board's query a move form carries back, rebuilt from its known fields only (it comes
    from the browser and ends up in a Location header)."""
    fields = {k: v[-1] for k, v in parse_qs(back).items()}
    return board_query(fields.get("project"), {name: fields.get(name, "") for name in FILTERS})


def _task(base: str, csrf: str, task: dict[str, Any], back: str) -> str:
    task_id = escape(task["id"])
    assignees = ", ".join(task.get("assigned_to") or []) or "Unassigned"
    options = "".join(
        f'<option value="{s}"{" selected" if s == task.get("status") else ""}>{STATUS_LABELS[s]}</option>'
        for s in STATUSES
    )
    facts = (
        ("Assignee", assignees),
        ("Priority", task.get("priority") or NONE),
        ("Due", task.get("due_date") or NONE),
    )
    return (
        f'<li class="task" id="task-{task_id}" data-task="{task_id}">'
        f"<h3>{escape(task.get('name') or task['id'])}</h3>"
        + '<dl class="task-facts">'
        + "".join(f"<dt>{k}</dt><dd>{escape(str(v))}</dd>" for k, v in facts)
        + "</dl>"
        f'<form method="post" action="{base}/console/tasks/{task_id}/move" class="move">'
        f"{render.hidden_csrf(csrf)}"
        f'<input type="hidden" name="back" value="{escape(back)}">'
        f'<label for="move-{task_id}">Status</label>'
        f'<select id="move-{task_id}" name="status">{options}</select>'
        '<button type="submit">Move</button></form></li>'
    )


def board_body(
    base: str,
    csrf: str,
    projects: list[dict[str, Any]],
    chosen: str | None,
    filters: dict[str, str],
    members: list[dict[str, Any]],
    tasks: list[dict[str, Any]] | None,
) -> str:
    """The board's GET form (project, assignee, task list) and, when `tasks` is given, a
    column per status in the contract's order."""
    ids = [p["id"] for p in projects]
    if chosen and chosen not in ids:
        ids.append(chosen)
    shown = {p["id"]: p.get("name") or p["id"] for p in projects}
    project_field = render.select("project", "Project", ids, chosen or "", shown) if ids else ""
    names = [m.get("name") or "" for m in members if m.get("name")]
    chosen_member = filters.get("assigned_to", "")
    member_values = ["", *names, *([chosen_member] if chosen_member and chosen_member not in names else [])]
    form = (
        f'<form method="get" action="{base}/console/tasks" class="explorer board-filters">'
        + project_field
        + render.select("assigned_to", "Assigned to", member_values, chosen_member, {"": "Anyone"})
        + '<label for="task_list">Task list</label>'
        f'<input id="task_list" name="task_list" value="{escape(filters.get("task_list", ""))}">'
        '<button type="submit">Show</button></form>'
    )
    if tasks is None:
        return form
    back = board_query(chosen, filters)
    columns = []
    for status in STATUSES:
        mine = [t for t in tasks if t.get("status") == status]
        items = "".join(_task(base, csrf, t, back) for t in mine)
        label = STATUS_LABELS[status]
        columns.append(
            f'<section class="column" id="col-{status}" aria-labelledby="h-{status}">'
            f'<h2 id="h-{status}">{label} <span class="count">({len(mine)})</span></h2>'
            + (f'<ul class="tasks">{items}</ul>' if items else '<p class="empty">No tasks.</p>')
            + "</section>"
        )
    return form + f'<div class="board">{"".join(columns)}</div>'


# ----------------------------------------------------------------------------- pages


async def projects_page(page: Context) -> Response:
    try:
        projects = every(page.client, "projects.list")
    except TallyboardError as error:
        return page.failure("Projects", error)
    return page.page("Projects", projects_body(page.base, projects, client_names(page.client)))


async def project_page(page: Context) -> Response:
    project_id = page.request.path_params["project_id"]
    path = {"projectId": project_id}
    try:
        project = page.client.call("projects.get", path=path)
        stats = page.client.call("projects.stats", path=path)
        figures = page.client.call("projects.campaign_metrics", path=path, unwrap=False)
    except TallyboardError as error:
        return page.failure("Project", error)
    client_id = project.get("client_id")
    client_name = client_names(page.client).get(client_id) if client_id else None
    return page.page(
        project.get("name") or "Project", project_body(page.base, project, client_name, stats, figures)
    )


def filters_of(params: Any) -> dict[str, str]:
    return {name: (params.get(name) or "").strip() for name in FILTERS}


async def board_page(page: Context) -> Response:
    params = page.request.query_params
    filters = filters_of(params)
    try:
        projects = every(page.client, "projects.list")
    except TallyboardError as error:
        return page.failure("Tasks", error)
    # The default is first_project's choice (the first the key sees), without listing twice.
    chosen = (params.get("project") or "").strip() or (projects[0]["id"] if projects else None)
    members: list[dict[str, Any]] = []
    with contextlib.suppress(PermissionDeniedError):
        members = every(page.client, "team.list")
    if chosen is None:
        return page.page("Tasks", "<p>This key sees no project.</p>")
    try:
        tasks = every(
            page.client,
            "tasks.list",
            path={"projectId": chosen},
            query={k: v or None for k, v in filters.items()},
        )
    except TallyboardError as error:
        form = board_body(page.base, page.csrf, projects, chosen, filters, members, None)
        return page.failure("Tasks", error, form)
    return page.page("Tasks", board_body(page.base, page.csrf, projects, chosen, filters, members, tasks))


async def move_task(page: Context) -> Response:
    form = await page.form()
    task_id = page.request.path_params["task_id"]
    back = back_query(form.get("back", ""))
    try:
        page.client.call("tasks.update", path={"taskId": task_id}, body={"status": form.get("status", "")})
    except TallyboardError as error:
        board = f"{page.base}/console/tasks" + (f"?{back}" if back else "")
        link = f'<p><a href="{escape(board)}">Back to the board</a></p>'
        return page.failure("Tasks", error, link)
    return redirect(page.request, f"/tasks?{back}" if back else "/tasks")


ROUTES = [
    Route("/console/projects", signed_in(projects_page)),
    Route("/console/projects/{project_id}", signed_in(project_page)),
    Route("/console/tasks", signed_in(board_page), methods=["GET"]),
    Route("/console/tasks/{task_id}/move", signed_in(move_task), methods=["POST"]),
]
