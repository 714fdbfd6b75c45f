"""Typed exceptions: one class per documented status, each carrying the API's error body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TallyboardError(Exception):
    """Base of every error this package raises."""


class ConfigurationError(TallyboardError):
    """No API key (or an unusable base URL) was given."""


class APIConnectionError(TallyboardError):
    """The request did not get an answer (connection refused or reset, DNS, …)."""

    def __init__(self, message: str, *, cause: BaseException | None = None):
        super().__init__(message)
        self.__cause__ = cause


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout."""


class APIStatusError(TallyboardError):
    """An answer with a 4xx/5xx status: `{"error", "message", "details"?}` from the API."""

    status: int

    def __init__(
        self,
        status: int,
        body: Any,
        headers: Mapping[str, str],
        *,
        method: str = "",
        url: str = "",
    ):
        self.status = status
        self.body = body
        self.headers = dict(headers)
        self.method, self.url = method, url
        fields = body if isinstance(body, dict) else {}
        self.error: str = str(fields.get("error") or "")
        self.message: str = str(fields.get("message") or (body if isinstance(body, str) else ""))
        self.details: dict[str, Any] | None = fields.get("details")
        super().__init__(f"{status} {self.error}: {self.message}".strip())

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id") or self.headers.get("X-Request-Id")


class BadRequestError(APIStatusError):
    status = 400


class AuthenticationError(APIStatusError):
    status = 401


class PermissionDeniedError(APIStatusError):
    status = 403


class NotFoundError(APIStatusError):
    status = 404


class MethodNotAllowedError(APIStatusError):
    status = 405


class ConflictError(APIStatusError):
    status = 409


class PayloadTooLargeError(APIStatusError):
    status = 413


class RateLimitError(APIStatusError):
    status = 429

    @property
    def retry_after(self) -> int | None:
        """Seconds until the hourly window resets (the body's retryAfter, else the header)."""
        value = (self.body or {}).get("retryAfter") if isinstance(self.body, dict) else None
        value = value if value is not None else _header(self.headers, "retry-after")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


class ServerError(APIStatusError):
    """Any 5xx (503 is the API's "a store was busy; nothing changed")."""

    status = 500


class ExportFailedError(TallyboardError):
    """`exports.run(wait=True)` saw the job end `failed` or `cancelled`."""

    def __init__(self, job: Any):
        self.job = job
        super().__init__(f"export {job.export_job_id} {job.status}: {job.error or 'no file was made'}")


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def error_for(
    status: int, body: Any, headers: Mapping[str, str], method: str = "", url: str = ""
) -> APIStatusError:
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIStatusError)
    error = cls(status, body, headers, method=method, url=url)
    error.status = status  # a 503 is a ServerError whose status is 503
    return error
