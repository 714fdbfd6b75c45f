"""Leads by status: a section per status of the contract's list, in its order, with the count and
the leads (name, company, value, rep, tags); a rep filter (GET form) the API applies."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client._errors import TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, every, redirect, signed_in
from tallyboard.vocabulary import LEAD_STATUSES


def by_status(leads: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(status, its leads) for every documented status in the contract's order, then any other
    status the API answers with (so nothing it lists is hidden)."""
    groups: dict[str, list[dict[str, Any]]] = {status: [] for status in LEAD_STATUSES}
    for lead in leads:
        groups.setdefault(str(lead.get("status") or ""), []).append(lead)
    return list(groups.items())


def _value(value: Any) -> str:
    return render.number(value) if value is not None else ""


def rep_form(base: str, rep: str) -> str:
    return (
        f'<form method="get" action="{base}/console/leads" class="filters" role="search">'
        '<label for="rep">Rep</label>'
        f'<input id="rep" name="rep" value="{escape(rep)}" autocomplete="off">'
        '<button type="submit">Filter</button>'
        + (f' <a href="{base}/console/leads">All reps</a>' if rep else "")
        + "</form>"
    )


def move_form(base: str, csrf: str, lead: dict[str, Any], rep: str) -> str:
    """POST /console/leads/{id}: the lead's new status (PATCH /leads/{id} {status})."""
    lead_id, name = escape(str(lead["id"])), escape(str(lead.get("name") or lead["id"]))
    options = "".join(
        f'<option value="{escape(s)}"{" selected" if s == lead.get("status") else ""}>{escape(s)}</option>'
        for s in LEAD_STATUSES
    )
    return (
        f'<form method="post" action="{base}/console/leads/{lead_id}" class="lead-move">'
        f'{render.hidden_csrf(csrf)}<input type="hidden" name="rep" value="{escape(rep)}">'
        f'<select name="status" aria-label="Status of {name}">{options}</select>'
        f'<button type="submit" aria-label="Move {name}">Move</button></form>'
    )


def _lead_row(base: str, csrf: str, lead: dict[str, Any], rep: str) -> str:
    cells = (
        lead.get("name") or "",
        lead.get("company") or "",
        _value(lead.get("value")),
        lead.get("rep") or "",
        ", ".join(lead.get("tags") or []),
    )
    return (
        f'<tr data-id="{escape(str(lead["id"]))}">'
        + "".join(f"<td>{escape(str(c))}</td>" for c in cells)
        + f'<td class="actions">{move_form(base, csrf, lead, rep)}</td></tr>'
    )


def leads_body(base: str, csrf: str, leads: list[dict[str, Any]], rep: str) -> str:
    heads = "".join(
        f'<th scope="col">{h}</th>' for h in ("Name", "Company", "Value", "Rep", "Tags", "Status")
    )
    sections = []
    for index, (status, group) in enumerate(by_status(leads)):
        heading = f'<h2 id="status-{index}">{escape(status)} <span class="count">{len(group)}</span></h2>'
        if group:
            caption = f"{escape(status)}: {len(group)} lead{'' if len(group) == 1 else 's'}"
            rows = "".join(_lead_row(base, csrf, lead, rep) for lead in group)
            inner = render.scroll(
                f"{status} leads",
                f'<table class="data leads"><caption>{caption}</caption>'
                f"<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>",
            )
        else:
            inner = '<p class="none">No leads.</p>'
        sections.append(
            f'<section class="lead-status" data-status="{escape(status)}" '
            f'aria-labelledby="status-{index}">{heading}{inner}</section>'
        )
    total = (
        f'<p class="summary">{len(leads)} lead{"" if len(leads) == 1 else "s"}'
        + (f" of rep {escape(rep)}" if rep else "")
        + "</p>"
    )
    return rep_form(base, rep) + total + "".join(sections)


async def leads_page(page: Context) -> Response:
    rep = page.request.query_params.get("rep", "").strip()
    try:
        leads = every(page.client, "leads.list", query={"rep": rep or None})
    except TallyboardError as failure:  # a project-bound key: the API's 403
        return page.failure("Leads", failure, rep_form(page.base, rep))
    return page.page("Leads", leads_body(page.base, page.csrf, leads, rep))


async def move_lead(page: Context) -> Response:
    form = await page.form()
    rep = form.get("rep", "").strip()
    back = "/leads" + (f"?{urlencode({'rep': rep})}" if rep else "")
    try:
        page.client.call(
            "leads.update",
            path={"leadId": page.request.path_params["lead_id"]},
            body={"status": form.get("status", "")},
        )
    except TallyboardError as failure:  # a viewer (403), an unknown status (400), a lost lead (404)
        return page.failure(
            "Leads", failure, f'<p><a href="{escape(page.base)}/console{escape(back)}">Back to leads</a></p>'
        )
    return redirect(page.request, back)


ROUTES = [
    Route("/console/leads", signed_in(leads_page), methods=["GET"]),
    Route("/console/leads/{lead_id}", signed_in(move_lead), methods=["POST"]),
]
