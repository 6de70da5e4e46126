"""Public surface of the apiaccess module: the only thing other modules import.

An endpoint of any module protects itself with a key and a scope::

    from darcha.modules.apiaccess.api import ErrorOut, require_scope

    @router.get("/services", auth=require_scope("catalog:read"), response={200: ..., 403: ErrorOut})
    def services(request):
        request.auth  # the calling ApiPrincipal

A missing, unknown, revoked or expired key is answered with 401, a key without the
scope with 403. Every 4xx of the API has one shape, :class:`ErrorOut` (see docs/api.md)::

    {"status": 422, "detail": "<what went wrong, in the caller's language>",
     "errors": {"<field path>": ["<message>", ...]}}

An endpoint refuses with ``raise ApiError(status, detail, errors={...})``.
"""

from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security.base import AuthBase

from darcha.modules.apiaccess import selectors, services
from darcha.modules.apiaccess.errors import ApiAccessError, Conflict, NotFound
from darcha.modules.apiaccess.selectors import ApiPrincipal, KeyStatus
from darcha.modules.apiaccess.services import (
    api_client_check,
    api_client_create,
    api_client_update,
    api_key_issue,
    api_key_revoke,
    clean_scopes,
)
from darcha.modules.portal.api import error_detail
from darcha.modules.portal.api import error_json as error_response

__all__ = [
    "ERROR_STATUSES",
    "ApiAccessError",
    "ApiError",
    "ApiKeyAuth",
    "ApiPrincipal",
    "Conflict",
    "ErrorOut",
    "NotFound",
    "api_client_check",
    "api_client_create",
    "api_client_update",
    "api_key_issue",
    "api_key_revoke",
    "clean_scopes",
    "error_response",
    "error_responses",
    "install_error_handlers",
    "known_scopes",
    "require_scope",
]

_KNOWN_SCOPES: set[str] = set()
# Messages django-ninja raises in English; they are replaced by ours in the caller's language.
_NINJA_MESSAGES = (
    "Unauthorized",
    "Forbidden",
    "Too many requests.",
    "Cannot parse request body",
    "CSRF check",
)


# The 4xx statuses an endpoint can answer with besides its own: a bad or invalid request,
# no key or session, a missing scope (401/403 only on routes that need them).
ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)
# Pydantic's own messages are English; a field error says it in the caller's language.
_FIELD_MESSAGES = {
    "missing": gettext_lazy("Fill in this field."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_type": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "string_type": gettext_lazy("Enter text."),
    "dict_type": gettext_lazy("Send an object here."),
    "list_type": gettext_lazy("Send a list here."),
    "uuid_parsing": gettext_lazy("Enter an identifier as given by the API."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Enter a date as YYYY-MM-DD."),
    "extra_forbidden": gettext_lazy("This field is not expected here."),
}
# Where ninja says the bad value was; field paths start after it (and after the name of
# the body's schema, which the caller does not send).
_LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie"}


class ErrorOut(Schema):
    """Every 4xx answer of the API."""

    status: int = Field(description="The HTTP status, repeated for clients that lose it.")
    detail: str = Field(description="What went wrong, in the caller's language.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages for single fields, keyed by field path (`data.purpose`, `documents.passport`).",
    )


class ApiError(HttpError):
    """A refusal an endpoint raises: the status, a translated detail, and field errors."""

    def __init__(self, status_code: int, detail, *, errors: dict[str, list[str]] | None = None):
        super().__init__(status_code, str(detail))
        self.errors = {key: [str(m) for m in messages] for key, messages in (errors or {}).items()}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The ``response=`` entries of a route's refusals, for the OpenAPI document."""
    return dict.fromkeys(statuses or ERROR_STATUSES, ErrorOut)


def _refusal(status: KeyStatus) -> str:
    return {
        KeyStatus.REVOKED: gettext("This API key has been revoked."),
        KeyStatus.EXPIRED: gettext("This API key has expired."),
        KeyStatus.CLIENT_DISABLED: gettext("The system this API key belongs to is disabled."),
    }.get(status, gettext("This API key is not valid."))


def _presented_key(request: HttpRequest) -> str:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-API-Key", "").strip()


class ApiKeyAuth(AuthBase):
    """API key in ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, with required scopes."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = (
        "An API key issued to an agency system, sent as `Authorization: Bearer <key>` "
        "or in the `X-API-Key` header."
    )

    def __init__(self, scopes: Iterable[str] = ()):
        self.scopes = tuple(scopes)
        _KNOWN_SCOPES.update(self.scopes)
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiPrincipal:
        presented = _presented_key(request)
        if not presented:
            raise AuthenticationError(
                message=gettext(
                    "An API key is required, as “Authorization: Bearer <key>” or in the X-API-Key header."
                )
            )
        check = selectors.api_key_check(presented)
        if check.principal is None:
            raise AuthenticationError(message=_refusal(check.status))
        if services.api_key_use_worth_recording(check.last_used_at):
            services.api_key_mark_used(key_id=check.principal.key_id)
        if missing := [scope for scope in self.scopes if not check.principal.has_scope(scope)]:
            raise AuthorizationError(
                message=gettext("This API key does not have the scope %(scope)s.")
                % {"scope": ", ".join(missing)}
            )
        return check.principal


def require_scope(*scopes: str) -> ApiKeyAuth:
    """Auth for an endpoint that needs an API key holding every one of ``scopes``."""
    return ApiKeyAuth(scopes)


def known_scopes() -> list[str]:
    """Scopes the mounted endpoints ask for, to offer when a key is issued."""
    return sorted(_KNOWN_SCOPES)


def _field_path(location: tuple) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in _LOCATIONS:
        # A body schema is sent as the body itself: its parameter name is not part of the path.
        parts = parts[2:] if parts[0] == "body" and len(parts) > 2 else parts[1:]
    return ".".join(parts) or "__all__"


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = _FIELD_MESSAGES.get(error.get("type", ""), gettext_lazy("This value is not valid."))
        errors.setdefault(_field_path(tuple(error.get("loc", ()))), []).append(str(message))
    return error_response(422, error_detail(422), errors)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = exc.message
    if message.startswith(_NINJA_MESSAGES):
        message = error_detail(exc.status_code)
    response = error_response(exc.status_code, message, getattr(exc, "errors", None))
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="darcha"'
    return response


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, error_detail(404))


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error as :class:`ErrorOut` in the caller's language."""
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
