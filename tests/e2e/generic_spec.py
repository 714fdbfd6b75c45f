"""The generic suites' library (tests/e2e/test_generic_*.py, test_method_not_allowed.py, the
clients' drift check): the served OpenAPI document and its operations, well-formed example
requests and ids for them, the resources they name in one tenant, and what a tenant can read (to
prove a refused request changed nothing). Domain suites take well-formed unknown ids from it too
(random_id)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.conftest import Tenant


def served_spec_for_collection() -> dict[str, Any]:
    """The OpenAPI document /v1/openapi.json serves, built in-process (no stack needed), for
    suites that parametrize over operations at collection time."""
    from tallyboard.logic import docs
    from tallyboard_local.template import ROOT

    return docs.openapi_schema(ROOT / "functions")


# ---------------------------------------------------------------------------------------------
# Generic suites: operations of the OpenAPI document and well-formed example requests for them.

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC_PATHS = ("/openapi.json", "/docs")
# Id prefixes by resource (docs/api.md §1), for well-formed ids of things that do not exist.
ID_PREFIXES = {
    "project": "proj",
    "dashboard": "dash",
    "widget": "widget",
    "tile": "widget",
    "metric": "metric",
    "connection": "conn",
    "export": "exp",
    "exportjob": "exp",
    "log": "log",
    "key": "key",
    "client": "client",
    "task": "task",
    "lead": "lead",
    "time": "time",
    "note": "note",
    "user": "user",
    "holiday": "hol",
    "theme": "theme",
}


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # /dashboards/{dashboardId}
    spec: dict[str, Any] = field(compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def public(self) -> bool:
        return self.path in PUBLIC_PATHS

    @property
    def path_params(self) -> list[str]:
        import re

        return re.findall(r"\{(\w+)\}", self.path)

    def params(self, location: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == location]

    @property
    def body_schema(self) -> dict[str, Any] | None:
        content = (self.spec.get("requestBody") or {}).get("content") or {}
        return (content.get("application/json") or {}).get("schema")


def operations(spec: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method.upper(), path, operation)
        for path, item in sorted(spec["paths"].items())
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def random_id(param: str, collection: str = "") -> str:
    """A well-formed id nobody has: prefix from the parameter (or the collection for `{id}`)."""
    import secrets

    name = param[:-2] if param.endswith("Id") and len(param) > 2 else collection.rstrip("s")
    prefix = ID_PREFIXES.get(name.lower().replace("_", ""), name.lower() or "id")
    return f"{prefix}_{secrets.token_hex(10)}"


def _merged(base: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    """A schema with one branch of its anyOf/oneOf: an object's branch (a cross-field rule such as
    "credentials by authType") refines the base's properties and adds to its required ones."""
    merged = {**base, **branch}
    if "properties" in base and "properties" in branch:
        merged["properties"] = {
            **base["properties"],
            **{
                name: _merged(base["properties"].get(name, {}), schema)
                for name, schema in branch["properties"].items()
            },
        }
    if "required" in base and "required" in branch:
        merged["required"] = list(dict.fromkeys([*base["required"], *branch["required"]]))
    return merged


