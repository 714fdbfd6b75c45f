"""The SDK and the CLI against the real local stack (the session's `stack`): no mock of the API."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Tenant

CLI = Path(sys.executable).parent / "tallyboard"


@pytest.fixture
def sdk(tenant: Tenant) -> Iterator[Any]:
    from tallyboard_client import Tallyboard

    with Tallyboard(tenant.api_key, tenant.base_url, project_id=tenant.project_id) as client:
        yield client


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment: HOME and XDG_CONFIG_HOME of their own, no TALLYBOARD_* set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALLYBOARD_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"), COLUMNS="100")
    (tmp_path / "home").mkdir()
    return env


@pytest.fixture
def run_cli(cli_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None, timeout: float = 60):
        return subprocess.run(
            [str(CLI), *args],
            env={**cli_env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def held_exports(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds every export's writer (in this process's stack) until the event is set."""
    from tallyboard.logic import export_workflow

    release = threading.Event()
    original = export_workflow._records

    def held(*args: Any) -> Any:
        release.wait(timeout=30)
        return original(*args)

    monkeypatch.setattr(export_workflow, "_records", held)
    yield release
    release.set()
