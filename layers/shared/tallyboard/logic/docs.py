"""The OpenAPI document, merged from every handler's own resolver, and the Swagger UI page."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi import schema_generator
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server
from pydantic import TypeAdapter, json_schema
from pydantic_core import PydanticUndefined

from tallyboard.logic import spec_examples

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


# Where the built document is read from: `make build` writes it into the function's artifact
# (functions/ is its code), `make run` at start-up to the file this variable names.
BUILT_FILE = Path("docs/get_openapi/openapi.json")
BUILT_FILE_ENV = "TALLYBOARD_OPENAPI_FILE"


def openapi_schema(functions_root: Path) -> dict[str, Any]:
    """The document, the caller's own copy: a change to it (schemathesis adds links to the one
    it is given) never reaches the next reader."""
    return copy.deepcopy(_merged(functions_root))


def write_document(functions_root: Path, target: Path) -> None:
    """Build the document once, to a file the docs functions serve (`make build`, `make run`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(_merged(functions_root), separators=(",", ":")))


def served_document(functions_root: Path) -> str:
    """The document as served, JSON text: the built file where there is one (no handler is
    imported), else merged here (a stack that built none, as the tests start)."""
    return _served(functions_root, os.environ.get(BUILT_FILE_ENV) or str(functions_root / BUILT_FILE))


@cache
def _served(functions_root: Path, built: str) -> str:
    path = Path(built)
    if path.is_file():
        return path.read_text()
    return json.dumps(_merged(functions_root), separators=(",", ":"))


@cache
def _declared_methods(functions_root: Path) -> dict[str, list[str]]:
    paths = json.loads(served_document(functions_root)).get("paths", {})
    return {path: [m for m in HTTP_METHODS if m.lower() in operations] for path, operations in paths.items()}


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
    _name_operations(schema)
    _describe(schema)
    _document_errors(schema)
    _document_text_format(schema)
    _project_id_required(schema)
    _document_unstatable_rules(schema)
    _link_creates(schema)
    _self_contained_branches(schema)
    spec_examples.add_examples(schema)
    _request_defaults_described(schema)
    _drop_unused_components(schema)
    return schema


