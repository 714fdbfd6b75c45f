"""API keys (owners): the workspace's keys masked, a create form whose answer shows the plaintext
key once (in the POST's own response: a redirect would have to carry it in a URL or a cookie),
and a revoke form per key. A key that may not manage keys gets the API's 403 as the page."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import TallyboardError

from tallyboard.auth import ROLES, SCOPES
from tallyboard.console import render
from tallyboard.console.routing import Context, redirect, signed_in, visible_projects

MAX_PAGES = 50  # 100 keys a page: far beyond any workspace's keys, and a bound on the loop
PROJECT_FIELD, SCOPE_FIELD = (
    "project.",
    "scope.",
)  # one checkbox one name: the form reader keeps one value a name


def field_id(prefix: str, value: str) -> str:
    return prefix.rstrip(".") + "-" + "".join(c if c.isalnum() or c in "_-" else "-" for c in value)


def all_keys(client: Tallyboard) -> list[dict[str, Any]]:
    """Every key the caller's key sees, following nextCursor."""
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        body = client.call("keys.list", unwrap=False, query={"limit": 100, "cursor": cursor})
        found.extend(body.get("data") or [])
        cursor = (body.get("pagination") or {}).get("nextCursor")
        if not cursor:
            break
    return found


def _listed(values: list[str], everything: str) -> str:
    return ", ".join(values) if values else everything


def _revoke_form(base: str, csrf: str, key: dict[str, Any]) -> str:
    name = escape(key.get("name") or key["id"])
    return (
        f'<form method="post" action="{base}/console/keys/{escape(key["id"])}/revoke" class="revoke">'
        f"{render.hidden_csrf(csrf)}"
        f'<button type="submit" aria-label="Revoke {name}">Revoke</button></form>'
    )


def keys_table(base: str, csrf: str, keys: list[dict[str, Any]]) -> str:
    """The keys, masked (the API never answers more than tb_…abcd), a revoke form on active ones."""
    if not keys:
        return "<p>No keys.</p>"
    headings = ("Key", "Name", "Role", "Projects", "Scopes", "Acts for", "Created (UTC)", "Status", "")
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings[:-1]) + (
        '<th scope="col"><span class="visually-hidden">Action</span></th>'
    )
    rows = []
    for key in keys:
        active = key.get("status") != "revoked"
        status = "active" if active else f"revoked {render.when(key.get('revokedAt'))}"
        cells = [
            f"<code>{escape(key.get('maskedKey') or '')}</code>",
            escape(key.get("name") or ""),
            escape(key.get("role") or ""),
            escape(_listed(key.get("projectIds") or [], "all")),
            escape(_listed(key.get("scopes") or [], "all")),
            escape(key.get("userId") or ""),
            escape(render.when(key.get("createdAt"))),
            escape(status),
            _revoke_form(base, csrf, key) if active else "",
        ]
        if key.get("lastUsedAt") is not None:  # not answered today; shown if the API ever does
            cells[7] += escape(f", last used {render.when(key['lastUsedAt'])}")
        row_id = escape(key["id"])
        rows.append(f'<tr id="{row_id}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return render.scroll(
        "Keys of this workspace",
        '<table class="data keys"><caption>Keys of this workspace</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>",
    )