class Examples:
    """Schema-valid example values for an operation's query and body, with the given project id
    for every projectId and a marker in free text, so a leak of the data is easy to spot."""

    def __init__(self, spec: dict[str, Any], project_id: str, marker: str):
        import time

        self.spec, self.project_id, self.marker = spec, project_id, marker
        self.now_ms = int(time.time() * 1000)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = {
                **self.spec["components"]["schemas"][name],
                **{k: v for k, v in schema.items() if k != "$ref"},
            }
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                options = [o for o in schema[combinator] if self.resolve(o).get("type") != "null"]
                # What the schema says beside the combinator (its type) holds for every option.
                base = {k: v for k, v in schema.items() if k not in (combinator, "const")}
                return self.resolve(_merged(base, options[0])) if options else {"type": "null"}
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self.resolve(part))
            return merged
        return schema

    def _iso(self, offset_ms: int = 0) -> str:
        from datetime import UTC, datetime

        return datetime.fromtimestamp((self.now_ms + offset_ms) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _string(self, schema: dict[str, Any], name: str) -> str:
        import re

        lowered = name.lower()
        if schema.get("format") == "date-time" or lowered.endswith("date") or lowered in {"from", "to"}:
            return self._iso(-86_400_000 if "start" in lowered or lowered == "from" else 0)
        if schema.get("format") == "date":
            return self._iso()[:10]
        text = self.marker
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, text):
            from hypothesis import find, strategies

            text = find(strategies.from_regex(pattern, fullmatch=True), lambda s: len(s) >= 1)
        min_length, max_length = schema.get("minLength", 0), schema.get("maxLength")
        text = text.ljust(min_length, "x")
        return text[:max_length] if max_length else text

    def _number(self, schema: dict[str, Any], name: str) -> float:
        if "timestamp" in name.lower() or name.endswith("At"):
            value: float = self.now_ms
        else:
            value = 1
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if low is not None and value < low:
            value = low + (1 if "exclusiveMinimum" in schema else 0)
        if high is not None and value > high:
            value = high - (1 if "exclusiveMaximum" in schema else 0)
        return value if schema.get("type") == "number" else int(value)

    def value(self, schema: dict[str, Any], name: str = "") -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        if name == "projectId":
            return self.project_id
        if name == "projectIds":
            return [self.project_id]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return self.object(schema)
        if kind == "array":
            count = max(schema.get("minItems", 0), 1)
            return [
                self.value(schema.get("items") or {"type": "string"}, name.rstrip("s")) for _ in range(count)
            ]
        if kind in {"integer", "number"}:
            return self._number(schema, name)
        if kind == "boolean":
            return bool(schema.get("default", True))
        if kind == "null":
            return None
        return self._string(schema, name)

    def object(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema = self.resolve(schema)
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        chosen = [n for n in properties if n in required or n in {"projectId", "projectIds"}]
        if not chosen and schema.get("minProperties") and properties:
            chosen = [next(iter(properties))]
        return {n: self.value(properties[n], n) for n in chosen}

    def body(self, operation: Operation) -> Any:
        schema = operation.body_schema
        return None if schema is None else self.value(schema)

    def query(self, operation: Operation) -> dict[str, str]:
        """Required query parameters and projectId, as strings."""
        values: dict[str, str] = {}
        for param in operation.params("query"):
            if param.get("required") or param["name"] == "projectId":
                value = self.value(param.get("schema") or {"type": "string"}, param["name"])
                values[param["name"]] = json.dumps(value) if isinstance(value, bool) else str(value)
        return values


def find_id(body: Any, param: str) -> str | None:
    """The id a create answered: `param`, `id`, or a lone …Id field, at the top or under `data`."""
    for scope in (body, (body or {}).get("data") if isinstance(body, dict) else None):
        if not isinstance(scope, dict):
            continue
        for name in (param, "id"):
            if isinstance(scope.get(name), str):
                return scope[name]
        ids = [v for k, v in scope.items() if k.endswith("Id") and k not in {"projectId", "workspaceId"}]
        if len(ids) == 1 and isinstance(ids[0], str):
            return ids[0]
    return None


class Resources:
    """Ids for the path parameters of every operation, in one tenant: its project and key, and
    resources created through the collection route's POST where there is one (a random
    well-formed id otherwise)."""

    def __init__(self, tenant: Tenant, ops: list[Operation], examples: Examples):
        self.tenant, self.examples = tenant, examples
        self.posts = {op.path: op for op in ops if op.method == "POST"}
        self.by_collection: dict[str, str] = {}
        self.created: list[str] = []
        self.in_project: list[str] = []  # created in the project (not workspace-level: a member)

    def _id_for(self, path: str, param: str) -> str:
        if param == "projectId":
            return self.tenant.project_id
        if param == "keyId":
            return self.tenant.key_id
        collection = path[: path.index("{" + param + "}")].rstrip("/")
        if collection not in self.by_collection:
            self.by_collection[collection] = self._create(collection, param) or random_id(
                param, collection.rsplit("/", 1)[-1]
            )
        return self.by_collection[collection]

    def _create(self, collection: str, param: str) -> str | None:
        post = self.posts.get(collection)
        if post is None:
            return None
        response = self.tenant.post(
            self.fill(collection), params=self.examples.query(post), json=self.examples.body(post)
        )
        if response.status_code not in (200, 201, 202):  # 202: accepted for asynchronous work
            return None
        created = find_id(response.json(), param)
        if created:
            self.created.append(created)
            if targets_ids_or_a_project(post, self.examples):
                self.in_project.append(created)
        return created

    def fill(self, path: str, overrides: dict[str, str] | None = None) -> str:
        import re

        filled = path
        for param in re.findall(r"\{(\w+)\}", path):
            value = (overrides or {}).get(param) or self._id_for(path, param)
            filled = filled.replace("{" + param + "}", value, 1)
        return filled


def targets_ids_or_a_project(op: Operation, examples: Examples) -> bool:
    """Routes naming an id or a projectId must refuse a key that cannot reach them; others
    answer the caller's own data."""
    if op.path_params or any(p["name"] == "projectId" for p in op.params("query")):
        return True
    body = examples.body(op)
    return isinstance(body, dict) and bool({"projectId", "projectIds"} & set(body))


def answer_shape(response: requests.Response, ids: Any) -> tuple[int, str]:
    """Status and body with the given ids blanked: to compare an answer about a real resource
    with one about a resource that exists nowhere."""
    text = response.text
    for value in ids:
        if len(value) > 3:
            text = text.replace(value, "<id>")
    return response.status_code, text


# A signed URL is signed anew on every read: its signature and dates are not state.
_SIGNATURE_PARTS = re.compile(r"(X-Amz-(?:Date|Expires|Signature|Credential|Security-Token))=[^&\"]*")


def _without_reads(text: str) -> Any:
    """An answer listing audit entries, without those that record a read (reading state, as
    tenant_state does, issues download URLs, which are audited): they and their count are not
    state."""
    from tallyboard.logic.audit import READ_ACTIONS

    try:
        body = json.loads(text)
    except ValueError:
        return text
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return text
    if not any(isinstance(item, dict) and "action" in item for item in body["data"]):
        return text
    kept = [item for item in body["data"] if item.get("action") not in READ_ACTIONS]
    return {**body, "data": kept, "pagination": "<counts include reads>"}


def tenant_state(tenant: Tenant, ops: list[Operation], resources: Resources) -> dict[str, Any]:
    """What a tenant can read: every GET route's answer, and its audit entries (workspace and
    project scope) but those that record a read, to compare before and after requests that must
    change nothing. Work the tenant started (an export's workflow) is let finish first."""
    from tallyboard.data import audit
    from tallyboard.logic.audit import READ_ACTIONS
    from tallyboard.timeutil import MAX_TIMESTAMP_MS
    from tallyboard_local.stack import wait_for_workflows

    wait_for_workflows()
    state: dict[str, Any] = {}
    for op in ops:
        if op.method == "GET" and not op.public:
            response = tenant.get(resources.fill(op.path), params=resources.examples.query(op))
            state[str(op)] = (
                response.status_code,
                _without_reads(_SIGNATURE_PARTS.sub(r"\1=…", response.text)),
            )
    for scope in (None, tenant.project_id):
        entries = audit.list_entries(tenant.workspace_id, scope, 0, MAX_TIMESTAMP_MS)
        state[f"audit:{scope}"] = sorted(e["id"] for e in entries if e["action"] not in READ_ACTIONS)
    return state