def _reached(roots: list[Any], components: dict[str, Any]) -> set[str]:
    """The component schemas these parts of the document reach, through $refs."""
    reached: set[str] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in reached and name in components:
                    reached.add(name)
                    pending.append(components[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return reached


def _request_defaults_described(schema: dict[str, Any]) -> None:
    """A request body's default is what the server fills in for a field left out: said in words.
    As `default`, generators read it as "always present" (openapi-typescript types such a field
    as required, as it is in an answer), so `POST /dashboards {name}` would not type-check. A
    schema that answers use too keeps its defaults: there they are true of every answer."""
    components = schema.get("components", {}).get("schemas", {})
    operations = [
        operation
        for item in schema.get("paths", {}).values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    requests = _reached([op.get("requestBody", {}) for op in operations], components)
    answers = _reached([op.get("responses", {}) for op in operations], components)
    for name in requests - answers:
        for field in (components[name].get("properties") or {}).values():
            if "default" in field:
                said = f"Default when left out: {json.dumps(field.pop('default'))}."
                field["description"] = f"{field['description']} {said}" if field.get("description") else said


def _drop_unused_components(schema: dict[str, Any]) -> None:
    """Powertools lists the query models (their fields are the parameters) and models no route
    answers with: only the schemas the operations reach stay."""
    components = schema.get("components", {}).get("schemas", {})
    reached: set[str] = set()
    pending: list[Any] = [schema.get("paths", {}), schema.get("components", {}).get("responses", {})]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in reached:
                    reached.add(name)
                    pending.append(components.get(name))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    for name in set(components) - reached:
        del components[name]


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

# An operation's id is its handler's function name in camelCase (list_metrics → listMetrics), so
# a new endpoint is named with no entry here; these read better than that (the dashboard's tile
# routes say whose tiles they move) or are verbs a generator should not echo (put).
OPERATION_IDS = {
    "analyze_refresh_result": "analyzeDashboardRefresh",
    "bulk_update_tags": "bulkUpdateDashboardTags",
    "copy_tile": "copyDashboardTile",
    "create_from_template_json": "createDashboardFromTemplate",
    "generate_metadata": "generateDashboardMetadata",
    "get_docs": "getDocsPage",
    "get_openapi": "getOpenApiDocument",
    "move_tile": "moveDashboardTile",
    "push_custom_metric_batch": "pushCustomMetrics",
    "put_client_team": "replaceClientTeam",
    "put_export_schedule": "setExportSchedule",
    "reorder_tiles": "reorderDashboardTiles",
    "run_insights": "runDashboardInsights",
    "stream_tiles": "streamDashboardTiles",
}
TAGS = {
    "audit": "The workspace's and each project's audit log: who did what, when",
    "clients": "An agency's clients, their projects and their teams",
    "connections": "Connected services (Stripe, GitHub …) whose data becomes metrics",
    "dashboards": "Dashboards, their widgets and tiles, templates, insights and snapshots",
    "docs": "This document and its Swagger UI page (no key needed)",
    "exports": "JSON and CSV export jobs of a project's data, and their weekly or monthly schedule",
    "holidays": "Team members' holiday requests and their approval",
    "keys": "API keys: created, listed and revoked by the workspace's owner",
    "leads": "An agency's sales leads",
    "metrics": "Metrics, their time series, and custom metrics pushed by the caller",
    "notes": "Meeting notes of a project",
    "projects": "Projects, their metrics and their statistics",
    "tasks": "A project's tasks",
    "team": "The workspace's team members and their roles",
    "themes": "A project's data colour themes for its charts",
    "time": "Time entries booked on a project",
}


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _name_operations(schema: dict[str, Any]) -> None:
    """Short, stable, verb-first operationIds from the handler's function name. Powertools names an
    operation `<function><path>_<method>` (path's non-word characters as `_`): the function name
    is what is left when the path and method are taken off."""
    seen: dict[str, str] = {}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            suffix = re.sub(r"\W", "_", path) + "_" + method
            function = operation["operationId"].removesuffix(suffix)
            operation_id = OPERATION_IDS.get(function, _camel(function))
            where = f"{method.upper()} {path}"
            if operation_id in seen:
                raise ValueError(f"operationId {operation_id} of {where} is {seen[operation_id]}'s too")
            seen[operation_id] = where
            operation["operationId"] = operation_id


def _describe(schema: dict[str, Any]) -> None:
    """Top-level tags with their descriptions, and a description on every operation (its summary
    where the route gives no more)."""
    used = {
        tag
        for operations in schema.get("paths", {}).values()
        for o in operations.values()
        for tag in o.get("tags", [])
    }
    unknown = used - set(TAGS)
    if unknown:
        raise ValueError(f"tags without a description in docs.TAGS: {sorted(unknown)}")
    schema["tags"] = [{"name": name, "description": text} for name, text in TAGS.items() if name in used]
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not operation.get("description"):
                operation["description"] = operation["summary"].rstrip(".") + "."


def allowed_methods(functions_root: Path, path: str) -> list[str]:
    """The methods the document declares for a path template (/dashboards/{dashboardId}), in the
    usual order; none for a path it does not have."""
    return list(_declared_methods(functions_root).get(path, []))


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
    a required query parameter (and projectId, required but for a key bound to one project) from
    its body or its query."""
    parameters = {new: f"$response.body#{pointer}", **{p: f"$request.path.{p}" for p in shared}}
    for parameter in target.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] != "query" or not (parameter.get("required") or name == "projectId"):
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


_COMBINATORS = ("oneOf", "anyOf")


def _narrowed(base: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    """A property's schema as one branch narrows it: a const or a type picks the matching option
    of the property's own anyOf (`string | null` with `type: null` is null), the rest is merged."""
    if not base:
        return dict(branch)
    options = base.get("anyOf")
    wanted = branch.get("type") or (
        {bool: "boolean", str: "string", int: "integer"}.get(type(branch["const"]))
        if "const" in branch
        else None
    )
    if options and wanted:
        matching = [o for o in options if o.get("type") == wanted]
        if len(matching) == 1:
            base = {**{k: v for k, v in base.items() if k != "anyOf"}, **matching[0]}
    narrowed = {**base, **branch}
    if "const" in branch:
        narrowed.pop("enum", None)
        if narrowed.get("default", branch["const"]) != branch["const"]:
            narrowed.pop("default")
        if wanted:
            narrowed["type"] = wanted
    if "properties" in base and "properties" in branch:
        narrowed["properties"] = {
            **base["properties"],
            **{
                name: _narrowed(base["properties"].get(name, {}), sub)
                for name, sub in branch["properties"].items()
            },
        }
    if "required" in base and "required" in branch:
        narrowed["required"] = list(dict.fromkeys([*base["required"], *branch["required"]]))
    return narrowed


def _branch_name(model: str, base: dict[str, Any], branch: dict[str, Any], index: int) -> str:
    """`CreateConnectionRequestOauth2`: the branch's const values (a flag's own name for `true`),
    else the fields it requires."""
    parts = []
    for name, sub in (branch.get("properties") or {}).items():
        if sub.get("const") is True:
            parts.append(name)
        elif isinstance(sub.get("const"), str):
            parts.append(sub["const"])
    if not parts:
        parts = [name for name in branch.get("required", []) if name not in base.get("required", [])]
    words = re.split(r"[_\W]+", "_".join(parts)) if parts else ["Default" if index == 0 else str(index)]
    return model + "".join(word[:1].upper() + word[1:] for word in words if word)


def _self_contained_branches(schema: dict[str, Any]) -> None:
    """A model whose cross-field rule is a oneOf/anyOf of partial branches (credentials by
    authType, something to export) becomes a oneOf/anyOf of whole models, one component each,
    with every property and required field of the object: generators build each variant as a
    model of its own. A property that is a const in every branch and always required is the
    discriminator."""
    components = schema.get("components", {}).get("schemas", {})
    for name in list(components):
        model = components[name]
        combinator = next((c for c in _COMBINATORS if c in model), None)
        if combinator is None or "properties" not in model:
            continue
        base = {k: v for k, v in model.items() if k not in (*_COMBINATORS, "title", "description")}
        refs = []
        mapping: dict[str, dict[str, str]] = {}
        branches = model[combinator]
        for index, branch in enumerate(branches):
            whole = copy.deepcopy(_narrowed(base, branch))
            whole["required"] = list(dict.fromkeys([*base.get("required", []), *branch.get("required", [])]))
            if combinator == "oneOf" and base.get("additionalProperties") is False:
                # "exactly one of template, use_template": a closed object's branch has no room
                # for the fields only the other branches require
                others = {f for other in branches if other is not branch for f in other.get("required", [])}
                for field in others - set(whole["required"]):
                    whole["properties"].pop(field, None)
            if "not" in whole:  # a `not: {required: […]}` names properties the object has
                whole["not"] = {
                    **whole["not"],
                    "properties": {n: {} for n in whole["not"].get("required", [])},
                }
            branch_name = _branch_name(name, base, branch, index)
            components[branch_name] = {"title": branch_name, **whole}
            refs.append({"$ref": f"#/components/schemas/{branch_name}"})
            for field, sub in (branch.get("properties") or {}).items():
                if isinstance(sub.get("const"), str) and field in base.get("required", []):
                    mapping.setdefault(field, {})[sub["const"]] = refs[-1]["$ref"]
        replaced: dict[str, Any] = {k: model[k] for k in ("title", "description") if k in model}
        replaced[combinator] = refs
        discriminators = [field for field, values in mapping.items() if len(values) == len(branches)]
        if len(discriminators) == 1:
            replaced["discriminator"] = {
                "propertyName": discriminators[0],
                "mapping": mapping[discriminators[0]],
            }
        components[name] = replaced


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
    "The project. Required unless the key is bound to exactly one project, which is then the one "
    "meant; another key that omits it is answered 400 naming `projectId`."
)


def _project_id_required(schema: dict[str, Any]) -> None:
    """`projectId` may be omitted by a key bound to one project (access.project_for), so no schema
    requires it; its description states the rule."""
    components = schema.get("components", {}).get("schemas", {})
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "projectId" and parameter["in"] == "query":
                    parameter.update(required=False, description=PROJECT_ID_RULE)
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {})
            model = components.get(str(body.get("schema", {}).get("$ref", "")).rsplit("/", 1)[-1], {})
            field = model.get("properties", {}).get("projectId")
            if field is not None:
                options = [option for option in field.get("anyOf", [field]) if option.get("type") != "null"]
                model["properties"]["projectId"] = {**options[0], "description": PROJECT_ID_RULE}
                if "projectId" in model.get("required", []):
                    model["required"].remove("projectId")


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "The status's reason phrase (`Not Found`)"},
        "message": {"type": "string", "description": "What went wrong, for a person"},
        "details": {
            "type": "object",
            "additionalProperties": True,
            "description": "400: the fields at fault, each with what is wrong with it",
        },
        "retryAfter": {"type": "integer", "description": "429 only: seconds until the window resets"},
    },
}
# Declared once, referenced by the answers that carry them (tallyboard/rate_limit.py, errors.py).
HEADERS = {
    "X-RateLimit-Limit": ("integer", "Requests this key may make in the hour (its plan's or its own limit)"),
    "X-RateLimit-Remaining": ("integer", "Requests left in the current hour"),
    "X-RateLimit-Reset": ("integer", "When the hour's window resets, in Unix seconds"),
    "Retry-After": ("integer", "Seconds to wait before retrying"),
}
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
ERROR_STATUSES = {
    "400": "Invalid parameter or body; details name the field",
    "401": "Invalid or missing API key",
    "403": "Plan, role, scope or project not allowed",
    "404": "Not found (or not visible to this key)",
    "405": "A method this path does not declare; `Allow` lists the ones it does",
    "409": "Conflicts with the current state",
    "413": "Body over 1 MB",
    "429": "Rate limit exceeded (Retry-After header)",
    "500": "Unexpected error",
    "503": "A store was throttled or failed; nothing changed (Retry-After header)",
}
# The 409s, by operation: what each conflicts with (a route's own `responses={409: …}` wins).
# Creates with fresh random ids ("already exists") cannot really conflict and are not listed.
CONFLICTS = {
    "bulkUpdateDashboardTags": "A dashboard changed or was deleted meanwhile; nothing was changed",
    "copyDashboardTile": "The dashboard holds the most tiles it may, or its tiles changed meanwhile",
    "createClientProject": "No free project id is left for this name (send another name or slug)",
    "createDashboardFromTemplate": "The template's tiles do not fit on a dashboard",
    "createWidget": "The dashboard holds the most widgets it may",
    "deleteTeamMember": "The last owner, or the key's own user",
    "deleteTheme": "The theme is in use",
    "moveDashboardTile": "The destination is full, or the dashboards kept changing",
    "reorderDashboardTiles": "The dashboard's tiles changed meanwhile; read them again and retry",
    "updateDashboard": "The dashboard changed while it was being updated",
    "updateHoliday": "The request was already decided, or changed while it was being written",
    "updateProject": "The dates or status conflict with the project's, or it changed meanwhile",
    "updateTask": "The task changed while it was being written",
    "updateTeamMember": "The last owner's or the key's own role",
}
_ID_FIELD = re.compile(r"^ids?$|Ids?$|_ids?$")


