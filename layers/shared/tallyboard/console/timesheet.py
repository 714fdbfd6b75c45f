"""This week's time of a project: the week is Monday to Sunday (UTC), `?week=` any day of another
one; the API's entries for exactly that week (from/to), then hours per member per day with the
day, member and week totals."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import PermissionDeniedError, TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, every, signed_in, visible_projects


class BadWeek(ValueError):
    pass


def week_of(text: str | None, today: date | None = None) -> date:
    """The Monday of the week holding `text` (YYYY-MM-DD), or of today (UTC) when none is given."""
    if not text:
        day = today or datetime.now(UTC).date()
    else:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadWeek(f"week must be a date, YYYY-MM-DD (got {text!r})") from None
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]


def totals(entries: list[dict[str, Any]], monday: date) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Hours by member id by day (ISO date) of the week, and each member's name as the entries give it."""
    days = {d.isoformat() for d in week_days(monday)}
    hours: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    names: dict[str, str] = {}
    for entry in entries:
        if entry.get("date") not in days:
            continue
        user = str(entry.get("user_id") or "")
        hours[user][str(entry["date"])] += float(entry.get("hours") or 0)
        names.setdefault(user, str(entry.get("user_name") or user))
    return hours, names


def _hours(value: float) -> str:
    return render.number(round(value, 2))


def link(base: str, project: str | None, monday: date) -> str:
    query = {"week": monday.isoformat(), **({"project": project} if project else {})}
    return f"{base}/console/time?{urlencode(query)}"


def week_form(base: str, projects: dict[str, str], project: str | None, monday: date) -> str:
    chooser = (
        render.select("project", "Project", projects, project or "", projects)
        if projects
        else '<label for="project">Project id</label>'
        f'<input id="project" name="project" value="{escape(project or "")}">'
    )
    return (
        f'<form method="get" action="{base}/console/time" class="filters">{chooser}'
        '<label for="week">Week of</label>'
        f'<input id="week" name="week" type="date" value="{monday.isoformat()}">'
        '<button type="submit">Show</button></form>'
    )


def time_body(
    base: str,
    projects: dict[str, str],
    project: str | None,
    monday: date,
    entries: list[dict[str, Any]],
    members: dict[str, str],
) -> str:
    days = week_days(monday)
    sunday = days[-1]
    nav = (
        '<nav class="weeks" aria-label="Weeks">'
        f'<a rel="prev" href="{escape(link(base, project, monday - timedelta(days=7)))}">Previous week</a>'
        f'<span class="week">{monday.isoformat()} to {sunday.isoformat()}</span>'
        f'<a rel="next" href="{escape(link(base, project, monday + timedelta(days=7)))}">Next week</a></nav>'
    )
    hours, entry_names = totals(entries, monday)
    names = {**entry_names, **{u: members[u] for u in hours if u in members}}
    order = sorted(hours, key=lambda u: (names.get(u, u) or "").lower() + "\0" + u)
    day_total = {d.isoformat(): sum(hours[u].get(d.isoformat(), 0.0) for u in order) for d in days}
    heads = ("Member", *(d.strftime("%a %d") for d in days), "Total")
    rows: list[tuple[str, ...]] = [
        (
            names.get(u, u),
            *(_hours(hours[u].get(d.isoformat(), 0.0)) for d in days),
            _hours(sum(hours[u].values())),
        )
        for u in order
    ]
    rows.append(
        ("All members", *(_hours(day_total[d.isoformat()]) for d in days), _hours(sum(day_total.values())))
    )
    summary = render.table(
        f"Hours per member per day, week of {monday.isoformat()}", heads, rows, "data totals"
    )
    listing = (
        render.table(
            f"Entries, {monday.isoformat()} to {sunday.isoformat()}",
            ("Date", "Member", "Hours", "Billable", "Description"),
            (
                (
                    e.get("date") or "",
                    names.get(str(e.get("user_id") or ""), e.get("user_name") or ""),
                    _hours(float(e.get("hours") or 0)),
                    "yes" if e.get("billable") else "no",
                    e.get("description") or "",
                )
                for e in sorted(entries, key=lambda e: (str(e.get("date")), str(e.get("id"))))
            ),
            "data entries",
        )
        if entries
        else '<p class="none">No time logged this week.</p>'
    )
    week_total = (
        f'<p class="week-total">Week total: <strong>{_hours(sum(day_total.values()))}</strong> hours</p>'
    )
    return (
        week_form(base, projects, project, monday)
        + nav
        + week_total
        + render.scroll("Hours per member per day", summary)
        + render.scroll("Entries", listing)
    )


def member_names(client: Tallyboard) -> dict[str, str]:
    try:
        return {m["id"]: m.get("name") or m["id"] for m in every(client, "team.list")}
    except PermissionDeniedError:
        return {}


async def time_page(page: Context) -> Response:
    params = page.request.query_params
    projects = {p["id"]: p.get("name") or p["id"] for p in visible_projects(page.client)}
    project = params.get("project", "").strip() or next(iter(projects), None)
    try:
        monday = week_of(params.get("week", "").strip())
    except BadWeek as bad:
        fallback = week_of(None)
        return page.page(
            "Time", week_form(page.base, projects, project, fallback) + render.alert(str(bad)), 400
        )
    if project is None:
        return page.page("Time", week_form(page.base, projects, None, monday) + "<p>No project to show.</p>")
    query = {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()}
    try:
        entries = every(page.client, "time.list", path={"projectId": project}, query=query)
    except TallyboardError as failure:  # a project the key cannot see: the API's 403
        return page.failure("Time", failure, week_form(page.base, projects, project, monday))
    body = time_body(page.base, projects, project, monday, entries, member_names(page.client))
    return page.page("Time", body)


ROUTES = [Route("/console/time", signed_in(time_page))]
