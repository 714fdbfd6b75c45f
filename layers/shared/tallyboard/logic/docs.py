"""The OpenAPI document, merged from every handler's own resolver, and the Swagger UI page."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

API_TITLE = "Tallyboard API"
API_VERSION = "1.0.0"
PUBLIC_PATHS = ("/openapi.json", "/docs")


@cache
def openapi_schema(functions_root: Path) -> dict[str, Any]:
    """Merged once per container: importing every handler costs a few hundred ms, only here."""
    merge = OpenAPIMerge(
        title=API_TITLE,
        version=API_VERSION,
        description="Multi-tenant analytics and agency API. Authenticate with `Authorization: Bearer tb_…`.",
        servers=[Server(url="/v1")],
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="tb_…")},
        security=[{"bearerAuth": []}],
        on_conflict="error",
    )
    merge.discover(functions_root, pattern="app.py", recursive=True)
    schema = json.loads(merge.get_openapi_json_schema())
    for path in PUBLIC_PATHS:
        for operation in schema.get("paths", {}).get(path, {}).values():
            operation["security"] = []
    return schema


@cache
def swagger_html() -> str:
    """Swagger UI with Powertools' bundled assets inlined: works offline and behind any base path
    (the spec is fetched relative to /v1/docs)."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    assets = Path(swagger_ui.__file__).parent
    css = (assets / "swagger-ui.min.css").read_text()
    js = (assets / "swagger-ui-bundle.min.js").read_text()
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Tallyboard API</title>'
        f"<style>{css}</style></head><body><div id=\"swagger-ui\"></div><script>{js}</script>"
        '<script>SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", persistAuthorization: true});'
        "</script></body></html>"
    )
