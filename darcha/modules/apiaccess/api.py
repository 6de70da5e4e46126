"""Public surface of the apiaccess module: the only thing other modules import.

An endpoint of any module protects itself with a key and a scope::

    from darcha.modules.apiaccess.api import ErrorOut, require_scope

    @router.get("/services", auth=require_scope("catalog:read"), response={200: ..., 403: ErrorOut})
    def services(request):
        request.auth  # the calling ApiPrincipal

A missing, unknown, revoked or expired key is answered with 401, a key without the
scope with 403, both as ``{"detail": "..."}`` in the caller's language.
"""

from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
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

__all__ = [
    "ApiAccessError",
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
    "install_error_handlers",
    "known_scopes",
    "require_scope",
]

_KNOWN_SCOPES: set[str] = set()
# Messages django-ninja raises in English; they are replaced by ours in the caller's language.
_NINJA_MESSAGES = ("Unauthorized", "Forbidden", "Too many requests.", "Cannot parse request body")


class ErrorOut(Schema):
    detail: str


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


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", ())), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return JsonResponse({"detail": error_detail(422), "errors": errors}, status=422)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = exc.message
    if message.startswith(_NINJA_MESSAGES):
        message = error_detail(exc.status_code)
    response = JsonResponse({"detail": message}, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="darcha"'
    return response


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return JsonResponse({"detail": error_detail(404)}, status=404)


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error as ``{"detail": ...}`` in the caller's language; validation errors also list fields."""
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
