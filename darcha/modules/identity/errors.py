"""Refusals that carry the HTTP status a page or endpoint should answer with."""


class IdentityError(Exception):
    """A refusal with a translated message; ``field`` names the form field it concerns."""

    status = 422

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(IdentityError):
    status = 409


class TooManyRequests(IdentityError):
    status = 429


class NotFound(IdentityError):
    status = 404