def _error_response(status: str, description: str, text_too: bool) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    if text_too:
        content["text/plain"] = {"schema": {"type": "string", "description": "format=txt: the error as text"}}
    response: dict[str, Any] = {"description": description, "content": content}
    headers = {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS}
    if status in ("429", "503"):
        headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    if status != "401":  # the authorizer refuses before any request is counted
        response["headers"] = headers
    return response


def _reads_ids(operation: dict[str, Any], document: dict[str, Any]) -> bool:
    """Whether an operation looks something up by id: a path parameter, or an id (projectId,
    sourceDashboardId, metricIds …) in its query or body."""
    if any(p["in"] == "path" for p in operation.get("parameters", [])):
        return True
    return any(_ID_FIELD.search(name.rsplit(".", 1)[-1]) for name in _fields(operation, document))


def _statuses(operation: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """The errors an authenticated operation can answer: every one can be refused its key (401),
    its plan (403), its rate (429) or a store (503); what it reads adds the rest."""
    statuses = ["401", "403", "405", "429", "500", "503"]
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.append("400")
    if operation.get("requestBody"):
        statuses.append("413")
    if _reads_ids(operation, document):
        statuses.append("404")
    if operation.get("operationId") in CONFLICTS:
        statuses.append("409")
    return sorted(statuses)


def _document_errors(schema: dict[str, Any]) -> None:
    """Powertools documents validation failures as 422; ours are 400 in the error shape. Each
    operation lists the errors it can really answer, with the headers they carry."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["headers"] = {
        name: {"description": text, "schema": {"type": kind}} for name, (kind, text) in HEADERS.items()
    }
    components["headers"]["Retry-After"]["required"] = True
    components["headers"]["Allow"] = {
        "description": "The methods this path declares, comma-separated",
        "required": True,
        "schema": {"type": "string"},
    }
    components["responses"] = {
        "MethodNotAllowed": {
            "description": ERROR_STATUSES["405"],
            "headers": {"Allow": {"$ref": "#/components/headers/Allow"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    }
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        components["schemas"].pop(name, None)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if "204" in responses:
                responses["204"].pop("content", None)  # No Content has no media type
            if path in PUBLIC_PATHS:
                operation["security"] = []
                responses["405"] = {"$ref": "#/components/responses/MethodNotAllowed"}
                continue
            text_too = _offers_text(operation)
            for status, response in responses.items():
                if status[:1] in "45":  # a route's own error (409 …): Powertools gives it the success body
                    response.update(_error_response(status, response.get("description", ""), text_too))
                else:
                    headers = {name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS}
                    response["headers"] = {**response.get("headers", {}), **headers}
            for status in _statuses(operation, schema):
                if status == "405":
                    responses.setdefault(status, {"$ref": "#/components/responses/MethodNotAllowed"})
                    continue
                description = CONFLICTS.get(operation["operationId"], "") if status == "409" else ""
                responses.setdefault(
                    status, _error_response(status, description or ERROR_STATUSES[status], text_too)
                )
            operation["responses"] = dict(sorted(responses.items()))


def _offers_text(operation: dict[str, Any]) -> bool:
    formats = [p for p in operation.get("parameters", []) if p["in"] == "query" and p["name"] == "format"]
    return bool(formats) and "txt" in formats[0].get("schema", {}).get("enum", [])


def _document_text_format(schema: dict[str, Any]) -> None:
    """Routes with `format=txt` (tallyboard/text_format.py) answer text/plain too, errors included
    (those are given it in `_error_response`)."""
    text = {"schema": {"type": "string", "description": "format=txt: a plain-text rendering"}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not _offers_text(operation):
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
