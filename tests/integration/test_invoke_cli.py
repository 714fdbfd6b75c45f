"""`tallyboard-local` as a newcomer runs it, in processes of its own: `make run`'s printed keys
(the export document's backup script runs with the project key as written), and `invoke`, the
`sam local invoke -e` of the local stack, on every file in events/ (a fresh stack) and on the
running `make run` stack."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tallyboard_local import samples
from tallyboard_local.samples import EVENTS_DIR
from tests.e2e.test_export_seed_examples import DOC_BASE_URL, WEEKLY_BACKUP_SCRIPT

LOCAL = str(Path(sys.executable).parent / "tallyboard-local")
EVENT_FILES = samples.event_files()


def _invoke(*args: str, stdin: str | None = None, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LOCAL, "invoke", *args], input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )


def _status(result: dict[str, Any]) -> int:
    return int(result["statusCode"])


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], str, Path]]:
    """`make run` on a port of its own, its demo file in a temporary directory."""
    demo_file = tmp_path_factory.mktemp("run") / "demo.json"
    server = subprocess.Popen(
        [LOCAL, "--port", "0", "--demo-file", str(demo_file)], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout
    printed = []
    while not printed or "docs:" not in printed[-1]:
        line = server.stdout.readline()
        assert line, f"tallyboard-local exited with {server.wait()}: {''.join(printed)}"
        printed.append(line)
    try:
        yield json.loads(demo_file.read_text()), "".join(printed), demo_file
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_make_run_prints_a_project_key_the_backup_script_runs_with(
    running: tuple[dict[str, Any], str, Path], tmp_path: Path
) -> None:
    demo, printed, _ = running
    assert f"project key: {demo['projectKey']}" in printed
    assert demo["projectKey"] != demo["apiKey"]
    script = WEEKLY_BACKUP_SCRIPT.replace(DOC_BASE_URL, demo["baseUrl"]).replace(
        "your_api_key", demo["projectKey"]
    )
    (tmp_path / "backup.sh").write_text(script)

    completed = subprocess.run(
        ["bash", "backup.sh"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    (saved,) = tmp_path.glob("backup-*.json")
    document = json.loads(saved.read_text())
    assert document["project"]["id"] == demo["projectId"]
    assert document["metrics"], "the demo project has metrics"


def test_a_workspace_key_without_project_id_is_told_a_bound_key_needs_none(
    running: tuple[dict[str, Any], str, Path],
) -> None:
    demo, _, _ = running
    answer = requests.get(
        f"{demo['baseUrl']}/exports", headers={"Authorization": f"Bearer {demo['apiKey']}"}, timeout=30
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "error": "Bad Request",
        "message": "Invalid parameter: projectId is required (a key bound to one project needs none)",
        "details": {"projectId": "required"},
    }


def test_invoke_runs_on_the_running_stack(running: tuple[dict[str, Any], str, Path]) -> None:
    demo, _, demo_file = running
    event = (EVENTS_DIR / "clients/create_client.json").read_text()

    completed = _invoke("CreateClientFunction", "-e", "-", "--demo-file", str(demo_file), stdin=event)

    assert completed.returncode == 0, completed.stderr
    (line,) = completed.stdout.splitlines()  # the response only: logs are on stderr
    result = json.loads(line)
    assert _status(result) == 201, result
    client_id = json.loads(result["body"])["data"]["id"]
    assert f"on the running stack at {demo['baseUrl']}" in completed.stderr
    tenant = json.loads(completed.stderr.split("; tenant ", 1)[1].splitlines()[0])
    # Stored in the running stack: its API serves it to the tenant's key.
    stored = requests.get(
        f"{demo['baseUrl']}/clients",
        headers={"Authorization": f"Bearer {tenant['apiKey']}"},
        timeout=30,
    )
    assert stored.status_code == 200, stored.text
    assert [c["id"] for c in stored.json()["data"]] == [client_id]


def test_every_event_file_runs_on_a_fresh_stack() -> None:
    """One process, one -e per file, the function implied by each file's path; each API event
    answers 2xx for a real tenant and records (the method-not-allowed function's 405 is its
    answer), each task event returns its JSON document."""
    started = time.monotonic()
    completed = _invoke("--fresh", *[arg for path in EVENT_FILES for arg in ("-e", str(path))], timeout=300)
    elapsed = time.monotonic() - started

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "a fresh local stack" in completed.stderr
    tenant = json.loads(completed.stderr.split("; tenant ", 1)[1].splitlines()[0])
    lines = completed.stdout.splitlines()
    assert len(lines) == len(EVENT_FILES)
    wrong = {}
    for path, line in zip(EVENT_FILES, lines, strict=True):
        result = json.loads(line)
        name = samples.event_name(path)
        if name == "keys/authorizer":
            (statement,) = result["policyDocument"]["Statement"]
            assert statement["Effect"] == "Allow"
            assert result["context"]["workspaceId"] == tenant["workspaceId"]
        elif "httpMethod" in json.loads(path.read_text()):
            expected = 405 if name == "docs/method_not_allowed" else None
            status = _status(result)
            if (expected and status != expected) or (not expected and not 200 <= status < 300):
                wrong[name] = (status, result.get("body"))
        else:
            assert isinstance(result, dict) and result and "errorType" not in result, (name, result)
    assert not wrong, wrong
    print(f"{len(EVENT_FILES)} events in {elapsed:.1f} s")


def test_invoke_refuses_an_unknown_function_and_an_unreadable_event(tmp_path: Path) -> None:
    unknown = _invoke("NoSuchFunction", "-e", str(EVENTS_DIR / "tasks/get_task.json"))
    assert unknown.returncode == 2 and unknown.stdout == ""
    (message,) = unknown.stderr.splitlines()
    assert message.startswith("tallyboard-local invoke: no function 'NoSuchFunction' in template.yaml")

    (tmp_path / "bad.json").write_text("{not json")
    unreadable = _invoke("GetTaskFunction", "-e", str(tmp_path / "bad.json"))
    assert unreadable.returncode == 2 and unreadable.stdout == ""
    (message,) = unreadable.stderr.splitlines()
    assert message.startswith(f"tallyboard-local invoke: cannot read the event {tmp_path / 'bad.json'}")

    missing = _invoke("GetTaskFunction", "-e", str(tmp_path / "absent.json"))
    assert missing.returncode == 2 and "cannot read the event" in missing.stderr
