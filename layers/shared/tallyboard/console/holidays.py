"""Holidays: the year's stats (allowance, taken, pending, remaining), the requests (scope me or
team, a status, a year), a request form (POST /holidays: an overlap is the API's 409 shown), and
the decisions: owners approve or decline a pending team request, a requester cancels their own."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import PermissionDeniedError, TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, every, redirect, signed_in
from tallyboard.vocabulary import HOLIDAY_TYPES

SCOPES = {"me": "My requests", "team": "Team"}
STATUSES = ("", "pending", "approved", "declined", "cancelled")
DECISIONS = {"approved": "Approve", "declined": "Decline", "cancelled": "Cancel"}
STATS = (
    ("allowance_days", "Allowance"),
    ("taken_days", "Taken"),
    ("pending_days", "Pending"),
    ("remaining_days", "Remaining"),
)


def choice_of(params: Any) -> dict[str, str]:
    """The list's filters; an unknown scope or status is the default, the year goes to the API
    as typed (a year it refuses is its 400)."""
    return {
        "scope": params.get("scope") if params.get("scope") in SCOPES else "me",
        "status": params.get("status") if params.get("status") in STATUSES else "",
        "year": (params.get("year") or "").strip(),
    }


def back_path(choice: dict[str, str]) -> str:
    query = urlencode({k: v for k, v in choice.items() if v})
    return "/holidays" + (f"?{query}" if query else "")


def filter_form(base: str, choice: dict[str, str]) -> str:
    return (
        f'<form method="get" action="{base}/console/holidays" class="filters">'
        + render.select("scope", "Scope", SCOPES, choice["scope"], SCOPES)
        + render.select("status", "Status", STATUSES, choice["status"], {"": "any"})
        + '<label for="year">Year</label>'
        f'<input id="year" name="year" inputmode="numeric" value="{escape(choice["year"])}" '
        'placeholder="every year" size="8">'
        '<button type="submit">Show</button></form>'
    )


def _day_input(name: str, label: str, sent: dict[str, str]) -> str:
    value = escape(sent.get(name, ""))
    return (
        f'<label for="{name}">{label}</label>'
        f'<input id="{name}" name="{name}" type="date" required value="{value}">'
    )


def request_form(base: str, csrf: str, sent: dict[str, str] | None = None) -> str:
    sent = sent or {}
    return (
        f'<form method="post" action="{base}/console/holidays" class="holiday-request">'
        f"{render.hidden_csrf(csrf)}"
        '<h2 id="request-h">Request a holiday</h2>'
        + _day_input("start_date", "First day", sent)
        + _day_input("end_date", "Last day", sent)
        + render.select("type", "Type", HOLIDAY_TYPES, sent.get("type") or "annual")
        + '<label for="note">Note</label>'
        f'<input id="note" name="note" maxlength="1000" value="{escape(sent.get("note", ""))}">'
        '<button type="submit">Request</button></form>'
    )


def stats_block(stats: dict[str, Any], scope: str) -> str:
    whose = "The team's" if scope == "team" else "Your"
    items = "".join(
        f'<div class="stat" data-stat="{key}"><dt>{label}</dt>'
        f"<dd>{escape(str(stats.get(key, '')))}</dd></div>"
        for key, label in STATS
    )
    year = escape(str(stats.get("year", "")))
    return (
        f'<section aria-labelledby="stats-h"><h2 id="stats-h">{whose} annual leave in {year} (days)</h2>'
        f'<dl class="holiday-stats">{items}</dl></section>'
    )


def _decision(base: str, csrf: str, holiday: dict[str, Any], status: str, back: str) -> str:
    label = f"{DECISIONS[status]} {holiday.get('user_name') or ''} {holiday.get('start_date')}"
    return (
        f'<form method="post" action="{base}/console/holidays/{escape(str(holiday["id"]))}" class="decide">'
        f'{render.hidden_csrf(csrf)}<input type="hidden" name="status" value="{status}">'
        f'<input type="hidden" name="back" value="{escape(back)}">'
        f'<button type="submit" aria-label="{escape(label.strip())}">'
        f"{DECISIONS[status]}</button></form>"
    )


def actions(base: str, csrf: str, holiday: dict[str, Any], scope: str, owner: bool, back: str) -> str:
    """Buttons for what the key may do to a pending request: owners decide team requests; in
    the list of one's own, cancel."""
    if holiday.get("status") != "pending":
        return ""
    buttons = []
    if scope == "team" and owner:
        buttons += [_decision(base, csrf, holiday, s, back) for s in ("approved", "declined")]
    if scope == "me":
        buttons.append(_decision(base, csrf, holiday, "cancelled", back))
    return "".join(buttons)


