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


def with_document_names(errors: dict[str, list[str]], names: dict[str, str]) -> dict[str, list[str]]:
    """The errors, those of a document (``documents.<code>``) each beginning with the document's
    name (code → name, from the catalog), so that a message read on its own says which it is."""
    named = {}
    for key, messages in errors.items():
        code = key.removeprefix("documents.") if key.startswith("documents.") else ""
        named[key] = [f"{names.get(code, code)}: {message}" for message in messages] if code else messages
    return named
