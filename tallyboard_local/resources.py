"""Create every table, bucket, key, state machine and usage plan of template.yaml in moto."""

from __future__ import annotations

import json
from typing import Any

import boto3

from tallyboard_local import template as tpl


def _create_table(ddb: Any, name: str, props: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    ddb.create_table(**kwargs)
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)


def _create_bucket(s3: Any, name: str, props: dict[str, Any]) -> None:
    s3.create_bucket(Bucket=name)
    if "BucketEncryption" in props:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                    for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    rules = (props.get("LifecycleConfiguration") or {}).get("Rules") or []
    if rules:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": r["Id"],
                        "Status": r["Status"],
                        "Filter": {"Prefix": ""},
                        "Expiration": {"Days": r["ExpirationInDays"]},
                        **(
                            {"AbortIncompleteMultipartUpload": r["AbortIncompleteMultipartUpload"]}
                            if "AbortIncompleteMultipartUpload" in r
                            else {}
                        ),
                    }
                    for r in rules
                ]
            },
        )
    # The TLS-only bucket policy is not applied: the local endpoint is plain HTTP on loopback.


def create_all(stack_name: str, region: str, account: str) -> tpl.Resolver:
    """Create the template's resources; returns the resolver that maps logical to local ids."""
    session = boto3.session.Session(region_name=region)
    names: dict[str, str] = {}
    ddb, s3 = session.client("dynamodb"), session.client("s3")

    for name, props in tpl.resources_of_type("AWS::DynamoDB::Table").items():
        _create_table(ddb, name, props)
        names[name] = name
    for name, props in tpl.resources_of_type("AWS::S3::Bucket").items():
        bucket = f"{stack_name}-{name}".lower()
        _create_bucket(s3, bucket, props)
        names[name] = bucket
    kms = session.client("kms")
    for name, props in tpl.resources_of_type("AWS::KMS::Key").items():
        names[name] = kms.create_key(Description=props.get("Description", name))["KeyMetadata"]["KeyId"]

    secrets = session.client("secretsmanager")
    for name in tpl.resources_of_type("AWS::SecretsManager::Secret"):
        value = secrets.get_random_password(PasswordLength=64, ExcludePunctuation=True)["RandomPassword"]
        names[name] = secrets.create_secret(Name=f"{stack_name}-{name}", SecretString=value)["ARN"]

    sqs = session.client("sqs")
    for name in tpl.resources_of_type("AWS::SQS::Queue"):
        queue = f"{stack_name}-{name}"
        sqs.create_queue(QueueName=queue)
        names[name] = queue
    for name in tpl.resources_of_type("AWS::IAM::Role"):
        names[name] = f"{stack_name}-{name}"  # moto enforces no IAM: the ARN is all that is used

    resolver = tpl.Resolver(names, stack_name, region, account)

    scheduler = session.client("scheduler")
    for name, props in tpl.resources_of_type("AWS::Scheduler::ScheduleGroup").items():
        names[name] = resolver.resolve(props["Name"])
        scheduler.create_schedule_group(Name=names[name])

    _create_usage_plans(session.client("apigateway"), resolver, names)
    _create_state_machines(session.client("stepfunctions"), resolver, names, account)
    return resolver


def function_environment(resolver: tpl.Resolver) -> dict[str, str]:
    """The environment of the template's functions (Globals and each function's own), resolved
    to local ids. In-process functions share one environment: a variable has one value in the
    whole template, so their union is what each function would see."""
    variables = dict(tpl.load()["Globals"]["Function"]["Environment"]["Variables"])
    for properties in tpl.functions().values():
        variables.update((properties.get("Environment") or {}).get("Variables") or {})
    return {k: str(resolver.resolve(v)) for k, v in variables.items()}


def _create_usage_plans(apigw: Any, resolver: tpl.Resolver, names: dict[str, str]) -> None:
    """The gateway's API keys and usage plans, each key in its plan."""
    keys: dict[str, str] = {}
    for name, props in tpl.resources_of_type("AWS::ApiGateway::ApiKey").items():
        keys[name] = apigw.create_api_key(name=name, value=resolver.resolve(props["Value"]), enabled=True)[
            "id"
        ]
    for name, props in tpl.resources_of_type("AWS::ApiGateway::UsagePlan").items():
        throttle, quota = props.get("Throttle", {}), props.get("Quota", {})
        names[name] = apigw.create_usage_plan(
            name=name,
            description=props.get("Description", ""),
            throttle={"rateLimit": throttle.get("RateLimit", 0), "burstLimit": throttle.get("BurstLimit", 0)},
            quota={"limit": quota.get("Limit", 0), "period": quota.get("Period", "DAY")},
        )["id"]
    for props in tpl.resources_of_type("AWS::ApiGateway::UsagePlanKey").values():
        apigw.create_usage_plan_key(
            usagePlanId=names[props["UsagePlanId"]["Ref"]],
            keyId=keys[props["KeyId"]["Ref"]],
            keyType="API_KEY",
        )


def _create_state_machines(sfn: Any, resolver: tpl.Resolver, names: dict[str, str], account: str) -> None:
    """The state machines, their DefinitionSubstitutions resolved to local ids."""
    for name, props in tpl.resources_of_type("AWS::Serverless::StateMachine").items():
        definition = (tpl.ROOT / props["DefinitionUri"]).read_text()
        for variable, value in (props.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace(f"${{{variable}}}", str(resolver.resolve(value)))
        names[name] = sfn.create_state_machine(
            name=name,
            definition=json.dumps(json.loads(definition)),
            roleArn=f"arn:aws:iam::{account}:role/{name}Role",
        )["stateMachineArn"]
