"""The audit log of a project: a table of GET /audit-logs with its filters (action, from and to
dates) and paging: next by the API's sealed nextCursor (one page whatever the depth), previous
by offset. A plan without audit logs, or dates the API refuses, show the API's refusal."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, signed_in, visible_projects

LIMITS = ("10", "25", "50", "100")
DEFAULT_LIMIT = "25"
FILTERS = ("projectId", "action", "startDate", "endDate", "limit")


def choice_of(params: QueryParams | dict[str, str]) -> dict[str, str]:
    """The page's filters from its query string (anything but a listed limit is the default)."""
    choice = {name: (params.get(name) or "").strip() for name in FILTERS}
    if choice["limit"] not in LIMITS:
        choice["limit"] = DEFAULT_LIMIT
    return choice


def _day(value: str, end: bool) -> str | None:
    """A date input's day as the API's bound: the day's first or last millisecond (UTC); any other
    text is sent as typed, for the API to accept or refuse (its 400)."""
    if not value:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return value
    return f"{value}T23:59:59.999Z" if end and len(value) == 10 else value


def api_query(choice: dict[str, str], cursor: str | None, offset: int) -> dict[str, Any]:
    return {
        "projectId": choice["projectId"] or None,
        "action": choice["action"] or None,
        "startDate": _day(choice["startDate"], end=False),
        "endDate": _day(choice["endDate"], end=True),
        "limit": int(choice["limit"]),
        "cursor": cursor or None,
        "offset": offset or None,
    }


def summary(metadata: Any) -> str:
    """An entry's metadata as `key: value` pairs (nested values as compact JSON)."""
    if not isinstance(metadata, dict) or not metadata:
        return ""
    return "; ".join(
        f"{k}: {v if isinstance(v, str) else json.dumps(v, separators=(',', ':'), sort_keys=True)}"
        for k, v in sorted(metadata.items())
    )


def who(entry: dict[str, Any], names: dict[str, str]) -> str:
    user = entry.get("userId") or ""
    return f"{names[user]} ({user})" if names.get(user) else user


def filter_form(base: str, choice: dict[str, str], project_list: list[dict[str, Any]]) -> str:
    chosen = render.project_select(project_list, choice["projectId"], name="projectId")
    project_part = f"<div>{chosen}</div>" if chosen else ""
    return (
        f'<form method="get" action="{base}/console/audit" class="explorer audit-filters">'
        + project_part
        + '<div><label for="action">Action (e.g. dashboard_created)</label>'
        f'<input id="action" name="action" value="{escape(choice["action"])}">'
        "</div>"
        f'<div><label for="startDate">From (UTC)</label><input id="startDate" name="startDate" type="date" '
        f'value="{escape(choice["startDate"])}"></div>'
        f'<div><label for="endDate">To (UTC)</label><input id="endDate" name="endDate" type="date" '
        f'value="{escape(choice["endDate"])}"></div>'
        + f"<div>{render.select('limit', 'Per page', LIMITS, choice['limit'])}</div>"
        + '<button type="submit">Filter</button></form>'
    )


def entries_table(entries: list[dict[str, Any]], names: dict[str, str]) -> str:
    if not entries:
        return "<p>No entries match.</p>"
    rows = [
        (
            render.when(e.get("createdAt")),
            who(e, names),
            e.get("action") or "",
            e.get("resource") or "",
            e.get("resourceId") or "",
            summary(e.get("metadata")),
            e.get("ipAddress") or "",
        )
        for e in entries
    ]
    table = render.table(
        "Audit log entries, newest first",
        ("When (UTC)", "Who", "Action", "Resource", "Resource id", "Details", "IP address"),
        rows,
        css="data audit",
    )
    return render.scroll("Audit log entries", table)


def pager(base: str, choice: dict[str, str], pagination: dict[str, Any], shown: int) -> str:
    """Where this page sits in the list, and links to the previous and next pages."""
    offset, total = int(pagination.get("offset") or 0), int(pagination.get("total") or 0)
    limit = int(pagination.get("limit") or choice["limit"])
    kept = {k: v for k, v in choice.items() if v}
    links = []
    if offset > 0:
        previous = urlencode({**kept, "offset": max(offset - limit, 0)})
        links.append(f'<a rel="prev" href="{base}/console/audit?{escape(previous)}">Previous page</a>')
    if pagination.get("nextCursor"):
        following = urlencode({**kept, "cursor": pagination["nextCursor"]})
        links.append(f'<a rel="next" href="{base}/console/audit?{escape(following)}">Next page</a>')
    where = f"Entries {offset + 1} to {offset + shown} of {total}" if shown else f"{total} entries"
    return f'<nav class="pager" aria-label="Audit log pages"><p>{escape(where)}</p>{"".join(links)}</nav>'


def team_names(client: Tallyboard) -> dict[str, str]:
    """Member ids to names (any key reads /team); without it the table shows ids alone."""
    with contextlib.suppress(TallyboardError):
        members = client.call("team.list", unwrap=False, query={"limit": 100}).get("data") or []
        return {m["id"]: m.get("name") or "" for m in members if m.get("id")}
    return {}


async def audit_page(page: Context) -> Response:
    params = page.request.query_params
    choice = choice_of(params)
    project_list = visible_projects(page.client)
    if not choice["projectId"] and project_list:
        choice["projectId"] = project_list[0]["id"]
    form = filter_form(page.base, choice, project_list)
    try:
        offset = max(int(params.get("offset") or 0), 0)
    except ValueError:
        offset = 0
    try:
        body = page.client.call(
            "audit_logs.list", unwrap=False, query=api_query(choice, params.get("cursor"), offset)
        )
    except TallyboardError as error:  # a plan without audit logs (403), dates refused (400)
        return page.failure("Audit log", error, form)
    entries = list(body.get("data") or [])
    return page.page(
        "Audit log",
        form
        + entries_table(entries, team_names(page.client))
        + pager(page.base, choice, body.get("pagination") or {}, len(entries)),
    )


ROUTES = [Route("/console/audit", signed_in(audit_page))]
