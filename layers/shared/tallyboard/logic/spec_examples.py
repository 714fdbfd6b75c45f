"""Examples for the OpenAPI document: every operation gets a request example (its path and
required query parameters, its body) and an example of each answer, built from the schemas with
realistic values (ids with their resource's prefix, dates, names). The documents' own examples
(shared/seeds) are used where they have one (SEED_EXAMPLES). tests/infrastructure checks that
every example validates against its schema."""

from __future__ import annotations

import copy
import re
from typing import Any

# An id's prefix by what it names (docs/api.md §1), from the parameter or property name.
ID_PREFIXES = {
    "project": "proj",
    "dashboard": "dash",
    "sourceDashboard": "dash",
    "targetDashboard": "dash",
    "widget": "widget",
    "tile": "widget",
    "connection": "conn",
    "export": "exp",
    "exportJob": "exp",
    "key": "key",
    "client": "client",
    "task": "task",
    "lead": "lead",
    "note": "note",
    "user": "user",
    "holiday": "hol",
    "theme": "theme",
    "workspace": "ws",
    "time": "time",
    "log": "log",
}
TAG_PREFIXES = {"audit": "log", "keys": "key", "time": "time", "team": "user", "metrics": "metric"}
# 2026-01-15T09:30:00Z: one instant for every timestamp, so a range never ends before it starts.
EPOCH_MS = 1768469400000
DATE_TIME = "2026-01-15T09:30:00Z"
DATE = "2026-01-15"
# Strings by property name, tried before the generic ones.
NAMED = {
    "metricId": "stripe_mrr",
    "metricIds": "stripe_mrr,github_commits",
    "service": "stripe",
    "serviceName": "Stripe",
    "category": "payment",
    "name": "Revenue overview",
    "title": "Monthly recurring revenue",
    "email": "jane@example.com",
    "website": "https://example.com",
    "url": "https://example.com/report",
    "downloadUrl": "https://downloads.example.com/exports/exp_8f3a2c9d1e.json",
    "currency": "USD",
    "unit": "USD",
    "color": "#1f77b4",
    "timezone": "Europe/London",
    "description": "Revenue and growth at a glance",
    "notes": "Discussed the Q1 roadmap",
    "content": "Discussed the Q1 roadmap",
    "message": "Something went wrong",
    "error": "Bad Request",
    "key": "tb_live_4f9c2a7e1b8d3f6a",
    "keyPrefix": "tb_live_4f9c",
    "tag": "executive",
    "tags": "executive",
    "nextCursor": "eyJvZmZzZXQiOjUwfQ",
    "cursor": "eyJvZmZzZXQiOjUwfQ",
}
GENERIC_STRINGS = ("example", "Example", "example_1", "a", "x" * 8, "1")

# The documents' own examples (shared/seeds), by operationId: the request body a document shows.
SEED_EXAMPLES: dict[str, dict[str, Any]] = {
    # 000 (analytics), "POST /metrics/custom": the request body as the document shows it
    "pushCustomMetric": {
        "request": {
            "projectId": "proj_123",
            "metricId": "custom_metric_name",
            "value": 1234.56,
            "timestamp": 1704067200000,
            "unit": "USD",
            "metadata": {"source": "custom_system", "category": "revenue"},
        }
    },
    # 002 (data export), the full backup script's request
    "createExport": {"request": {"format": "json", "dateRange": "all_time", "includeAll": True}},
}


_NONE = object()  # "the schema names no value" (None is a value)


