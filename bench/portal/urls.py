from django.http import HttpResponse
from django.urls import path

from darcha.config.urls import urlpatterns as product_urls

BODY = b"<!doctype html><title>bare</title><p>constant</p>"


def bare(request):
    return HttpResponse(BODY)


urlpatterns = [path("bench/bare", bare), *product_urls]
