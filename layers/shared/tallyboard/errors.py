"""Domain errors. Each carries its HTTP status; they become the documented error body in one place
(tallyboard.http)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status = 500
    error = "Internal Server Error"

    def __init__(
        self, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(ApiError):
    status = 400
    error = "Bad Request"


class Unauthorized(ApiError):
    status = 401
    error = "Unauthorized"

    def __init__(self, message: str = "Invalid or missing API key"):
        super().__init__(message)


class Forbidden(ApiError):
    status = 403
    error = "Forbidden"


class NotFound(ApiError):
    status = 404
    error = "Not Found"


class MethodNotAllowed(ApiError):
    status = 405
    error = "Method Not Allowed"


class Conflict(ApiError):
    status = 409
    error = "Conflict"


class PayloadTooLarge(ApiError):
    status = 413
    error = "Payload Too Large"


class RateLimited(ApiError):
    status = 429
    error = "Rate limit exceeded"

    def __init__(self, limit: int, retry_after: int):
        super().__init__(
            f"You have exceeded the rate limit of {limit} requests per hour",
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {**super().body(), "retryAfter": self.retry_after}


class ServiceUnavailable(ApiError):
    status = 503
    error = "Service Unavailable"

    def __init__(self, retry_after: int = 1):
        super().__init__(
            "The service is busy; nothing was changed. Retry after the Retry-After seconds.",
            headers={"Retry-After": str(retry_after)},
        )


def project_forbidden() -> Forbidden:
    return Forbidden("No access to this project")


def unknown_reference(field: str, what: str, resource_id: str) -> NotFound:
    """An id the body names that this workspace does not hold (or the key may not see): a 404 as
    for an unknown id in the path, naming the field."""
    return NotFound(f"{what} not found", details={field: f"no {what.lower()} {resource_id} here"})


def internal_error_body() -> dict[str, str]:
    return {
        "error": "Internal Server Error",
        "message": "An unexpected error occurred. Please try again later.",
    }
