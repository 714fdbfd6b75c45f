"""tallyboard-admin: operator commands against whatever AWS the environment points at
(AWS_ENDPOINT_URL for the local server, or a real account)."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from urllib.parse import urlsplit

from tallyboard.plans import PLANS

# Stack outputs → the environment variables the shared package reads.
STACK_OUTPUT_ENV = {
    "KeysTableName": "KEYS_TABLE",
    "EntitiesTableName": "ENTITIES_TABLE",
    "MetricsTableName": "METRICS_TABLE",
    "RateLimitTableName": "RATE_LIMIT_TABLE",
    "AuditTableName": "AUDIT_TABLE",
    "IdempotencyTableName": "IDEMPOTENCY_TABLE",
    "ExportsTableName": "EXPORTS_TABLE",
    "ExportBucketName": "EXPORT_BUCKET",
    "GatewayKeyPrefix": "GATEWAY_KEY_PREFIX",
}


# The local stack's region (tallyboard_local/stack.py; that package is not deployed with this one).
LOCAL_REGION = "us-east-1"


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _local_defaults() -> None:
    """Against the local stack (AWS_ENDPOINT_URL on loopback, as README shows) a region and
    credentials are formalities: its region is fixed and moto takes any key. Ones set stay."""
    if not _is_loopback(os.environ.get("AWS_ENDPOINT_URL", "")):
        return
    os.environ.setdefault("AWS_DEFAULT_REGION", LOCAL_REGION)
    if not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
        os.environ["AWS_ACCESS_KEY_ID"] = os.environ["AWS_SECRET_ACCESS_KEY"] = "local"  # noqa: S105


def _use_stack(stack_name: str) -> None:
    from tallyboard.data import stack

    outputs = stack.outputs(stack_name)
    for output, env in STACK_OUTPUT_ENV.items():
        if output in outputs:
            os.environ[env] = outputs[output]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tallyboard-admin")
    commands = parser.add_subparsers(dest="command", required=True)
    boot = commands.add_parser("bootstrap", help="create a workspace, a project and an owner key")
    boot.add_argument("--plan", choices=sorted(PLANS), default="scale")
    boot.add_argument("--workspace-name", default="My workspace")
    boot.add_argument("--project-name", default="My project")
    boot.add_argument("--rate-limit", type=int, default=None, help="enterprise: requests per hour")
    boot.add_argument("--stack-name", help="read table names from this deployed stack's outputs")
    args = parser.parse_args(argv)

    _local_defaults()
    from tallyboard.data import aws
    from tallyboard.logic import workspaces

    try:
        if args.stack_name:
            _use_stack(args.stack_name)
        result = workspaces.bootstrap(
            args.plan,
            workspace_name=args.workspace_name,
            project_name=args.project_name,
            rate_limit_per_hour=args.rate_limit,
        )
    except Exception as error:
        missing = aws.missing_configuration(error)
        if missing is None:
            raise
        # A missing setting is the operator's to fix, not a bug: one line, no traceback.
        print(f"tallyboard-admin: {missing}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
