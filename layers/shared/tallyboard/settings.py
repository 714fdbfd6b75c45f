"""Runtime settings, read once per container from the environment the template sets.

In a deployed function, a variable it needs and lacks is a start-up failure naming it: the
template's Globals give every function the tables, bucket, key, secret and schedule group, so
those are required everywhere; the ARNs of what a function starts or schedules are in the
Environment of the functions that use them only, so each fails when read unset. Locally (the
local stack, the tests) the defaults stand in for whatever is unset."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any


class MissingSettings(RuntimeError):
    """A deployed function's environment lacks a variable the function needs."""


# A dataclass, not a pydantic model: every cold start imports this, and building a model's
# validator cost more than reading the environment does.
@dataclass(frozen=True)
class Settings:
    """Each field is read from the environment variable of its name in upper case (a per-function
    one without its leading underscore)."""

    keys_table: str = "KeysTable"
    entities_table: str = "EntitiesTable"
    metrics_table: str = "MetricsTable"
    rate_limit_table: str = "RateLimitTable"
    audit_table: str = "AuditTable"
    idempotency_table: str = "IdempotencyTable"
    exports_table: str = "ExportsTable"
    export_bucket: str = "ExportBucket"
    export_schedule_group: str = "default"
    cursor_secret_arn: str = ""
    credentials_key_id: str = "alias/tallyboard-credentials"
    # Gateway (usage plan) key values are "<prefix>-<plan>"; the template names them the same way.
    gateway_key_prefix: str = "tallyboard-local"
    max_body_bytes: int = 1_048_576  # a real default: the template sets none
    # Per-function: None in a deployed function whose environment lacks it (the property fails).
    _export_state_machine_arn: str | None = ""
    _export_schedule_target_arn: str | None = ""
    _export_schedule_role_arn: str | None = ""
    _export_schedule_dlq_arn: str | None = ""
    _console_secret_arn: str | None = ""
    _console_session_bucket: str | None = ""

    @property
    def export_state_machine_arn(self) -> str:
        return _required("EXPORT_STATE_MACHINE_ARN", self._export_state_machine_arn)

    @property
    def export_schedule_target_arn(self) -> str:
        return _required("EXPORT_SCHEDULE_TARGET_ARN", self._export_schedule_target_arn)

    @property
    def export_schedule_role_arn(self) -> str:
        return _required("EXPORT_SCHEDULE_ROLE_ARN", self._export_schedule_role_arn)

    @property
    def export_schedule_dlq_arn(self) -> str:
        return _required("EXPORT_SCHEDULE_DLQ_ARN", self._export_schedule_dlq_arn)

    @property
    def console_secret_arn(self) -> str:
        return _required("CONSOLE_SECRET_ARN", self._console_secret_arn)

    @property
    def console_session_bucket(self) -> str:
        return _required("CONSOLE_SESSION_BUCKET", self._console_session_bucket)


OPTIONAL = frozenset({"max_body_bytes"})


def _required(variable: str, value: str | None) -> str:
    if value is None:
        raise MissingSettings(
            f"{variable} is not set: this function needs it (its Environment in template.yaml)"
        )
    return value


def deployed() -> bool:
    """In Lambda, not the local stack: tallyboard_local never sets AWS_LAMBDA_FUNCTION_NAME, and
    points clients at moto with AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3, moto in process)."""
    environ = os.environ
    return (
        "AWS_LAMBDA_FUNCTION_NAME" in environ
        and "AWS_ENDPOINT_URL" not in environ
        and "AWS_ENDPOINT_URL_S3" not in environ
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    strict = deployed()
    values: dict[str, Any] = {}  # each its field's type
    missing = []
    for field in fields(Settings):
        variable = field.name.lstrip("_").upper()
        raw = os.environ.get(variable)
        if raw is not None and not (strict and raw == ""):
            values[field.name] = int(raw) if isinstance(field.default, int) else raw
        elif not strict or field.name in OPTIONAL:
            continue
        elif field.name.startswith("_"):
            values[field.name] = None
        else:
            missing.append(variable)
    if missing:
        raise MissingSettings(f"Missing environment variable(s) for this function: {', '.join(missing)}")
    return Settings(**values)


# A deployed function fails as it starts (its init), not on its first request.
if deployed():
    get_settings()
