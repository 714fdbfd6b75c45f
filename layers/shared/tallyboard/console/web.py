"""The console's ASGI app (Starlette; Mangum adapts it to the proxy event): sign-in and sign-out,
the stylesheet, and every area's routes. Every page unseals the session cookie and calls the API
with its key, so a revoked key is signed out at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from tallyboard_client._errors import AuthenticationError

from tallyboard.console import (
    audit,
    dashboards,
    exports,
    holidays,
    keys,
    leads,
    metrics,
    projects,
    render,
    timesheet,
)
from tallyboard.console import session as sessions
from tallyboard.console.routing import (
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    base,
    check_key,
    client_for,
    html,
    read_form,
    redirect,
    refused,
    set_cookie,
    to_sign_in,
)
from tallyboard.data.console import console_key, end_session, start_session

STATIC = Path(__file__).parent / "static"
MEDIA_TYPES = {"console.css": "text/css", "console.js": "text/javascript", "icon.svg": "image/svg+xml"}
# Mangum base64-encodes a body whose type it does not know as text; API Gateway would then hand
# the browser base64 (the API declares no binary media types), so the SVG is declared text.
TEXT_MEDIA_TYPES = [*DEFAULT_TEXT_MIME_TYPES, "image/svg+xml"]
AREAS = (
    dashboards,
    metrics,
    projects,
    exports,
    keys,
    audit,
    leads,
    timesheet,
    holidays,
)


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
    binding = request.cookies.get(PRE_SESSION_COOKIE) or sessions.new_id()
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
    session_id = sessions.new_id()
    start_session(session_id)
    response = redirect(request, "/dashboards")
    cookie = sessions.seal(key, api_key, session_id)
    set_cookie(response, request, SESSION_COOKIE, cookie, sessions.SESSION_SECONDS)
    return response


async def sign_out(request: Request) -> Response:
    key = console_key()
    session = sessions.unseal(key, request.cookies.get(SESSION_COOKIE))
    form = await read_form(request)
    if session is not None and not sessions.csrf_ok(key, session.session_id, form.get("csrf", "")):
        return refused(request)
    if session is not None:
        end_session(session.session_id)
    return to_sign_in(request)


async def home(request: Request) -> Response:
    return redirect(request, "/dashboards")


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in MEDIA_TYPES:
        return html(render.message(base(request), "Not found", "No such file.", signed_in=False), 404)
    return FileResponse(
        STATIC / name,
        media_type=MEDIA_TYPES[name],
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
    adapter = Mangum(app, lifespan="off", text_mime_types=TEXT_MEDIA_TYPES)

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
