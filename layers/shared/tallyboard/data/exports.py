"""Exports table: export jobs and the one-export-at-a-time lock of each project.

Items (every key starts with the workspace id)::

  job   pk JOB#<ws>#<jobId>    sk JOB   gsi1pk EXP#<ws>#<proj>   gsi1sk <createdAt:013d>#<jobId>
        status, format, dateRange, dataTypes, trigger, progress, recordCount, sizeBytes,
        uploadId, objectKey, executionArn, error, createdAt, completedAt, downloadExpiresAt,
        expiresAt (TTL, epoch s: 30 days of history)
  lock  pk LOCK#<ws>#<proj>    sk LOCK  jobId, expiresAt (TTL) and staleAt (epoch ms)

  | request path                 | operation                    | key condition                   |
  |------------------------------|------------------------------|---------------------------------|
  | POST /exports                | TransactWriteItems           | lock Put (absent or stale) +    |
  |                              |                              | job Put (absent)                |
  | GET / DELETE /exports/{id}   | GetItem                      | pk = JOB#ws#id                  |
  | GET /exports                 | Query gsi1, newest first     | gsi1pk = EXP#ws#proj            |
  | workflow steps               | UpdateItem on the job's      | pk = JOB#ws#id (condition on    |
  |                              | status; DeleteItem lock      | status; lock on its jobId)      |
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import client
from tallyboard.data.dynamo import Expression
from tallyboard.models.common import PageSpec
from tallyboard.settings import get_settings

JOB_SK, LOCK_SK = "JOB", "LOCK"


def _job_key(ws: str, job_id: str) -> dict[str, Any]:
    return dynamo.key(pk=f"JOB#{ws}#{job_id}", sk=JOB_SK)


def _lock_key(ws: str, project_id: str) -> dict[str, Any]:
    return dynamo.key(pk=f"LOCK#{ws}#{project_id}", sk=LOCK_SK)


def create_locked(ws: str, job: dict[str, Any], lock_ttl_s: int, now_ms: int) -> bool:
    """Record a job and take its project's lock in one transaction; False when another export
    holds the lock. A lock whose job died without releasing it (past `staleAt`) is taken over."""
    project_id, job_id = job["projectId"], job["id"]
    lock = {
        **_lock_key(ws, project_id),
        **dynamo.to_item(
            {"jobId": job_id, "staleAt": now_ms + lock_ttl_s * 1000, "expiresAt": now_ms // 1000 + lock_ttl_s}
        ),
    }
    record = {
        **_job_key(ws, job_id),
        "gsi1pk": {"S": f"EXP#{ws}#{project_id}"},
        "gsi1sk": {"S": f"{job['createdAt']:013d}#{job_id}"},
        **dynamo.to_item(job),
    }
    cancelled = dynamo.transact(
        [
            {
                "Put": {
                    "TableName": dynamo.table("exports"),
                    "Item": lock,
                    "ConditionExpression": "attribute_not_exists(pk) OR staleAt < :now",
                    "ExpressionAttributeValues": {":now": {"N": str(now_ms)}},
                }
            },
            {
                "Put": {
                    "TableName": dynamo.table("exports"),
                    "Item": record,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
    )
    return cancelled is None


def release_lock(ws: str, project_id: str, job_id: str) -> None:
    """Release the project's lock if this job still holds it (idempotent)."""
    dynamo.delete_if(
        TableName=dynamo.table("exports"),
        Key=_lock_key(ws, project_id),
        ConditionExpression="jobId = :j",
        ExpressionAttributeValues={":j": {"S": job_id}},
    )


def get_job(ws: str, job_id: str) -> dict[str, Any] | None:
    item = dynamo.get(dynamo.table("exports"), _job_key(ws, job_id), consistent=True)
    return dynamo.without_keys(item) if item else None


def list_jobs(ws: str, project_id: str, spec: PageSpec) -> tuple[dynamo.Page, int]:
    """A page of the project's jobs, newest first, and how many there are (a COUNT Query: no
    items sent back)."""
    query: dict[str, Any] = {
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :p",
        "ExpressionAttributeValues": {":p": {"S": f"EXP#{ws}#{project_id}"}},
    }
    total = dynamo.count(dynamo.table("exports"), **query)
    page = dynamo.query_page(dynamo.table("exports"), spec, ScanIndexForward=False, **query)
    return page.without_keys(), total


def update_job(
    ws: str, job_id: str, changes: dict[str, Any], from_statuses: Iterable[str], remove: Iterable[str] = ()
) -> bool:
    """Set `changes` on a job whose status is one of `from_statuses`; False when it is not (it
    was cancelled, or another step got there first)."""
    expression = Expression()
    for name, value in {**changes, **dict.fromkeys(remove)}.items():
        expression.set(name, value)
    statuses = ", ".join(expression.value(status) for status in from_statuses)
    expression.condition(f"{expression.name('status')} IN ({statuses})")
    return dynamo.update_if(**expression.update(dynamo.table("exports"), _job_key(ws, job_id))) is not None


# ----------------------------------------------------------------------------- the workflow


def start_workflow(job_id: str, payload: dict[str, Any]) -> str:
    """Start the export state machine for a job (named after it: a retried start of the same job
    is the same execution); returns the execution ARN."""
    response = client("stepfunctions").start_execution(
        stateMachineArn=get_settings().export_state_machine_arn, name=job_id, input=json.dumps(payload)
    )
    return str(response["executionArn"])


def stop_workflow(execution_arn: str, cause: str) -> None:
    try:
        client("stepfunctions").stop_execution(executionArn=execution_arn, cause=cause)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
            raise
