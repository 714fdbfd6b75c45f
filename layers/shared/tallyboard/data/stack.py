"""Read a deployed stack's outputs (table and bucket names) for the admin command."""

from __future__ import annotations

from tallyboard.data.aws import client


def outputs(stack_name: str) -> dict[str, str]:
    stacks = client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
