"""What every console page shares: the stage prefix, the response headers, the session cookie,
the API client on the signed-in key, and `signed_in`, which wraps a page."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from tallyboard_client import Tallyboard
from tallyboard_client._errors import AuthenticationError, PermissionDeniedError, TallyboardError

from tallyboard.console import render
from tallyboard.console import session as sessions
from tallyboard.data.console import console_key, end_session, session_live
from tallyboard.vocabulary import MAX_PAGE_LIMIT

# Longer than an API function's own 10 s, so a page shows the API's answer (even its 504) rather
# than giving up first; the console function's 29 s (API Gateway's limit) covers a page's calls.
API_TIMEOUT_S = 12
SESSION_COOKIE = "tb_console"
PRE_SESSION_COOKIE = "tb_console_pre"  # binds the sign-in form's CSRF token
POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def base(request: Request) -> str:
    """The stage prefix links need (/v1): Mangum hands the app the path without it."""
    event = request.scope.get("aws.event") or {}
    stage = (event.get("requestContext") or {}).get("stage")
    return f"/{stage}" if stage else ""


def api_url(request: Request) -> str:
    """The API the page calls with the user's key: in AWS the domain API Gateway served the request
    on (requestContext.domainName, not the Host header, which a client writes: a forged one must
    not send the key elsewhere); locally, where events carry no domain, the Host header."""
    event = request.scope.get("aws.event") or {}
    domain = (event.get("requestContext") or {}).get("domainName")
    if domain:
        return f"https://{domain}{base(request)}"
    proto = request.headers.get("x-forwarded-proto", "http")
    return f"{proto}://{request.headers.get('host', 'localhost')}{base(request)}"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=f"{base(request)}/console",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def client_for(request: Request, api_key: str) -> Tallyboard:
    return Tallyboard(api_key=api_key, base_url=api_url(request), max_retries=0, timeout=API_TIMEOUT_S)


def html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def redirect(request: Request, path: str) -> Response:
    """303 to a console path (after a form's POST: the browser GETs the page it names)."""
    return RedirectResponse(f"{base(request)}/console{path}", status_code=303, headers=SECURITY_HEADERS)


def to_sign_in(request: Request) -> Response:
    response = redirect(request, "/sign-in")
    response.delete_cookie(
        SESSION_COOKIE, path=f"{base(request)}/console", secure=True, httponly=True, samesite="strict"
    )
    return response


@dataclass(frozen=True)
class Context:
    """What a signed-in page gets: its request, the session, a client on the session's key, the
    session's CSRF token and the stage prefix its links start with."""

    request: Request
    session: sessions.Session
    client: Tallyboard
    csrf: str
    base: str

    def page(self, title: str, body: str, status: int = 200) -> Response:
        return html(render.layout(self.base, title, body, signed_in=True, csrf=self.csrf), status)

    def failure(self, title: str, error: TallyboardError, body: str = "") -> Response:
        """The API's refusal shown after `body` (the page's form), with its status (the SDK's
        APIStatusError.status; no answer at all is a 502); a 401 (a revoked key) signs out instead."""
        if isinstance(error, AuthenticationError):
            raise error
        return self.page(title, body + render.alert(str(error)), getattr(error, "status", None) or 502)

    async def form(self) -> dict[str, str]:
        """The POSTed form, its CSRF token checked (a wrong one ends the request with a 403 page)."""
        form = await read_form(self.request)
        if not sessions.csrf_ok(console_key(), self.session.session_id, form.get("csrf", "")):
            raise CsrfRefused
        return form


class CsrfRefused(Exception):
    pass


def refused(request: Request) -> Response:
    return html(
        render.message(
            base(request), "Refused", "The form's CSRF token is missing or wrong.", signed_in=False
        ),
        403,
    )


Page = Callable[[Context], Awaitable[Response]]


def signed_in(page: Page) -> Callable[[Request], Awaitable[Response]]:
    """Unseal the cookie and run the page with a client on its key; any 401 from the API (a
    revoked or expired key) or a cookie that does not unseal sends the browser to sign in; a
    form whose CSRF token is wrong is refused (403) before the page acts on it. A signed-out
    session's cookie, replayed, unseals but is no longer live."""

    async def endpoint(request: Request) -> Response:
        key = console_key()
        session = sessions.unseal(key, request.cookies.get(SESSION_COOKIE))
        if session is None or not session_live(session.session_id):
            return to_sign_in(request)
        client = client_for(request, session.api_key)
        context = Context(
            request, session, client, sessions.csrf_token(key, session.session_id), base(request)
        )
        try:
            return await page(context)
        except AuthenticationError:
            end_session(session.session_id)  # the key was revoked: its session ends with it
            return to_sign_in(request)
        except CsrfRefused:
            return refused(request)
        finally:
            client.close()

    return endpoint


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form (every console form is one; no multipart parser needed)."""
    return {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}


def check_key(client: Tallyboard) -> None:
    """The key works: /team answers (a 403 is a live key without that right)."""
    with contextlib.suppress(PermissionDeniedError):
        client.call("team.list", query={"limit": 1})


MAX_PAGES = 50  # 5,000 items at the API's largest page: past that, a page is not where to read them


def every(
    client: Tallyboard,
    operation: str,
    path: dict[str, str] | None = None,
    query: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Every item of a list operation, following `nextCursor` (the raw dicts pages render)."""
    query = {**(query or {}), "limit": MAX_PAGE_LIMIT}
    items: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        body = client.call(operation, unwrap=False, path=path, query=query)
        items.extend(body.get("data") or [])
        cursor = (body.get("pagination") or {}).get("nextCursor")
        if not cursor:
            break
        query = {**query, "cursor": cursor, "offset": None}
    return items


def visible_projects(client: Tallyboard) -> list[dict[str, Any]]:
    """The projects the key sees; a key bound to one project lists none (403) and names none:
    its project routes then send no projectId, and the API takes the key's own."""
    try:
        return every(client, "projects.list")
    except PermissionDeniedError:
        return []


def project_ids(client: Tallyboard) -> list[str]:
    return [p["id"] for p in visible_projects(client)]


def chosen_project(projects: list[dict[str, Any]], wanted: str | None) -> str | None:
    """The project asked for if the key sees it, else the first it sees (None for a bound key)."""
    ids = [p["id"] for p in projects]
    return wanted if wanted in ids else (ids[0] if ids else None)


def first_project(client: Tallyboard) -> str | None:
    return chosen_project(visible_projects(client), None)
