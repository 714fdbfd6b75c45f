"""Connection shapes. Credentials are accepted on create only and never appear in a response."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from tallyboard.models.bounded_json import bounded_json_object
from tallyboard.models.common import Pagination, RequestModel, ResourceId, line_text
from tallyboard.models.dashboards.widgets import WIDGET_JSON

AuthType = Literal["oauth2", "api_key", "basic", "bearer_token", "none"]
ConnectionStatus = Literal["active", "syncing", "error", "paused", "disconnected"]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
CredentialValue = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
CredentialName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
AccountInfo = bounded_json_object(4096, WIDGET_JSON)

# The credential fields each auth type needs to reach the service; more may be sent.
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "oauth2": ("accessToken",),
    "api_key": ("apiKey",),
    "basic": ("username", "password"),
    "bearer_token": ("token",),
    "none": (),
}
MAX_CREDENTIALS_BYTES = 4096  # KMS Encrypt's plaintext limit
MAX_CREDENTIALS = 20
_CREDENTIAL_VALUE_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 2048}


def _credentials_schema(schema: dict[str, Any]) -> None:
    """Every key is a credential name (pydantic states the key pattern as patternProperties,
    which lets a key that misses the pattern through)."""
    schema.pop("patternProperties", None)
    schema.update(
        propertyNames={"minLength": 1, "maxLength": 64, "pattern": r"^[A-Za-z0-9_.-]+$"},
        additionalProperties=dict(_CREDENTIAL_VALUE_SCHEMA),
    )


def _credentials_by_auth_type() -> dict[str, Any]:
    """The credential fields each auth type needs, as JSON Schema: exactly one branch holds, the
    one of the authType sent (what `_credentials_fit_auth_type` enforces)."""
    branches = []
    for auth_type, names in sorted(REQUIRED_CREDENTIALS.items(), key=lambda item: len(item[1])):
        branch: dict[str, Any] = {"properties": {"authType": {"const": auth_type}}}
        if names:
            branch["properties"]["credentials"] = {
                "required": list(names),
                "properties": {name: dict(_CREDENTIAL_VALUE_SCHEMA) for name in names},
            }
            branch["required"] = ["credentials"]
        branches.append(branch)
    return {"oneOf": branches}


class CreateConnectionRequest(RequestModel):
    model_config = ConfigDict(json_schema_extra=_credentials_by_auth_type())

    projectId: ResourceId | None = Field(None, description="Optional for a key bound to one project")
    service: Slug = Field(description="The connected service, e.g. stripe, github")
    serviceName: (
        line_text(100, min_length=1) | None  # type: ignore[valid-type]
    ) = Field(None, description="Display name; defaults from the service (stripe → Stripe)")
    category: Slug | None = Field(None, description="e.g. payment, development; derived for known services")
    authType: AuthType
    credentials: Annotated[dict[CredentialName, CredentialValue], Field(max_length=MAX_CREDENTIALS)] = Field(
        default_factory=dict,
        validate_default=True,
        description="Secret fields by auth type: oauth2 accessToken (refreshToken…), api_key apiKey, "
        f"basic username + password, bearer_token token; at most {MAX_CREDENTIALS_BYTES} bytes as JSON. "
        "Stored encrypted, never returned.",
        json_schema_extra=_credentials_schema,
    )
    accountInfo: AccountInfo | None = Field(  # type: ignore[valid-type]
        None, description="Non-secret account details shown to users (account name, id…)"
    )

    @field_validator("credentials")
    @classmethod
    def _credentials_fit_auth_type(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        required = REQUIRED_CREDENTIALS.get(info.data.get("authType") or "", ())
        missing = [name for name in required if name not in value]
        if missing:
            message = f"{info.data['authType']} credentials need {', '.join(missing)}"
            # None sent: typed "missing" so the error names the field the client left out.
            raise PydanticCustomError("missing", message) if not value else ValueError(message)
        if len(json.dumps(value).encode()) > MAX_CREDENTIALS_BYTES:
            raise ValueError(f"must be at most {MAX_CREDENTIALS_BYTES} bytes as JSON")
        return value


class Connection(BaseModel):
    id: str
    projectId: str
    service: str
    serviceName: str
    category: str
    authType: str
    status: ConnectionStatus
    accountInfo: dict[str, Any] | None
    lastSyncedAt: int | None
    totalSyncsCompleted: int
    createdAt: int


class ConnectionResponse(BaseModel):
    data: Connection


class ConnectionList(BaseModel):
    data: list[Connection]
    pagination: Pagination
