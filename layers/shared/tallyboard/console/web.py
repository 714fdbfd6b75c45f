"""The console's ASGI app (Starlette; Mangum adapts it to the proxy event). Every page unseals
the session cookie and calls the API with its key: a revoked key is signed out at once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import AuthenticationError, PermissionDeniedError, TallyboardError

from tallyboard.console import pages
from tallyboard.console import session as sessions
from tallyboard.data.console import console_key

SESSION_COOKIE = "tb_console"
PRE_SESSION_COOKIE = "tb_console_pre"  # binds the sign-in form's CSRF token
STATIC = Path(__file__).parent / "static"
POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class SignedOut(Exception):
    pass


def _base(request: Request) -> str:
    """The stage prefix links need (/v1): Mangum hands the app the path without it."""
    event = request.scope.get("aws.event") or {}
    stage = (event.get("requestContext") or {}).get("stage")
    return f"/{stage}" if stage else ""


def _api_url(request: Request) -> str:
    proto = request.headers.get("x-forwarded-proto", "http")
    return f"{proto}://{request.headers.get('host', 'localhost')}{_base(request)}"


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=f"{_base(request)}/console",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def _client(request: Request, api_key: str) -> Tallyboard:
    return Tallyboard(api_key=api_key, base_url=_api_url(request), max_retries=0, timeout=8)


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def _to_sign_in(request: Request) -> Response:
    response = RedirectResponse(
        f"{_base(request)}/console/sign-in", status_code=303, headers=SECURITY_HEADERS
    )
    response.delete_cookie(
        SESSION_COOKIE, path=f"{_base(request)}/console", secure=True, httponly=True, samesite="strict"
    )
    return response


Page = Callable[[Request, sessions.Session, Tallyboard, str], Awaitable[Response]]


def signed_in(page: Page) -> Callable[[Request], Awaitable[Response]]:
    """Unseal the cookie and run the page with a client on its key; any 401 from the API (a
    revoked or expired key) or a cookie that does not unseal sends the browser to sign in."""

    async def endpoint(request: Request) -> Response:
        key = console_key()
        session = sessions.unseal(key, request.cookies.get(SESSION_COOKIE))
        if session is None:
            return _to_sign_in(request)
        client = _client(request, session.api_key)
        try:
            return await page(request, session, client, sessions.csrf_token(key, session.session_id))
        except (AuthenticationError, SignedOut):
            return _to_sign_in(request)
        finally:
            client.close()

    return endpoint


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form (every console form is one; no multipart parser needed)."""
    return {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}


def _check_key(client: Tallyboard) -> None:
    """The key works: /team answers (a 403 is a live key without that right)."""
    with contextlib.suppress(PermissionDeniedError):
        client.call("team.list", query={"limit": 1})


async def sign_in_form(request: Request) -> Response:
    key = console_key()
    binding = request.cookies.get(PRE_SESSION_COOKIE) or sessions.new_binding()
    response = _html(pages.sign_in(_base(request), sessions.csrf_token(key, binding)))
    _cookie(response, request, PRE_SESSION_COOKIE, binding, 3600)
    return response


async def sign_in(request: Request) -> Response:
    key, base = console_key(), _base(request)
    form = await _form(request)
    binding = request.cookies.get(PRE_SESSION_COOKIE)
    if not sessions.csrf_ok(key, binding, form.get("csrf", "")):
        return _html(
            pages.message(base, "Refused", "The form's CSRF token is missing or wrong.", signed_in=False), 403
        )
    api_key = form.get("api_key", "").strip()
    csrf = sessions.csrf_token(key, binding or "")
    if not api_key:
        return _html(pages.sign_in(base, csrf, "Enter an API key."), 400)
    client = _client(request, api_key)
    try:
        _check_key(client)
    except AuthenticationError:
        return _html(pages.sign_in(base, csrf, "That key is not valid (or was revoked)."), 401)
    finally:
        client.close()
    response = RedirectResponse(f"{base}/console/dashboards", status_code=303, headers=SECURITY_HEADERS)
    _cookie(response, request, SESSION_COOKIE, sessions.seal(key, api_key), sessions.SESSION_SECONDS)
    return response


async def sign_out(request: Request) -> Response:
    key = console_key()
    session = sessions.unseal(key, request.cookies.get(SESSION_COOKIE))
    form = await _form(request)
    if session is not None and not sessions.csrf_ok(key, session.session_id, form.get("csrf", "")):
        return _html(
            pages.message(
                _base(request), "Refused", "The form's CSRF token is missing or wrong.", signed_in=False
            ),
            403,
        )
    return _to_sign_in(request)


