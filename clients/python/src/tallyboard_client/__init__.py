"""Tallyboard's Python SDK: `Tallyboard` (sync) and `AsyncTallyboard`.

Names are imported on first use, so the `tallyboard` CLI starts without loading httpx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Tallyboard": "tallyboard_client._client",
    "AsyncTallyboard": "tallyboard_client._client",
    "Page": "tallyboard_client._client",
    "DEFAULT_BASE_URL": "tallyboard_client._client",
    "MetricsBatcher": "tallyboard_client.batcher",
}
_ERRORS = (
    "TallyboardError",
    "ConfigurationError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "MethodNotAllowedError",
    "ConflictError",
    "PayloadTooLargeError",
    "RateLimitError",
    "ServerError",
    "ExportFailedError",
)
_EXPORTS.update(dict.fromkeys(_ERRORS, "tallyboard_client._errors"))
__all__ = [*_EXPORTS, "__version__"]

if TYPE_CHECKING:
    from tallyboard_client._client import DEFAULT_BASE_URL as DEFAULT_BASE_URL
    from tallyboard_client._client import AsyncTallyboard as AsyncTallyboard
    from tallyboard_client._client import Page as Page
    from tallyboard_client._client import Tallyboard as Tallyboard
    from tallyboard_client._errors import *  # noqa: F403
    from tallyboard_client.batcher import MetricsBatcher as MetricsBatcher


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
