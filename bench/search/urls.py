"""The product's URLs plus a bare view that returns JSON of a given size from memory."""

import json
from functools import cache

from django.http import HttpResponse
from django.urls import path

from darcha.config.urls import urlpatterns as product_urls


@cache
def _body(size: int) -> bytes:
    # Shaped like a suggestions answer, with the title padded to the asked size.
    empty = json.dumps({"query": "bench", "suggestions": [{"code": "bare", "title": "", "url": "/"}]})
    title = "x" * max(size - len(empty), 0)
    return json.dumps(
        {"query": "bench", "suggestions": [{"code": "bare", "title": title, "url": "/"}]}
    ).encode()


def bare(request, size: int):
    return HttpResponse(_body(size), content_type="application/json")


urlpatterns = [path("bench/bare/<int:size>/", bare), *product_urls]