async def home(request: Request) -> Response:
    return RedirectResponse(f"{_base(request)}/console/dashboards", status_code=303, headers=SECURITY_HEADERS)


def _project_ids(client: Tallyboard) -> list[str]:
    try:
        projects = client.call("projects.list", unwrap=False)
    except PermissionDeniedError:
        return []
    return [p["id"] for p in projects.get("data") or []]


async def _dashboards(request: Request, session: sessions.Session, client: Tallyboard, csrf: str) -> Response:
    _check_key(client)
    found: list[dict[str, Any]] = []
    # A key bound to one project lists no projects (403) and names none.
    project_ids: list[str | None] = [*_project_ids(client)] or [None]
    for project_id in project_ids:
        body = client.call("dashboards.list", unwrap=False, query={"projectId": project_id})
        found.extend(body.get("data") or [])
    query = request.query_params.get("q", "")
    return _html(pages.dashboards_list(_base(request), csrf, pages.order_dashboards(found, query), query))


async def _dashboard(request: Request, session: sessions.Session, client: Tallyboard, csrf: str) -> Response:
    dashboard_id = request.path_params["dashboard_id"]
    try:
        detail = client.call("dashboards.get", path={"dashboardId": dashboard_id})
        insights = client.call("dashboards.run_insights", unwrap=False, path={"dashboardId": dashboard_id})
    except TallyboardError as error:
        if isinstance(error, AuthenticationError):
            raise
        status = getattr(error, "status_code", 502)
        return _html(
            pages.message(_base(request), "Dashboard", str(error), signed_in=True, csrf=csrf), status
        )
    return _html(pages.dashboard(_base(request), csrf, detail, insights))


async def _metrics(request: Request, session: sessions.Session, client: Tallyboard, csrf: str) -> Response:
    params = request.query_params
    choice = {
        "metric": params.get("metric", "").strip(),
        "range": params.get("range", "30d") if params.get("range") in pages.RANGES else "30d",
        "interval": params.get("interval", "day") if params.get("interval") in pages.INTERVALS else "day",
        "aggregation": params.get("aggregation", "")
        if params.get("aggregation") in pages.AGGREGATIONS
        else "",
    }
    series, error, status = None, None, 200
    if not choice["metric"]:
        _check_key(client)
    else:
        end = datetime.now(UTC).replace(microsecond=0)
        start = end - timedelta(days=pages.RANGES[choice["range"]])
        project_ids = _project_ids(client)
        try:
            series = client.call(
                "metrics.timeseries",
                unwrap=False,
                path={"metricId": choice["metric"]},
                query={
                    "projectId": project_ids[0] if project_ids else None,
                    "startDate": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "endDate": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "interval": choice["interval"],
                    "aggregation": choice["aggregation"] or None,
                },
            )
        except AuthenticationError:
            raise
        except TallyboardError as failure:
            error, status = str(failure), getattr(failure, "status_code", 502)
    return _html(pages.metric_explorer(_base(request), csrf, choice, series, error), status)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name != "console.css":
        return _html(pages.message(_base(request), "Not found", "No such file.", signed_in=False), 404)
    return FileResponse(
        STATIC / name,
        media_type="text/css",
        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
    )


async def not_found(request: Request, exc: Exception) -> Response:
    return _html(pages.message(_base(request), "Not found", "No such page.", signed_in=False), 404)


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/console", home),
            Route("/console/sign-in", sign_in_form, methods=["GET"]),
            Route("/console/sign-in", sign_in, methods=["POST"]),
            Route("/console/sign-out", sign_out, methods=["POST"]),
            Route("/console/dashboards", signed_in(_dashboards)),
            Route("/console/dashboards/{dashboard_id}", signed_in(_dashboard)),
            Route("/console/metrics", signed_in(_metrics)),
            Route("/console/static/{name}", static),
        ],
        exception_handlers={404: not_found},
    )


def lambda_handler_for(app: Starlette) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Mangum (lifespan off) with an event loop of the calling thread's own: Lambda calls from its
    main thread, but the local gateway calls from a thread per request, which has none."""
    from mangum import Mangum

    adapter = Mangum(app, lifespan="off")

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            loop = asyncio.get_event_loop()
            usable = not (loop.is_closed() or loop.is_running())
        except RuntimeError:
            usable = False
        if not usable:
            asyncio.set_event_loop(asyncio.new_event_loop())
        return dict(adapter(event, context))

    return handler
