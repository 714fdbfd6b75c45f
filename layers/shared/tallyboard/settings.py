"""Runtime settings, read once per container from the environment the template sets."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache


# A dataclass, not a pydantic model: every cold start imports this, and building a model's
# validator cost more than reading the environment does.
@dataclass(frozen=True)
class Settings:
    """Each field is read from the environment variable of its name in upper case."""

    keys_table: str = "KeysTable"
    entities_table: str = "EntitiesTable"
    metrics_table: str = "MetricsTable"
    rate_limit_table: str = "RateLimitTable"
    audit_table: str = "AuditTable"
    idempotency_table: str = "IdempotencyTable"
    exports_table: str = "ExportsTable"
    export_bucket: str = "ExportBucket"
    export_state_machine_arn: str = ""
    export_schedule_group: str = "default"
    export_schedule_target_arn: str = ""
    export_schedule_role_arn: str = ""
    export_schedule_dlq_arn: str = ""
    cursor_secret_arn: str = ""
    credentials_key_id: str = "alias/tallyboard-credentials"
    # Gateway (usage plan) key values are "<prefix>-<plan>"; the template names them the same way.
    gateway_key_prefix: str = "tallyboard-local"
    max_body_bytes: int = 1_048_576


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    values = {}
    for field in fields(Settings):
        raw = os.environ.get(field.name.upper())
        if raw is not None:
            values[field.name] = type(field.default)(raw)  # str, or int for max_body_bytes
    return Settings(**values)
