"""tallyboard-admin: operator commands against whatever AWS the environment points at
(AWS_ENDPOINT_URL for the local server, or a real account)."""

from __future__ import annotations

import argparse
import json
import os
import sys

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

    if args.stack_name:
        _use_stack(args.stack_name)
    from tallyboard.logic import workspaces

    result = workspaces.bootstrap(
        args.plan,
        workspace_name=args.workspace_name,
        project_name=args.project_name,
        rate_limit_per_hour=args.rate_limit,
    )
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
