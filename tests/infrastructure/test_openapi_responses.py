"""Every operation documents its success response (Powertools replaces the generated one when a
route passes `responses=`, so a route can silently lose it)."""

from __future__ import annotations

from tallyboard.logic import docs
from tallyboard_local.template import ROOT


def test_every_operation_documents_a_success_response() -> None:
    spec = docs.openapi_schema(ROOT / "functions")
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not any(status.startswith("2") for status in operation["responses"])
    ]
    assert missing == []


def test_success_bodies_have_a_schema() -> None:
    spec = docs.openapi_schema(ROOT / "functions")
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status in {"200", "201"}:
                    media_types = list(response["content"].values())
                    assert media_types, f"{method.upper()} {path} {status}"
                    for media in media_types:  # JSON, and text/plain where format=txt is offered
                        assert media.get("schema"), f"{method.upper()} {path} {status}"
