"""Public surface of the portal module: the only thing other modules import."""

from django.http import JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ERROR_DETAILS = {
    400: _("The request is not valid."),
    401: _("Sign-in or an API key is required."),
    403: _("You do not have access to this."),
    404: _("Nothing was found at this address."),
    405: _("This method is not allowed here."),
    409: _("This conflicts with the current state. Reload and try again."),
    422: _("Some of the data sent is not valid."),
    429: _("Too many requests. Wait a little and try again."),
    500: _("Something went wrong on our side. Try again later."),
    503: _("The service is briefly unavailable. Try again in a few seconds."),
}


def error_detail(status: int) -> str:
    """A short explanation of an HTTP error status in the current language."""
    return str(ERROR_DETAILS.get(status) or gettext("The request could not be completed."))


def error_json(status: int, detail=None, errors: dict[str, list[str]] | None = None) -> JsonResponse:
    """The one JSON shape of every error answer of the API (docs/api.md); ``detail``
    defaults to the status's own explanation."""
    return JsonResponse(
        {"status": status, "detail": str(detail or error_detail(status)), "errors": errors or {}},
        status=status,
    )
