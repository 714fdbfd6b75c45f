"""Runtime settings, read once per container from the environment the template sets."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    keys_table: str = Field("KeysTable", alias="KEYS_TABLE")
    entities_table: str = Field("EntitiesTable", alias="ENTITIES_TABLE")
    metrics_table: str = Field("MetricsTable", alias="METRICS_TABLE")
    rate_limit_table: str = Field("RateLimitTable", alias="RATE_LIMIT_TABLE")
    audit_table: str = Field("AuditTable", alias="AUDIT_TABLE")
    idempotency_table: str = Field("IdempotencyTable", alias="IDEMPOTENCY_TABLE")
    exports_table: str = Field("ExportsTable", alias="EXPORTS_TABLE")
    export_bucket: str = Field("ExportBucket", alias="EXPORT_BUCKET")
    export_state_machine_arn: str = Field("", alias="EXPORT_STATE_MACHINE_ARN")
    export_schedule_group: str = Field("default", alias="EXPORT_SCHEDULE_GROUP")
    export_schedule_target_arn: str = Field("", alias="EXPORT_SCHEDULE_TARGET_ARN")
    export_schedule_role_arn: str = Field("", alias="EXPORT_SCHEDULE_ROLE_ARN")
    export_schedule_dlq_arn: str = Field("", alias="EXPORT_SCHEDULE_DLQ_ARN")
    cursor_secret_arn: str = Field("", alias="CURSOR_SECRET_ARN")
    credentials_key_id: str = Field("alias/tallyboard-credentials", alias="CREDENTIALS_KEY_ID")
    # Gateway (usage plan) key values are "<prefix>-<plan>"; the template names them the same way.
    gateway_key_prefix: str = Field("tallyboard-local", alias="GATEWAY_KEY_PREFIX")
    max_body_bytes: int = Field(1_048_576, alias="MAX_BODY_BYTES")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate({k: v for k, v in os.environ.items() if k in _ENV_NAMES})


_ENV_NAMES = {field.alias for field in Settings.model_fields.values()}
