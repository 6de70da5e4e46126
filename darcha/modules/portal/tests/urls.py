"""The product's URLs plus pages that fail in each way the error handlers answer."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import OperationalError
from django.urls import include, path

handler400 = "darcha.modules.portal.views.bad_request"
handler403 = "darcha.modules.portal.views.permission_denied"
handler404 = "darcha.modules.portal.views.page_not_found"
handler500 = "darcha.modules.portal.views.server_error"


def bad_request(request):
    raise BadRequest("malformed")


def forbidden(request):
    raise PermissionDenied


def database_down(request):
    raise OperationalError("could not connect to server")


def crash(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test/bad-request/", bad_request),
    path("test/forbidden/", forbidden),
    path("test/database-down/", database_down),
    path("api/v1/test/database-down/", database_down),
    path("test/crash/", crash),
    path("api/v1/test/crash/", crash),
    path("", include("darcha.config.urls")),
]
