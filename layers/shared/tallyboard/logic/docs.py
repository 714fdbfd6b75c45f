"""The OpenAPI document, merged from every handler's own resolver, and the Swagger UI page."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi import schema_generator
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server
from pydantic import TypeAdapter, json_schema
from pydantic_core import PydanticUndefined

API_TITLE = "Tallyboard API"
API_VERSION = "1.0.0"
PUBLIC_PATHS = ("/openapi.json", "/docs")


def _query_model_parameter(param_name: str, field_def: Any, param_location: str) -> dict[str, Any]:
    """A field of a query model as an OpenAPI parameter. Powertools documents it by its bare type,
    dropping what the validation enforces (pattern, bounds, enum, default): the spec must state it.
    A query value is never null (absence is), so `| None` adds nothing to its schema."""
    annotation = field_def.annotation
    if field_def.metadata:
        annotation = Annotated[(annotation, *field_def.metadata)]
    schema = TypeAdapter(annotation).json_schema()
    options = [option for option in schema.get("anyOf", [schema]) if option.get("type") != "null"]
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    if isinstance(field_def.json_schema_extra, dict):
        schema.update(field_def.json_schema_extra)
    if field_def.default is not None and field_def.default is not PydanticUndefined:
        schema["default"] = field_def.default
    parameter = {
        "name": param_name,
        "in": param_location,
        "required": field_def.is_required(),
        "schema": schema,
    }
    if field_def.description:
        parameter["description"] = field_def.description
    return parameter


schema_generator._create_pydantic_field_parameter = _query_model_parameter


class _SpecJsonSchema(json_schema.GenerateJsonSchema):
    """pydantic's generator, stating one rule it leaves out: text stripped before its minimum
    length is checked (`strip_whitespace`) must hold a non-space character ("   " is refused)."""

    def str_schema(self, schema: Any) -> dict[str, Any]:
        generated = super().str_schema(schema)
        if schema.get("strip_whitespace") and schema.get("min_length", 0) > 0 and "pattern" not in generated:
            generated["pattern"] = r"\S"
        return generated


# Powertools imports the generator when it builds a document, so it builds ours with this one.
json_schema.GenerateJsonSchema = _SpecJsonSchema  # type: ignore[misc]


def openapi_schema(functions_root: Path) -> dict[str, Any]:
    """The document, the caller's own copy: a change to it (schemathesis adds links to the one
    it is given) never reaches the next reader."""
    return copy.deepcopy(_merged(functions_root))


@cache
def _merged(functions_root: Path) -> dict[str, Any]:
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
    schema: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    _document_errors(schema)
    _document_text_format(schema)
    _project_id_required(schema)
    _document_unstatable_rules(schema)
    _link_creates(schema)
    return schema


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def allowed_methods(functions_root: Path, path: str) -> list[str]:
    """The methods the document declares for a path template (/dashboards/{dashboardId}), in the
    usual order; none for a path it does not have."""
    operations = _merged(functions_root).get("paths", {}).get(path, {})
    return [method for method in HTTP_METHODS if method.lower() in operations]


_PATH_PARAMETER = re.compile(r"\{(\w+)\}")
_LINKED_METHODS = ("get", "put", "patch", "delete", "post")


def _resolved(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _id_pointer(schema: dict[str, Any], name: str, document: dict[str, Any]) -> str | None:
    """Where a create's answer holds the new resource's id: the parameter's own name, `id`, or a
    lone …Id field, at the top or under `data` (a JSON pointer)."""
    schema = _resolved(schema, document)
    properties = schema.get("properties") or {}
    for field in (name, "id"):
        if field in properties:
            return f"/{field}"
    ids = [
        field for field in properties if field.endswith("Id") and field not in {"projectId", "workspaceId"}
    ]
    if len(ids) == 1:
        return f"/{ids[0]}"
    if "data" in properties:
        inner = _id_pointer(properties["data"], name, document)
        return f"/data{inner}" if inner else None
    return None


def _link_parameters(
    target: dict[str, Any], new: str, pointer: str, shared: set[str], body: dict[str, Any], queries: set[str]
) -> dict[str, str]:
    """A link's parameters: the new one from the create's answer, the shared ones from its path,
    a required query parameter from its body or its query."""
    parameters = {new: f"$response.body#{pointer}", **{p: f"$request.path.{p}" for p in shared}}
    for parameter in target.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] != "query" or not parameter.get("required"):
            continue
        if name in (body.get("properties") or {}):
            parameters[name] = f"$request.body#/{name}"
        elif name in queries:
            parameters[name] = f"$request.query.{name}"
    return parameters


def _link_creates(schema: dict[str, Any]) -> None:
    """OpenAPI links from every create (POST on a collection) to the operations on the resource it
    made, so a client (or schemathesis' stateful phase) can walk its life: the target's one new
    path parameter comes from the id in the create's answer, the parameters both paths share from
    the create's own path, a required query parameter from the create's body or query. A target
    is a path whose new parameter follows the collection's name (`POST /projects/{p}/tasks` →
    `/tasks/{taskId}`, `POST /dashboards/{d}/widgets` → `/dashboards/{d}/widgets/{widgetId}`)."""
    paths = schema.get("paths", {})
    for path, operations in paths.items():
        create = operations.get("post")
        literals = [segment for segment in path.split("/") if segment and not segment.startswith("{")]
        if create is None or not literals:
            continue
        own = set(_PATH_PARAMETER.findall(path))
        content = (create.get("requestBody") or {}).get("content", {})
        body = _resolved((content.get("application/json") or {}).get("schema") or {}, schema)
        queries = {p["name"] for p in create.get("parameters", []) if p["in"] == "query"}
        answer = next((r for code, r in create.get("responses", {}).items() if code.startswith("2")), None)
        media = ((answer or {}).get("content") or {}).get("application/json") or {}
        if answer is None or "schema" not in media:
            continue
        for target_path, target_operations in paths.items():
            new = [name for name in _PATH_PARAMETER.findall(target_path) if name not in own]
            if len(new) != 1 or f"/{literals[-1]}/{{{new[0]}}}" not in target_path:
                continue
            pointer = _id_pointer(media["schema"], new[0], schema)
            shared = set(_PATH_PARAMETER.findall(target_path)) - set(new)
            if pointer is None or not shared <= own:
                continue
            for method in _LINKED_METHODS:
                target = target_operations.get(method)
                if target is None or target is create:
                    continue
                answer.setdefault("links", {})[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": _link_parameters(target, new[0], pointer, shared, body, queries),
                    "description": f"{method.upper()} {target_path} of what this created",
                }


# The ranges a request may hold, (start, end), in its query or body (`dateRange.startDate` too).
DATE_RANGES = (("startDate", "endDate"), ("start_date", "end_date"), ("from", "to"))
CURSOR_RULE = (
    "`cursor`: only a `pagination.nextCursor` this list minted, with the same project and filters, and "
    "never with `offset`; another is a 400 naming `cursor`."
)


def _fields(operation: dict[str, Any], document: dict[str, Any]) -> set[str]:
    """The query parameters and body properties an operation takes, an object property's own
    properties as `outer.inner`."""
    names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    content = (operation.get("requestBody") or {}).get("content", {})
    body = _resolved((content.get("application/json") or {}).get("schema") or {}, document)
    for name, field in (body.get("properties") or {}).items():
        names.add(name)
        for option in [_resolved(field, document), *field.get("anyOf", [])]:
            names |= {f"{name}.{inner}" for inner in _resolved(option, document).get("properties") or {}}
    return names


def _document_unstatable_rules(schema: dict[str, Any]) -> None:
    """What JSON Schema cannot state (it compares no two values and sees no stored state), said
    in the operation's description: a cursor the API did not mint, a range ending before it starts.
    Rules of one route (a permutation, a cap on buckets or days) are in that route's own text."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            fields = _fields(operation, schema)
            rules = [CURSOR_RULE] if "cursor" in fields else []
            for name in sorted(fields):
                prefix = name.rsplit(".", 1)[0] + "." if "." in name else ""
                for start, end in DATE_RANGES:
                    if name == f"{prefix}{start}" and f"{prefix}{end}" in fields:
                        rules.append(
                            f"`{prefix}{end}` before `{prefix}{start}` is a 400 naming `{prefix}{end}`."
                        )
            if rules:
                text = operation.get("description", "")
                operation["description"] = (
                    (f"{text}\n\n" if text else "") + "Rules no schema states: " + " ".join(rules)
                )


