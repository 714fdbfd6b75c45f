"""tallyboard-admin run as a newcomer runs it: a process whose environment holds only what README
shows (AWS_ENDPOINT_URL of the local stack), or, elsewhere, less than an AWS call needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from tallyboard_local.stack import LocalStack

ADMIN = str(Path(sys.executable).parent / "tallyboard-admin")


def _admin(env: dict[str, str], home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # HOME is empty: no ~/.aws profile lends a region or credentials.
    return subprocess.run(
        [ADMIN, "bootstrap", *args],
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bootstrap_with_only_the_local_endpoint_creates_a_working_key(
    stack: LocalStack, tmp_path: Path
) -> None:
    completed = _admin({"AWS_ENDPOINT_URL": stack.aws_endpoint_url}, tmp_path, "--workspace-name", "CLI")

    assert completed.returncode == 0, completed.stderr
    created = json.loads(completed.stdout)
    assert created["plan"] == "scale" and created["apiKey"].startswith("tb_")
    answer = requests.get(
        f"{stack.base_url}/api-keys", headers={"Authorization": f"Bearer {created['apiKey']}"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert [k["id"] for k in answer.json()["data"]] == [created["keyId"]]


def test_bootstrap_without_a_region_says_so_in_one_line(tmp_path: Path) -> None:
    completed = _admin({}, tmp_path)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        "tallyboard-admin: no AWS region: set AWS_DEFAULT_REGION, or AWS_PROFILE to a profile with a region"
    ]


def test_bootstrap_without_credentials_says_so_in_one_line(tmp_path: Path) -> None:
    # A real account's endpoint (not loopback): nothing is defaulted. No instance metadata to ask.
    env = {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true"}

    completed = _admin(env, tmp_path, "--stack-name", "tallyboard")

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.splitlines() == [
        "tallyboard-admin: no AWS credentials: set AWS_PROFILE, "
        "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    ]