class _Builder:
    def __init__(self, document: dict[str, Any]):
        self.components = document.get("components", {}).get("schemas", {})
        self.resource = ""  # the prefix of an `id`: what the operation's tag is about

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def value(self, schema: dict[str, Any], name: str = "", whole: bool = False, depth: int = 0) -> Any:
        schema = self.resolve(schema)
        given = self._given(schema)
        if given is not _NONE:
            return given
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                options = [o for o in schema[combinator] if self.resolve(o).get("type") != "null"]
                if not options:
                    return None
                rest = {k: v for k, v in schema.items() if k not in (combinator, "discriminator")}
                return self.value({**rest, **self.resolve(options[0])}, name, whole, depth)
        return self._typed(schema, name, whole, depth)

    @staticmethod
    def _given(schema: dict[str, Any]) -> Any:
        """A value the schema names itself (const, an example, a default, an enum's first)."""
        if "const" in schema:
            return schema["const"]
        if schema.get("examples"):
            return copy.deepcopy(schema["examples"][0])
        if "default" in schema and schema["default"] is not None:
            return copy.deepcopy(schema["default"])
        if schema.get("enum"):
            return schema["enum"][0]
        return _NONE

    def _typed(self, schema: dict[str, Any], name: str, whole: bool, depth: int) -> Any:
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object" or "properties" in schema:
            return self.object(schema, whole, depth)
        if kind == "array":
            item = self.value(schema.get("items") or {"type": "string"}, _singular(name), whole, depth + 1)
            return [item] * max(schema.get("minItems", 1), 1) if not schema.get("uniqueItems") else [item]
        if kind in ("integer", "number"):
            return self.number(schema, name, kind)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self.string(schema, name)

    def object(self, schema: dict[str, Any], whole: bool, depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        chosen = [n for n in properties if n in required or (whole and depth < 4) or n == "projectId"]
        result = {n: self.value(properties[n], n, whole, depth + 1) for n in chosen}
        if not result and schema.get("minProperties") and properties:
            first = next(iter(properties))
            result[first] = self.value(properties[first], first, whole, depth + 1)
        elif not result and schema.get("minProperties"):
            extra = schema.get("additionalProperties")
            result["name"] = self.value(extra if isinstance(extra, dict) else {"type": "string"}, "name")
        return result

    def number(self, schema: dict[str, Any], name: str, kind: str) -> float | int:
        lowered = name.lower()
        value: float = EPOCH_MS if (lowered.endswith("at") or "timestamp" in lowered) else 42
        if lowered in {"limit", "offset", "page"}:
            value = 10 if lowered != "offset" else 0
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if low is not None and value <= low:
            value = low + (1 if "exclusiveMinimum" in schema or value < low else 0)
        if high is not None and value >= high:
            value = high - (1 if "exclusiveMaximum" in schema or value > high else 0)
        if "anyOf" in schema:  # number ranges (a stored value): one the ranges take
            value = 42
        return int(value) if kind == "integer" else float(value)

    def string(self, schema: dict[str, Any], name: str) -> str:
        fmt = schema.get("format")
        lowered = name.lower()
        candidates: list[str] = []
        if fmt == "date-time" or lowered.endswith(("date", "at")) or lowered in {"from", "to", "timestamp"}:
            candidates += [DATE_TIME, DATE]
        if fmt == "date":
            candidates.insert(0, DATE)
        if fmt == "email":
            candidates.insert(0, "jane@example.com")
        if fmt in ("uri", "url"):
            candidates.insert(0, "https://example.com")
        if name in NAMED:
            candidates.append(NAMED[name])
        stem = re.sub(r"(Ids|Id|_ids|_id)$", "", name)
        stem = re.sub(r"_(\w)", lambda m: m[1].upper(), stem)
        if stem != name or name == "id":
            prefix = ID_PREFIXES.get(stem) or (self.resource if name == "id" else stem.lower())
            candidates.append(f"{prefix or 'item'}_8f3a2c9d1e")
        candidates += [name.replace("_", " ").capitalize() or "Example", *GENERIC_STRINGS]
        for text in candidates:
            if _fits(schema, text):
                return text
        return candidates[0]


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _fits(schema: dict[str, Any], text: str) -> bool:
    if len(text) < schema.get("minLength", 0) or len(text) > schema.get("maxLength", len(text)):
        return False
    pattern = schema.get("pattern")
    return pattern is None or re.search(pattern, text) is not None


def add_examples(document: dict[str, Any]) -> None:
    builder = _Builder(document)
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            seeds = SEED_EXAMPLES.get(operation.get("operationId", ""), {})
            tag = (operation.get("tags") or [""])[0]
            builder.resource = TAG_PREFIXES.get(tag, ID_PREFIXES.get(tag.rstrip("s"), tag.rstrip("s")))
            for parameter in operation.get("parameters", []):
                # Only the values a call needs: an optional filter's example would be one more
                # filter in every example request (a cursor no list minted, …).
                if parameter.get("required") or parameter["name"] == "projectId":
                    parameter["example"] = builder.value(parameter.get("schema") or {}, parameter["name"])
            body = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
            if body is not None and "schema" in body:
                body["example"] = seeds.get("request") or builder.value(body["schema"])
            for response in operation.get("responses", {}).values():
                media = (response.get("content") or {}).get("application/json")
                if media is not None and "schema" in media:
                    media["example"] = builder.value(media["schema"], whole=True)
