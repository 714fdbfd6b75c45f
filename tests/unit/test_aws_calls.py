"""The IAM check of tallyboard_local/aws_calls.py: calls become the actions and resources IAM
evaluates, and a policy short of one action (or granting one nobody uses) fails the check."""

from __future__ import annotations

from typing import Any

from tallyboard_local import aws_calls
from tallyboard_local.aws_calls import Call

REGION, ACCOUNT = "us-east-1", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table"


def _template(actions: list[str]) -> dict[str, Any]:
    return {
        "Globals": {"Function": {"Handler": "app.lambda_handler"}},
        "Resources": {
            "ThingFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "CodeUri": "functions/things/thing",
                    "Policies": [
                        {
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": actions,
                                    "Resource": {"Fn::GetAtt": ["Things", "Arn"]},
                                },
                                {
                                    "Effect": "Allow",
                                    "Action": "dynamodb:Query",
                                    "Resource": {"Fn::Sub": "${Things.Arn}/index/gsi1"},
                                },
                            ]
                        }
                    ],
                },
            },
            "Things": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        },
    }


def test_a_transaction_needs_each_items_action_on_each_items_table() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": "A", "Item": {}}},
            {"Update": {"TableName": "B", "Key": {}}},
            {"ConditionCheck": {"TableName": "A", "Key": {}}},
        ]
    }

    needed = aws_calls.actions_of("dynamodb", "TransactWriteItems", params, REGION, ACCOUNT)

    assert needed == [
        ("dynamodb:PutItem", f"{TABLE}/A"),
        ("dynamodb:UpdateItem", f"{TABLE}/B"),
        ("dynamodb:ConditionCheckItem", f"{TABLE}/A"),
    ]


def test_an_index_query_needs_the_index_arn_and_multipart_writes_need_put_object() -> None:
    assert aws_calls.actions_of(
        "dynamodb", "Query", {"TableName": "T", "IndexName": "gsi1"}, REGION, ACCOUNT
    ) == [("dynamodb:Query", f"{TABLE}/T/index/gsi1")]
    assert aws_calls.actions_of("s3", "UploadPart", {"Bucket": "b", "Key": "exports/x"}, REGION, ACCOUNT) == [
        ("s3:PutObject", "arn:aws:s3:::b/exports/x")
    ]
    scheduled = aws_calls.actions_of(
        "scheduler",
        "CreateSchedule",
        {"Name": "n", "GroupName": "g", "Target": {"RoleArn": "arn:r"}},
        REGION,
        ACCOUNT,
    )
    assert scheduled == [
        ("scheduler:CreateSchedule", f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/g/n"),
        ("iam:PassRole", "arn:r"),
    ]


def _calls() -> set[Call]:
    return {
        Call("ThingFunction", "dynamodb:GetItem", f"{TABLE}/Things"),
        Call("ThingFunction", "dynamodb:PutItem", f"{TABLE}/Things"),
        Call("ThingFunction", "dynamodb:Query", f"{TABLE}/Things/index/gsi1"),
    }


def test_a_policy_that_allows_exactly_the_calls_passes() -> None:
    template = _template(["dynamodb:GetItem", "dynamodb:PutItem"])

    assert aws_calls.check([({"Things": "Things"}, _calls())], template) == ([], [])


def test_one_action_missing_from_a_policy_fails() -> None:
    template = _template(["dynamodb:GetItem"])

    denied, unused = aws_calls.check([({"Things": "Things"}, _calls())], template)

    assert denied == [f"ThingFunction: dynamodb:PutItem on {TABLE}/Things"] and unused == []


def test_an_action_granted_for_nothing_fails() -> None:
    template = _template(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"])

    denied, unused = aws_calls.check([({"Things": "Things"}, _calls())], template)

    assert denied == [] and unused == [f"ThingFunction: dynamodb:DeleteItem on {TABLE}/Things"]
