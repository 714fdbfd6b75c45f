"""Settings: a deployed function lacking a variable it needs fails as it starts, naming it; the
local stack and the tests keep the defaults (tallyboard/settings.py)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

import pytest

from tallyboard.settings import OPTIONAL, MissingSettings, Settings, get_settings
from tallyboard_local import template as tpl

GLOBAL_VARIABLES = {
    name
    for name in tpl.load()["Globals"]["Function"]["Environment"]["Variables"]
    if not name.startswith(("POWERTOOLS_", "PYDANTIC_"))
}
PER_FUNCTION = {f.name.lstrip("_").upper() for f in fields(Settings) if f.name.startswith("_")}
ENDPOINTS = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3")


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    for field in fields(Settings):
        monkeypatch.delenv(field.name.lstrip("_").upper(), raising=False)
    for name in ("AWS_LAMBDA_FUNCTION_NAME", *ENDPOINTS):
        monkeypatch.delenv(name, raising=False)


def _deployed(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    _clear(monkeypatch)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "tallyboard-ListKeysFunction-abc")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def _globals(**overrides: str) -> dict[str, str]:
    return {**{name: f"value-of-{name}" for name in GLOBAL_VARIABLES}, **overrides}


def test_the_required_set_is_the_templates_globals() -> None:
    """Every field but the per-function and optional ones is one of the Globals, and each Global
    is a field: a variable added to one side only fails here."""
    required = {
        f.name.upper() for f in fields(Settings) if not f.name.startswith("_") and f.name not in OPTIONAL
    }
    assert required == GLOBAL_VARIABLES
    own = set()
    for properties in tpl.functions().values():
        own |= set((properties.get("Environment") or {}).get("Variables") or {})
    assert own >= PER_FUNCTION


def test_locally_the_defaults_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    _clear(monkeypatch)
    settings = get_settings()
    assert settings.keys_table == "KeysTable"
    assert settings.cursor_secret_arn == ""
    assert settings.export_state_machine_arn == ""
    assert settings.max_body_bytes == 1_048_576


def test_the_local_stack_keeps_the_defaults_even_as_a_function(monkeypatch: pytest.MonkeyPatch) -> None:
    """sam-like environments that point at moto are local: nothing is required."""
    for endpoint in ENDPOINTS:
        _deployed(monkeypatch, **{endpoint: "http://127.0.0.1:5000"})
        get_settings.cache_clear()
        assert get_settings().entities_table == "EntitiesTable"
        assert get_settings().export_schedule_role_arn == ""


def test_a_deployed_function_lacking_a_global_fails_naming_each(monkeypatch: pytest.MonkeyPatch) -> None:
    variables = _globals(AUDIT_TABLE="")  # set but empty: as good as unset
    del variables["ENTITIES_TABLE"], variables["CURSOR_SECRET_ARN"]
    _deployed(monkeypatch, **variables)
    with pytest.raises(MissingSettings) as raised:
        get_settings()
    message = str(raised.value)
    assert "\n" not in message
    assert message == (
        "Missing environment variable(s) for this function: ENTITIES_TABLE, AUDIT_TABLE, CURSOR_SECRET_ARN"
    )


def test_a_deployed_function_with_the_globals_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    _deployed(monkeypatch, **_globals(MAX_BODY_BYTES="2048"))
    settings = get_settings()
    assert settings.entities_table == "value-of-ENTITIES_TABLE"
    assert settings.gateway_key_prefix == "value-of-GATEWAY_KEY_PREFIX"
    assert settings.max_body_bytes == 2048


def test_a_deployed_function_reads_its_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    _deployed(monkeypatch, **_globals(EXPORT_STATE_MACHINE_ARN="arn:aws:states:us-east-1:1:stateMachine:x"))
    assert get_settings().export_state_machine_arn == "arn:aws:states:us-east-1:1:stateMachine:x"


@pytest.mark.parametrize("variable", sorted(PER_FUNCTION))
def test_a_per_function_variable_fails_when_read_unset(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """A function without it starts (most functions never read it); reading it fails, naming it."""
    _deployed(monkeypatch, **_globals())
    settings = get_settings()
    assert settings.entities_table == "value-of-ENTITIES_TABLE"
    with pytest.raises(MissingSettings, match=f"^{variable} is not set"):
        getattr(settings, variable.lower())


def test_a_handler_without_its_variables_fails_to_import() -> None:
    """In a fresh interpreter, as Lambda starts one: the import of a real handler fails, and the
    error's last line names what is missing."""
    env = {"AWS_LAMBDA_FUNCTION_NAME": "fn", "PATH": "/usr/bin:/bin", **_globals()}
    del env["METRICS_TABLE"]
    code = "import runpy; runpy.run_path('functions/keys/list_api_keys/app.py')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "tallyboard.settings.MissingSettings: "
        "Missing environment variable(s) for this function: METRICS_TABLE"
    )
