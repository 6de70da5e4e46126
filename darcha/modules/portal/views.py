from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


def _error(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, f"portal/errors/{status}.html", status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)
