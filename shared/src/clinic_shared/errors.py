"""Domain and application errors, each mapped to one HTTP status and an RFC 9457 problem type."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An error a client can act on; rendered as application/problem+json."""

    status: int = 400
    title: str = "Bad request"
    type_slug: str = "bad-request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer must carry besides the problem body."""
        return {}


class BadRequest(AppError):
    """The request cannot be read at all (a body that is not the text it claims to be)."""

    status, title, type_slug = 400, "Bad request", "bad-request"


class NotFound(AppError):
    status, title, type_slug = 404, "Not found", "not-found"


class Conflict(AppError):
    status, title, type_slug = 409, "Conflict", "conflict"


class Unprocessable(AppError):
    status, title, type_slug = 422, "Unprocessable content", "validation-error"


class Unauthorized(AppError):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


class Forbidden(AppError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class TooManyRequests(AppError):
    status, title, type_slug = 429, "Too many requests", "rate-limited"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail, retry_after_seconds=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class ServiceUnavailable(AppError):
    status, title, type_slug = 503, "Service unavailable", "service-unavailable"


class PermanentMessageError(Exception):
    """A consumed message that can never succeed (bad contract, unknown type): dead-letter it."""