PROJECT_ID_RULE = (
    "The project; required unless the key is bound to exactly one project (then it may be omitted)"
)


def _project_id_required(schema: dict[str, Any]) -> None:
    """The models keep `projectId` optional so that a key bound to one project may omit it (the
    documents' scripts do); for every other key it is required, and the spec says so."""
    components = schema.get("components", {}).get("schemas", {})
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "projectId" and parameter["in"] == "query":
                    parameter.update(required=True, description=PROJECT_ID_RULE)
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {})
            model = components.get(str(body.get("schema", {}).get("$ref", "")).rsplit("/", 1)[-1], {})
            field = model.get("properties", {}).get("projectId")
            if field is not None:
                options = [option for option in field.get("anyOf", [field]) if option.get("type") != "null"]
                model["properties"]["projectId"] = {**options[0], "description": PROJECT_ID_RULE}
                model["required"] = sorted({*model.get("required", []), "projectId"})


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": True},
        "retryAfter": {"type": "integer", "description": "429 only: seconds until the window resets"},
    },
}
ERROR_STATUSES = {
    "400": "Invalid parameter or body; details name the field",
    "401": "Invalid or missing API key",
    "403": "Plan, role, scope or project not allowed",
    "404": "Not found (or not visible to this key)",
    "409": "Conflicts with the current state (taken, already ended, in progress)",
    "413": "Body over 1 MB",
    "429": "Rate limit exceeded (Retry-After header)",
    "500": "Unexpected error",
    "503": "A store was throttled or failed; nothing changed (Retry-After header)",
}


