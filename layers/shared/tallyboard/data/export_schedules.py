"""EventBridge Scheduler: one schedule per project that starts a scheduled export. The
schedule is the only copy of its settings (they travel as the target's Input), so there is
nothing to keep in step with a table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data.aws import client
from tallyboard.settings import get_settings


def schedule_name(workspace_id: str, project_id: str) -> str:
    return f"export-{workspace_id}-{project_id}"[:64]


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ResourceNotFoundException"


def put(name: str, expression: str, payload: dict[str, Any], description: str) -> None:
    """Create the schedule, or replace its expression and input (PUT semantics)."""
    settings = get_settings()
    arguments = {
        "Name": name,
        "GroupName": settings.export_schedule_group,
        "ScheduleExpression": expression,
        "ScheduleExpressionTimezone": "UTC",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Description": description[:512],
        "State": "ENABLED",
        "Target": {
            "Arn": settings.export_schedule_target_arn,
            "RoleArn": settings.export_schedule_role_arn,
            "Input": json.dumps(payload),
            "DeadLetterConfig": {"Arn": settings.export_schedule_dlq_arn},
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
        },
    }
    scheduler = client("scheduler")
    try:
        scheduler.update_schedule(**arguments)
    except ClientError as error:
        if not _missing(error):
            raise
        scheduler.create_schedule(**arguments)


def get(name: str) -> dict[str, Any] | None:
    """The schedule's expression and input payload, or None."""
    try:
        schedule = client("scheduler").get_schedule(Name=name, GroupName=get_settings().export_schedule_group)
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return {
        "name": schedule["Name"],
        "expression": schedule["ScheduleExpression"],
        "targetArn": schedule["Target"]["Arn"],
        "payload": json.loads(schedule["Target"].get("Input") or "{}"),
    }


def delete(name: str) -> bool:
    try:
        client("scheduler").delete_schedule(Name=name, GroupName=get_settings().export_schedule_group)
    except ClientError as error:
        if _missing(error):
            return False
        raise
    return True


def all_schedules() -> Iterator[dict[str, Any]]:
    """Every export schedule (the local runner fires them; AWS fires them itself)."""
    scheduler = client("scheduler")
    token: str | None = None
    while True:
        page = scheduler.list_schedules(
            GroupName=get_settings().export_schedule_group, **({"NextToken": token} if token else {})
        )
        for summary in page.get("Schedules", []):
            found = get(summary["Name"])
            if found:
                yield found
        token = page.get("NextToken")
        if not token:
            return
