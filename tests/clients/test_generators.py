"""Clients generated from the served document, as a new user would make them: openapi-python-client
with no warning and every generated module importable, and openapi-typescript's types accepting a
script that calls operations with only their documented required fields (tsc). A tool that is
missing skips the test on a developer's machine and fails it on CI (CI=true)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tallyboard_local.template import ROOT
from tests.e2e.generic_spec import served_spec_for_collection

NODE_BIN = ROOT / ".tools" / "node" / "node_modules" / ".bin"
VENV_BIN = Path(sys.executable).parent


def _tool(path: Path | str | None, what: str) -> str:
    found = shutil.which(str(path)) if path else None
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing on CI")
        pytest.skip(f"{what} is not installed (make .venv/.installed; npm ci --prefix .tools/node)")
    return found


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "openapi.json"
    path.write_text(json.dumps(served_spec_for_collection()))
    return path


def test_openapi_python_client_generates_with_no_warning_and_every_module_imports(
    spec_file: Path, tmp_path: Path
) -> None:
    generator = _tool(VENV_BIN / "openapi-python-client", "openapi-python-client")
    package = tmp_path / "tallyboard_generated"
    result = subprocess.run(
        [generator, "generate", "--path", str(spec_file), "--meta", "none", "--output-path", str(package)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},  # its ruff hook
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower() and "unable to" not in output.lower(), output

    sys.path.insert(0, str(tmp_path))
    try:
        root = importlib.import_module("tallyboard_generated")
        names = [m.name for m in pkgutil.walk_packages(root.__path__, "tallyboard_generated.")]
        for name in names:
            importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("tallyboard_generated")]:
            del sys.modules[name]
    operations = [n for n in names if n.startswith("tallyboard_generated.api.") and n.count(".") == 3]
    assert "tallyboard_generated.api.metrics.list_metrics" in operations
    assert "tallyboard_generated.api.connections.create_connection" in operations
    assert len(operations) == sum(
        1
        for item in served_spec_for_collection()["paths"].values()
        for m in item
        if m in {"get", "post", "put", "patch", "delete"}
    )


# Three calls with only the fields the document requires (a dashboard's name; a custom metric's
# metricId and value; an export: none), and a connection by its discriminator.
SCRIPT = """\
import type { paths } from "./schema";

type Body<P extends keyof paths> = paths[P] extends {
  post: { requestBody?: { content: { "application/json": infer B } } };
}
  ? B
  : never;
type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? Q : never;

const base = "http://127.0.0.1:3000/v1";
const headers = { Authorization: "Bearer tb_example", "Content-Type": "application/json" };

async function post<P extends keyof paths>(path: P, body: Body<P>): Promise<unknown> {
  const response = await fetch(base + path, { method: "POST", headers, body: JSON.stringify(body) });
  return response.json();
}

async function list<P extends keyof paths>(path: P, query: Query<P>): Promise<unknown> {
  const search = new URLSearchParams(query as Record<string, string>);
  return (await fetch(`${base}${path}?${search}`, { headers })).json();
}

void post("/dashboards", { name: "Revenue" });
void post("/metrics/custom", { metricId: "custom_signups", value: 42 });
void post("/exports", {});
void post("/connections", { service: "stripe", authType: "api_key", credentials: { apiKey: "sk_live" } });
void list("/metrics", {});
"""


TSC_OPTIONS = ["--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom", "--module", "esnext"]
TSC_OPTIONS += ["--moduleResolution", "bundler"]


def test_openapi_typescript_types_accept_calls_with_only_the_required_fields(
    spec_file: Path, tmp_path: Path
) -> None:
    generator = _tool(NODE_BIN / "openapi-typescript", "openapi-typescript (npm ci --prefix .tools/node)")
    tsc = _tool(NODE_BIN / "tsc", "typescript (npm ci --prefix .tools/node)")
    # openapi-typescript's defaults, as a user runs it (a request body states its defaults in
    # words: docs._request_defaults_described).
    generated = subprocess.run(
        [generator, str(spec_file), "-o", str(tmp_path / "schema.d.ts")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    (tmp_path / "script.ts").write_text(SCRIPT)
    checked = subprocess.run(
        [tsc, *TSC_OPTIONS, str(tmp_path / "script.ts")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # and a call missing a required field is refused (the check can fail)
    (tmp_path / "script.ts").write_text(
        SCRIPT.replace('{ metricId: "custom_signups", value: 42 }', "{ value: 42 }")
    )
    refused = subprocess.run(
        [tsc, *TSC_OPTIONS, str(tmp_path / "script.ts")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode != 0 and "metricId" in refused.stdout