def _document_errors(schema: dict[str, Any]) -> None:
    """Powertools documents validation failures as 422; ours are 400 in the error shape, and every
    authenticated route can also answer the other documented errors."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schema["components"]["schemas"].pop(name, None)
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if "204" in responses:
                responses["204"].pop("content", None)  # No Content has no media type
            for status, response in responses.items():
                if status[:1] in "45":  # a route's own error (409 …): Powertools gives it the success body
                    response.update(error_ref)
            if path in PUBLIC_PATHS:
                operation["security"] = []
                continue
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(status, {"description": description, **error_ref})


def _document_text_format(schema: dict[str, Any]) -> None:
    """Routes with `format=txt` (tallyboard/text_format.py) answer text/plain too, errors included."""
    text = {"schema": {"type": "string", "description": "format=txt: a plain-text rendering"}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            formats = [
                p for p in operation.get("parameters", []) if p["in"] == "query" and p["name"] == "format"
            ]
            if not formats or "txt" not in formats[0].get("schema", {}).get("enum", []):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content")
                if content and "text/plain" not in content:
                    content["text/plain"] = text


_SWAGGER_INIT = 'SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", persistAuthorization: true});'


@cache
def swagger_page() -> tuple[str, str]:
    """Swagger UI with Powertools' bundled assets inlined (works offline and behind any base
    path: the spec is fetched relative to /v1/docs), and the Content-Security-Policy it works
    under: only these two scripts run (by hash), it talks only to this origin, and no page may
    frame it. Styles may be inline: Swagger UI sets style attributes as it renders."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    assets = Path(swagger_ui.__file__).parent
    css = (assets / "swagger-ui.min.css").read_text()
    js = (assets / "swagger-ui-bundle.min.js").read_text()
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Tallyboard API</title>'
        f'<style>{css}</style></head><body><div id="swagger-ui"></div><script>{js}</script>'
        f"<script>{_SWAGGER_INIT}</script></body></html>"
    )
    scripts = " ".join(f"'sha256-{_sha256(text)}'" for text in (js, _SWAGGER_INIT))
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return html, policy


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
