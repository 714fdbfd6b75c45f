"""The console's ASGI app (Starlette; Mangum adapts it to the proxy event): sign-in and sign-out,
the stylesheet, and every area's routes. Every page unseals the session cookie and calls the API
with its key, so a revoked key is signed out at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route
from tallyboard_client._errors import AuthenticationError

from tallyboard.console import dashboards, holidays, leads, metrics, render, timesheet
from tallyboard.console import session as sessions
from tallyboard.console.routing import (
    PRE_SESSION_COOKIE,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    base,
    check_key,
    client_for,
    html,
    read_form,
    refused,
    set_cookie,
    to_sign_in,
)
from tallyboard.data.console import console_key

STATIC = Path(__file__).parent / "static"
AREAS = (dashboards, metrics, leads, timesheet, holidays)


def sign_in_page(prefix: str, csrf: str, error: str | None = None) -> str:
    body = (
        f'{render.alert(error)}<form method="post" action="{prefix}/console/sign-in" class="sign-in">'
        f"{render.hidden_csrf(csrf)}"
        '<label for="api_key">API key</label>'
        '<input id="api_key" name="api_key" type="password" autocomplete="off" required>'
        '<button type="submit">Sign in</button></form>'
    )
    return render.layout(prefix, "Sign in", body, signed_in=False)


async def sign_in_form(request: Request) -> Response:
    key = console_key()
    binding = request.cookies.get(PRE_SESSION_COOKIE) or sessions.new_binding()
    response = html(sign_in_page(base(request), sessions.csrf_token(key, binding)))
    set_cookie(response, request, PRE_SESSION_COOKIE, binding, 3600)
    return response


async def sign_in(request: Request) -> Response:
    key, prefix = console_key(), base(request)
    form = await read_form(request)
    binding = request.cookies.get(PRE_SESSION_COOKIE)
    if not sessions.csrf_ok(key, binding, form.get("csrf", "")):
        return refused(request)
    api_key = form.get("api_key", "").strip()
    csrf = sessions.csrf_token(key, binding or "")
    if not api_key:
        return html(sign_in_page(prefix, csrf, "Enter an API key."), 400)
    client = client_for(request, api_key)
    try:
        check_key(client)
    except AuthenticationError:
        return html(sign_in_page(prefix, csrf, "That key is not valid (or was revoked)."), 401)
    finally:
        client.close()
    response = RedirectResponse(f"{prefix}/console/dashboards", status_code=303, headers=SECURITY_HEADERS)
    set_cookie(response, request, SESSION_COOKIE, sessions.seal(key, api_key), sessions.SESSION_SECONDS)
    return response


async def sign_out(request: Request) -> Response:
    key = console_key()
    session = sessions.unseal(key, request.cookies.get(SESSION_COOKIE))
    form = await read_form(request)
    if session is not None and not sessions.csrf_ok(key, session.session_id, form.get("csrf", "")):
        return refused(request)
    return to_sign_in(request)


async def home(request: Request) -> Response:
    return RedirectResponse(f"{base(request)}/console/dashboards", status_code=303, headers=SECURITY_HEADERS)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name != "console.css":
        return html(render.message(base(request), "Not found", "No such file.", signed_in=False), 404)
    return FileResponse(
        STATIC / name,
        media_type="text/css",
        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"},
    )


async def not_found(request: Request, exc: Exception) -> Response:
    return html(render.message(base(request), "Not found", "No such page.", signed_in=False), 404)


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/console", home),
            Route("/console/sign-in", sign_in_form, methods=["GET"]),
            Route("/console/sign-in", sign_in, methods=["POST"]),
            Route("/console/sign-out", sign_out, methods=["POST"]),
            Route("/console/static/{name}", static),
            *(route for area in AREAS for route in area.ROUTES),
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
