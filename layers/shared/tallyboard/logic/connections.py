"""Connections: list a project's connections and create one with encrypted credentials.
Credentials go straight from the request to KMS; they are never logged, returned or audited."""

from __future__ import annotations

import json
from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import connections, secrets
from tallyboard.errors import Conflict
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.models.common import ProjectPageQuery
from tallyboard.models.connections import (
    Connection,
    ConnectionList,
    ConnectionResponse,
    CreateConnectionRequest,
)

# The category of well-known services, used when a create request names none.
SERVICE_CATEGORIES = {
    "stripe": "payment",
    "paypal": "payment",
    "paddle": "payment",
    "lemonsqueezy": "payment",
    "github": "development",
    "gitlab": "development",
    "vercel": "development",
    "google_analytics": "analytics",
    "plausible": "analytics",
    "mixpanel": "analytics",
    "shopify": "ecommerce",
    "hubspot": "crm",
    "salesforce": "crm",
    "mailchimp": "marketing",
    "facebook_ads": "advertising",
    "google_ads": "advertising",
    "twitter": "social",
    "linkedin": "social",
    "zendesk": "support",
    "intercom": "support",
}
DEFAULT_CATEGORY = "other"
# Display names that title case would get wrong.
SERVICE_NAMES = {
    "github": "GitHub",
    "gitlab": "GitLab",
    "paypal": "PayPal",
    "lemonsqueezy": "Lemon Squeezy",
    "hubspot": "HubSpot",
    "linkedin": "LinkedIn",
    "google_analytics": "Google Analytics",
    "facebook_ads": "Facebook Ads",
    "google_ads": "Google Ads",
    "mailchimp": "Mailchimp",
}


def default_service_name(service: str) -> str:
    """stripe → Stripe, google_analytics → Google Analytics, github → GitHub."""
    return SERVICE_NAMES.get(service) or " ".join(
        word.capitalize() for word in service.replace("-", "_").replace(".", "_").split("_") if word
    )


def public_connection(record: dict[str, Any]) -> Connection:
    return Connection(
        id=record["id"],
        projectId=record["projectId"],
        service=record["service"],
        serviceName=record.get("serviceName") or default_service_name(record["service"]),
        category=record["category"],
        authType=record["authType"],
        status=record["status"],
        accountInfo=record.get("accountInfo"),
        lastSyncedAt=record.get("lastSyncedAt"),
        totalSyncsCompleted=record.get("totalSyncsCompleted", 0),
        createdAt=record["createdAt"],
    )


def list_connections(caller: Caller, query: ProjectPageQuery) -> ConnectionList:
    caller.require("viewer", "metrics:read")
    project = access.project_for(caller, query.projectId)
    spec = pages.page_spec(
        query.limit, query.offset, query.cursor, f"connections|{caller.workspace_id}|{project}"
    )
    page, total = connections.page(caller.workspace_id, project, spec)
    return ConnectionList(
        data=[public_connection(r) for r in page.items], pagination=pages.pagination(spec, total, page)
    )


def create(
    caller: Caller, request: CreateConnectionRequest, connection_id: str | None = None
) -> ConnectionResponse:
    """Create a connection; `connection_id` is for the local demo only (the API always generates one)."""
    caller.require("editor", "metrics:write")
    project = access.project_for(caller, request.projectId)
    connection_id = connection_id or new_id("conn")
    created_at = now_ms()
    record = {
        "id": connection_id,
        "workspaceId": caller.workspace_id,
        "projectId": project,
        "service": request.service,
        "serviceName": request.serviceName or default_service_name(request.service),
        "category": request.category or SERVICE_CATEGORIES.get(request.service, DEFAULT_CATEGORY),
        "authType": request.authType,
        "status": "active",
        "accountInfo": request.accountInfo,
        "lastSyncedAt": None,
        "totalSyncsCompleted": 0,
        "createdBy": caller.user_id,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    plaintext = json.dumps(request.credentials, separators=(",", ":")).encode()
    ciphertext = secrets.encrypt(plaintext, caller.workspace_id, connection_id)
    if not connections.put(caller.workspace_id, record, ciphertext):
        raise Conflict("A connection with this id already exists")
    audit.record(
        caller,
        "connection.create",
        "connection",
        connection_id,
        project_id=project,
        metadata={"name": record["serviceName"], "service": request.service, "authType": request.authType},
    )
    return ConnectionResponse(data=public_connection(record))


def credentials_of(workspace_id: str, connection_id: str) -> dict[str, Any] | None:
    """Decrypted credentials, for the workers that sync a connection; never for a response."""
    ciphertext = connections.get_credentials_ciphertext(workspace_id, connection_id)
    if ciphertext is None:
        return None
    credentials: dict[str, Any] = json.loads(secrets.decrypt(ciphertext, workspace_id, connection_id))
    return credentials
