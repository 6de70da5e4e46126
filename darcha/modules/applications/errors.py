"""Refusals of the applications module: a translated message, field errors when there are any,
and the HTTP status a page or endpoint answers with."""


class ApplicationError(Exception):
    status = 422

    def __init__(self, message, *, errors: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.errors = errors or {}


class BadRequest(ApplicationError):
    status = 400


class Forbidden(ApplicationError):
    status = 403


class NotFound(ApplicationError):
    status = 404


class Conflict(ApplicationError):
    """Not allowed in the current state, or someone else changed the application first."""

    status = 409


class Invalid(ApplicationError):
    status = 422