def create_form(
    base: str, csrf: str, projects: list[dict[str, Any]], chosen: dict[str, str] | None = None
) -> str:
    """Name, role, projects (none ticked: as wide as the creating key) and scopes (none: as the
    creating key's); `chosen` refills a refused form."""
    chosen = chosen or {}

    def box(prefix: str, value: str, label: str) -> str:
        ident = field_id(prefix, value)
        ticked = " checked" if chosen.get(prefix + value) else ""
        return (
            f'<li><input type="checkbox" id="{ident}" name="{escape(prefix + value)}" value="on"{ticked}>'
            f'<label for="{ident}">{escape(label)}</label></li>'
        )

    project_boxes = "".join(
        box(PROJECT_FIELD, p["id"], f"{p.get('name') or p['id']} ({p['id']})") for p in projects
    )
    projects_part = (
        "<fieldset><legend>Projects (none ticked: every project this key sees)</legend>"
        f'<ul class="checks">{project_boxes}</ul></fieldset>'
        if project_boxes
        else ""
    )
    scope_boxes = "".join(box(SCOPE_FIELD, s, s) for s in SCOPES)
    return (
        f'<form method="post" action="{base}/console/keys" class="create-key">'
        f"{render.hidden_csrf(csrf)}"
        '<h2 id="create">Create a key</h2>'
        '<label for="key-name">Name</label>'
        f'<input id="key-name" name="name" maxlength="100" value="{escape(chosen.get("name", ""))}">'
        + render.select("role", "Role", ROLES, chosen.get("role", "viewer"))
        + projects_part
        + "<fieldset><legend>Scopes (none ticked: the scopes of this key)</legend>"
        f'<ul class="checks">{scope_boxes}</ul></fieldset>'
        '<button type="submit">Create key</button></form>'
    )


def create_request(form: dict[str, str]) -> dict[str, Any]:
    """The POST /api-keys body of the form: sent as typed, so the API judges it (its 400s)."""
    project_ids = [k[len(PROJECT_FIELD) :] for k in form if k.startswith(PROJECT_FIELD)]
    scopes = [k[len(SCOPE_FIELD) :] for k in form if k.startswith(SCOPE_FIELD)]
    return {
        "name": form.get("name", ""),
        "role": form.get("role", ""),
        "projectIds": project_ids or None,
        "scopes": scopes or None,
    }


def created_body(base: str, key: dict[str, Any]) -> str:
    return (
        '<p class="once" role="status">This is the only time the key is shown: copy it now. '
        "The list shows it masked from now on.</p>"
        '<label for="new-key">The new key</label>'
        f'<input id="new-key" class="secret" readonly value="{escape(key.get("key") or "")}" '
        'autocomplete="off" spellcheck="false">'
        + '<dl class="details">'
        + "".join(
            f"<dt>{escape(label)}</dt><dd>{escape(str(value or ''))}</dd>"
            for label, value in (
                ("Id", key.get("id")),
                ("Name", key.get("name")),
                ("Role", key.get("role")),
                ("Projects", _listed(key.get("projectIds") or [], "all")),
                ("Scopes", _listed(key.get("scopes") or [], "all")),
                ("Acts for", key.get("userId")),
            )
        )
        + "</dl>"
        + f'<p><a href="{base}/console/keys">Back to the keys</a></p>'
    )


async def list_page(page: Context) -> Response:
    try:
        keys = all_keys(page.client)
    except TallyboardError as error:  # not an owner (or a narrower scope): the API's 403
        return page.failure("API keys", error)
    return page.page(
        "API keys",
        keys_table(page.base, page.csrf, keys)
        + create_form(page.base, page.csrf, visible_projects(page.client)),
    )


async def create(page: Context) -> Response:
    form = await page.form()
    try:
        created = page.client.call("keys.create", body=create_request(form))
    except TallyboardError as error:  # empty name, unknown role, a project out of reach: nothing made
        return page.failure(
            "API keys", error, create_form(page.base, page.csrf, visible_projects(page.client), form)
        )
    return page.page("Key created", created_body(page.base, created))


async def revoke(page: Context) -> Response:
    await page.form()
    try:
        page.client.call("keys.revoke", path={"keyId": page.request.path_params["key_id"]})
    except TallyboardError as error:
        return page.failure("API keys", error)
    return redirect(page.request, "/keys")


ROUTES = [
    Route("/console/keys", signed_in(list_page), methods=["GET"]),
    Route("/console/keys", signed_in(create), methods=["POST"]),
    Route("/console/keys/{key_id}/revoke", signed_in(revoke), methods=["POST"]),
]
