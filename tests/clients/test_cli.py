"""The installed `tallyboard` console script, run as a user would (its own HOME and
XDG_CONFIG_HOME), against the local stack: output, files and exit codes 0, 1, 2 and 4."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.clients.conftest import CLI
from tests.conftest import Tenant

Run = Callable[..., subprocess.CompletedProcess[str]]


def _env(tenant: Tenant) -> dict[str, str]:
    return {"TALLYBOARD_API_KEY": tenant.api_key, "TALLYBOARD_BASE_URL": tenant.base_url}


def test_login_verifies_and_stores_the_key_mode_0600(
    run_cli: Run, tenant: Tenant, cli_env: dict[str, str]
) -> None:
    done = run_cli("login", "--base-url", tenant.base_url, input=tenant.api_key + "\n")

    assert done.returncode == 0, done.stderr
    path = Path(cli_env["XDG_CONFIG_HOME"]) / "tallyboard" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = tomllib.loads(path.read_text())
    assert stored["profiles"]["default"] == {
        "api_key": tenant.api_key,
        "base_url": tenant.base_url,
        "project_id": tenant.project_id,  # the key's only project
    }
    listed = run_cli("keys", "list", "--json")
    assert listed.returncode == 0 and [k["id"] for k in json.loads(listed.stdout)] == [tenant.key_id]


def test_a_refused_key_exits_4_and_stores_nothing(
    run_cli: Run, tenant: Tenant, cli_env: dict[str, str]
) -> None:
    done = run_cli("login", "--api-key", "tb_" + "x" * 40, "--base-url", tenant.base_url)

    assert done.returncode == 4
    assert "Invalid or missing API key" in done.stderr
    assert not (Path(cli_env["XDG_CONFIG_HOME"]) / "tallyboard" / "config.toml").exists()
    assert run_cli("metrics", "list").returncode == 4  # no key at all: authentication too


def test_env_vars_override_the_profile(run_cli: Run, tenant: Tenant, other_tenant: Tenant) -> None:
    assert (
        run_cli(
            "--profile", "work", "login", "--api-key", tenant.api_key, "--base-url", tenant.base_url
        ).returncode
        == 0
    )

    mine = run_cli("--profile", "work", "keys", "list", "--json")
    theirs = run_cli(
        "--profile", "work", "keys", "list", "--json", env={"TALLYBOARD_API_KEY": other_tenant.api_key}
    )
    refused = run_cli("--profile", "work", "keys", "list", env={"TALLYBOARD_API_KEY": "tb_" + "y" * 40})

    assert [k["id"] for k in json.loads(mine.stdout)] == [tenant.key_id]
    assert [k["id"] for k in json.loads(theirs.stdout)] == [other_tenant.key_id]
    assert refused.returncode == 4


def test_push_then_series_as_a_chart_and_as_json(run_cli: Run, tenant: Tenant) -> None:
    env = {**_env(tenant), "TALLYBOARD_PROJECT_ID": tenant.project_id}
    for day, value in (("2024-01-01", 14500), ("2024-01-02", 14750), ("2024-01-03", 15000)):
        pushed = run_cli(
            "metrics", "push", "stripe_mrr", str(value), "--unit", "USD", "--timestamp", day, env=env
        )
        assert pushed.returncode == 0, pushed.stderr
        assert pushed.stdout.startswith(f"Stored stripe_mrr = {value} as metric_")

    args = (
        "metrics",
        "series",
        "stripe_mrr",
        "--from",
        "2024-01-01T00:00:00Z",
        "--to",
        "2024-01-03T23:59:59Z",
    )
    chart = run_cli(*args, env=env)
    data = run_cli(*args, "--json", env=env)
    listed = run_cli("metrics", "list", "--json", env=env)

    assert chart.returncode == 0, chart.stderr
    lines = chart.stdout.splitlines()
    assert "(USD)" in lines[0] and lines[1] == "▁▅█"
    assert [line.split()[0] for line in lines[2:]] == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert lines[4].rstrip().endswith("15,000") and "█" * 10 in lines[4]
    body = json.loads(data.stdout)
    assert [p["value"] for p in body["data"]] == [14500, 14750, 15000] and body["interval"] == "day"
    assert [p["value"] for p in json.loads(listed.stdout)] == [15000, 14750, 14500]


def test_export_create_wait_out_downloads_the_file(run_cli: Run, tenant: Tenant, tmp_path: Path) -> None:
    tenant.post(
        "/metrics/custom", json={"projectId": tenant.project_id, "metricId": "daily_sales", "value": 5000}
    )
    out = tmp_path / "backup.json"
    env = {**_env(tenant), "TALLYBOARD_PROJECT_ID": tenant.project_id}

    done = run_cli("export", "create", "--wait", "--out", str(out), "--poll-interval", "0.2", env=env)

    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text())
    assert [m["value"] for m in data["metrics"]] == [5000] and data["project"]["id"] == tenant.project_id
    assert "Downloading" in done.stderr and "100%" in done.stderr  # the progress bars, on stderr
    assert done.stdout.splitlines()[-1] == f"Saved to {out}"

    csv_out = tmp_path / "backup.csv"
    as_json = run_cli(
        "export",
        "create",
        "--format",
        "csv",
        "--include",
        "metrics",
        "-o",
        str(csv_out),
        "--json",
        env=env,
    )
    job = json.loads(as_json.stdout)
    assert job["status"] == "completed" and job["dataTypes"] == ["metrics"]
    assert csv_out.read_text().splitlines()[1].startswith("Metric,metric_")


def test_ctrl_c_while_waiting_for_an_export_exits_2(
    tenant: Tenant, cli_env: dict[str, str], held_exports: threading.Event, tmp_path: Path
) -> None:
    out = tmp_path / "never.json"
    process = subprocess.Popen(
        [str(CLI), "export", "create", "--wait", "--out", str(out), "--poll-interval", "0.1"],
        env={**cli_env, **_env(tenant), "TALLYBOARD_PROJECT_ID": tenant.project_id},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not _jobs(tenant):
            assert time.monotonic() < deadline and process.poll() is None, "the export never started"
            time.sleep(0.05)
        time.sleep(0.5)  # the CLI polls the held job
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)

    assert process.returncode == 2, stderr
    assert "Cancelled." in stderr and "Traceback" not in stderr
    assert not out.exists() and not Path(f"{out}.part").exists()


def _jobs(tenant: Tenant) -> list[dict[str, Any]]:
    return tenant.get("/exports", params={"projectId": tenant.project_id}).json()["data"]


def test_errors_exit_1_with_the_message(run_cli: Run, tenant: Tenant) -> None:
    missing = run_cli("dashboards", "show", "dash_nope", env=_env(tenant))
    usage = run_cli("metrics", "push", "x", "not-a-number", env=_env(tenant))
    refused = run_cli("metrics", "list", "--project", "proj_nope", "--json", env=_env(tenant))

    assert missing.returncode == 1 and "404 Not Found: Dashboard not found" in missing.stderr
    assert usage.returncode == 1 and "not-a-number" in usage.stderr
    assert refused.returncode == 1 and "No access to this project" in refused.stderr and refused.stdout == ""


def test_dashboards_list_and_show_the_txt_rendering(run_cli: Run, tenant: Tenant) -> None:
    created = tenant.post(
        "/dashboards", json={"projectId": tenant.project_id, "name": "Executive Summary"}
    ).json()
    dashboard_id = created["data"]["id"]
    tenant.post(
        f"/dashboards/{dashboard_id}/widgets",
        json={
            "type": "metric",
            "title": "MRR",
            "position": {"x": 0, "y": 0, "w": 3, "h": 2},
            "config": {"metricId": "stripe_mrr"},
        },
    )

    listed = run_cli("dashboards", "list", env={**_env(tenant), "TALLYBOARD_PROJECT_ID": tenant.project_id})
    shown = run_cli("dashboards", "show", dashboard_id, env=_env(tenant))
    txt = tenant.get(f"/dashboards/{dashboard_id}/run_insights", params={"format": "txt"}).text

    assert listed.returncode == 0 and dashboard_id in listed.stdout and "Executive Summary" in listed.stdout
    assert shown.returncode == 0 and shown.stdout == txt.rstrip("\n") + "\n" and "MRR" in shown.stdout


def test_export_schedule_set_get_delete(run_cli: Run, tenant: Tenant) -> None:
    env = {**_env(tenant), "TALLYBOARD_PROJECT_ID": tenant.project_id}
    made = run_cli(
        "export",
        "schedule",
        "set",
        "--frequency",
        "weekly",
        "--day",
        "sunday",
        "--hour",
        "0",
        "--range",
        "last_7_days",
        env=env,
    )
    got = run_cli("export", "schedule", "get", "--json", env=env)
    deleted = run_cli("export", "schedule", "delete", env=env)
    gone = run_cli("export", "schedule", "get", env=env)

    assert made.returncode == 0 and made.stdout.startswith("weekly (sunday, 00:00 UTC): json, last_7_days"), (
        made.stderr
    )
    assert json.loads(got.stdout)["dayOfWeek"] == "sunday"
    assert deleted.returncode == 0 and gone.returncode == 1 and "404" in gone.stderr


def test_agency_lists_and_creates(run_cli: Run, tenant: Tenant) -> None:
    env = {**_env(tenant), "TALLYBOARD_PROJECT_ID": tenant.project_id}

    def ok(*args: str) -> Any:
        done = run_cli(*args, "--json", env=env)
        assert done.returncode == 0, (args, done.stderr)
        return json.loads(done.stdout)

    task = ok("tasks", "create", "Write the brief", "--priority", "high", "--due", "2031-01-10")
    lead = ok("leads", "create", "Acme", "--status", "first contact made", "--value", "1200")
    entry = ok("time", "create", "1.5", "--description", "Kick-off", "--date", "2031-01-06")
    note = ok("notes", "create", "Agreed the scope", "--title", "Kick-off", "--action", "Send proposal")
    holiday = ok("holidays", "create", "2031-03-03", "2031-03-07", "--type", "annual")

    assert (task["priority"], lead["status"], entry["hours"]) == ("High", "First Contact Made", 1.5)
    assert (note["action_items"], holiday["days"]) == (["Send proposal"], 5)
    assert [t["id"] for t in ok("tasks", "list")] == [task["id"]]
    assert [x["id"] for x in ok("leads", "list")] == [lead["id"]]
    assert [x["id"] for x in ok("time", "list")] == [entry["id"]]
    assert [x["id"] for x in ok("notes", "list")] == [note["id"]]
    holidays = ok("holidays", "list", "--year", "2031")
    assert [x["id"] for x in holidays["data"]] == [holiday["id"]] and holidays["stats"]["pending_days"] == 5
    table = run_cli("tasks", "list", env=env)
    assert "Write the brief" in table.stdout and "High" in table.stdout


def test_keys_create_and_revoke(run_cli: Run, tenant: Tenant) -> None:
    made = run_cli("keys", "create", "ci", "--role", "viewer", "--json", env=_env(tenant))
    key = json.loads(made.stdout)

    revoked = run_cli("keys", "revoke", key["id"], env=_env(tenant))
    refused = run_cli("keys", "list", env={**_env(tenant), "TALLYBOARD_API_KEY": key["key"]})

    assert key["key"].startswith("tb_") and key["role"] == "viewer"
    assert revoked.returncode == 0 and revoked.stdout == f"Revoked {key['id']}.\n"
    assert refused.returncode == 4


def test_help_and_shell_completion(run_cli: Run) -> None:
    helped = run_cli("--help")
    script = run_cli("completion", "bash")
    completed = run_cli(
        env={"_TALLYBOARD_COMPLETE": "bash_complete", "COMP_WORDS": "tallyboard exp", "COMP_CWORD": "1"}
    )

    assert (
        helped.returncode == 0
        and "Exit codes: 0 ok, 1 error, 2 cancelled, 4 authentication." in helped.stdout
    )
    assert script.returncode == 0 and "_TALLYBOARD_COMPLETE=bash_complete" in script.stdout
    assert completed.stdout.split() == ["plain,export"]
