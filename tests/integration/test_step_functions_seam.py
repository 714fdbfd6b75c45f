"""The Step Functions seam: moto's ASL interpreter runs a state machine whose Lambda task is
answered by the real handler, in-process (what export workflows rely on)."""

from __future__ import annotations

import json
import time

import boto3

from tallyboard_local.stack import ACCOUNT, REGION, LocalStack
from tests.conftest import Tenant


def _run(definition: dict, payload: dict) -> dict:
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(
        name=f"seam-{time.time_ns()}",
        definition=json.dumps(definition),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/seam",
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload))["executionArn"]
    for _ in range(200):
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("state machine did not finish")


def _task(function: str, **extra: object) -> dict:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}",
                "End": True,
                **extra,
            }
        },
    }


def test_task_runs_the_real_handler(stack: LocalStack, tenant: Tenant) -> None:
    event = {"type": "TOKEN", "authorizationToken": f"Bearer {tenant.api_key}", "methodArn": "arn:x/v1/GET/x"}

    described = _run(_task("AuthorizerFunction"), event)

    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["context"]["workspaceId"] == tenant.workspace_id
    assert output["usageIdentifierKey"].endswith("-scale")


def test_handler_failure_reaches_catch(stack: LocalStack) -> None:
    event = {"type": "TOKEN", "authorizationToken": "Bearer nope", "methodArn": "arn:x/v1/GET/x"}
    definition = _task(
        "AuthorizerFunction",
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.error"}],
    )
    definition["States"]["Call"].pop("End")
    definition["States"]["Failed"] = {"Type": "Pass", "Result": {"caught": True}, "End": True}

    described = _run(definition, event)

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"caught": True}
