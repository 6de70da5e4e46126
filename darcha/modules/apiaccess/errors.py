"""Refusals of the apiaccess module, each with a translated message."""


class ApiAccessError(Exception):
    status = 422

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ApiAccessError):
    status = 404


class Conflict(ApiAccessError):
    status = 409