def requests_table(
    base: str, csrf: str, holidays: list[dict[str, Any]], choice: dict[str, str], owner: bool
) -> str:
    if not holidays:
        return '<p class="none">No requests match.</p>'
    back = back_path(choice)
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in ("Member", "From", "To", "Days", "Type", "Status", "Note", "Actions")
    )
    rows = "".join(
        f'<tr data-id="{escape(str(h["id"]))}">'
        + "".join(
            f"<td>{escape(str(h.get(k) if h.get(k) is not None else ''))}</td>"
            for k in ("user_name", "start_date", "end_date", "days", "type", "status", "note")
        )
        + f'<td class="actions">{actions(base, csrf, h, choice["scope"], owner, back)}</td></tr>'
        for h in holidays
    )
    return render.scroll(
        "Holiday requests",
        '<table class="data holidays"><caption>Holiday requests</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
    )


def holidays_body(
    base: str,
    csrf: str,
    choice: dict[str, str],
    listing: dict[str, Any],
    owner: bool,
) -> str:
    return (
        stats_block(listing.get("stats") or {}, choice["scope"])
        + '<section aria-labelledby="requests-h"><h2 id="requests-h">Requests</h2>'
        + filter_form(base, choice)
        + requests_table(base, csrf, listing.get("data") or [], choice, owner)
        + "</section>"
        + request_form(base, csrf)
    )


def is_owner(client: Tallyboard) -> bool:
    """Whether the key acts as an owner: only owners list keys (the API has no 'who am I'), so
    a 403 there means no approve/decline buttons; the API still decides each one."""
    try:
        client.call("keys.list", query={"limit": 1})
    except PermissionDeniedError:
        return False
    return True


def listing_of(client: Tallyboard, choice: dict[str, str]) -> dict[str, Any]:
    """Every matching request and the stats (those of the first page: one per query)."""
    query = {"scope": choice["scope"], "status": choice["status"] or None, "year": choice["year"] or None}
    first = client.call("holidays.list", unwrap=False, query={**query, "limit": 100})
    data = list(first.get("data") or [])
    if (first.get("pagination") or {}).get("hasMore"):
        data = every(client, "holidays.list", query=query)
    return {"data": data, "stats": first.get("stats") or {}}


async def holidays_page(page: Context) -> Response:
    choice = choice_of(page.request.query_params)
    try:
        listing = listing_of(page.client, choice)
    except TallyboardError as failure:  # a bad year (400), a project-bound key (403)
        return page.failure("Holidays", failure, filter_form(page.base, choice))
    owner = choice["scope"] == "team" and is_owner(page.client)
    return page.page("Holidays", holidays_body(page.base, page.csrf, choice, listing, owner))


async def request_holiday(page: Context) -> Response:
    form = await page.form()
    body = {k: form.get(k, "").strip() for k in ("start_date", "end_date", "type")}
    note = form.get("note", "").strip()
    try:
        page.client.call(
            "holidays.create",
            body={**{k: v for k, v in body.items() if v}, **({"note": note} if note else {})},
        )
    except TallyboardError as failure:  # an overlap (409), bad dates (400): the form as sent
        return page.failure("Holidays", failure, request_form(page.base, page.csrf, form))
    return redirect(page.request, "/holidays")


async def decide(page: Context) -> Response:
    form = await page.form()
    back = form.get("back", "")
    if not back.startswith("/holidays"):
        back = "/holidays"
    try:
        page.client.call(
            "holidays.update",
            path={"holidayId": page.request.path_params["holiday_id"]},
            body={"status": form.get("status", "")},
        )
    except TallyboardError as failure:  # not an owner (403), decided already (409)
        return page.failure(
            "Holidays",
            failure,
            f'<p><a href="{escape(page.base)}/console{escape(back)}">Back to holidays</a></p>',
        )
    return redirect(page.request, back)


ROUTES = [
    Route("/console/holidays", signed_in(holidays_page), methods=["GET"]),
    Route("/console/holidays", signed_in(request_holiday), methods=["POST"]),
    Route("/console/holidays/{holiday_id}", signed_in(decide), methods=["POST"]),
]
