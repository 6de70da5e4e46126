"""HTTP plumbing with no domain knowledge: request arrival, metrics, database outages,
security headers, health probes."""

import os
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import get_callable
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

REQUESTS = Counter("darcha_http_requests_total", "HTTP requests", ["method", "status"])
LATENCY = Histogram(
    "darcha_http_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match else "unmatched"
        LATENCY.labels(route=route).observe(time.perf_counter() - started)
        REQUESTS.labels(method=request.method, status=str(response.status_code)).inc()
        return response


# The proxy reads a whole upload before passing it on, which over a slow line takes minutes;
# a moment further than this from our clock is a broken or misconfigured proxy's.
ARRIVAL_SKEW_SECONDS = 3600
_arrival: ContextVar[datetime | None] = ContextVar("darcha_request_arrival", default=None)


def request_arrival() -> datetime:
    """When the current request reached the portal (RequestArrivalMiddleware); outside a
    request, now. What comes first in a queue is decided by this moment, not by when the
    row is written, which depends on locks and scheduling inside the server."""
    return _arrival.get() or timezone.now()


def _proxy_arrival(header: str, now: float) -> float | None:
    """The moment in ``X-Request-Start`` (nginx ``t=$msec``: seconds, or milliseconds or
    microseconds as other proxies write it), or None when it is missing or implausible."""
    try:
        value = float(header.removeprefix("t="))
    except ValueError:
        return None
    for scale in (1, 1e3, 1e6):
        if abs(value / scale - now) <= ARRIVAL_SKEW_SECONDS:
            return value / scale
    return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: the one the trusted load balancer saw (the last entry it
    appended to X-Forwarded-For, with TRUSTED_PROXY_HEADERS on), else the peer's.

    Entries before the last one come from the client and could be forged.
    """
    if settings.TRUSTED_PROXY_HEADERS:
        forwarded = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or None


class RequestArrivalMiddleware:
    """Records when each request arrived: at the trusted load balancer (its X-Request-Start,
    with TRUSTED_PROXY_HEADERS on), else when this process received it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        arrived = None
        if settings.TRUSTED_PROXY_HEADERS:
            arrived = _proxy_arrival(request.headers.get("X-Request-Start", ""), now)
        token = _arrival.set(datetime.fromtimestamp(arrived or now, tz=UTC))
        try:
            return self.get_response(request)
        finally:
            _arrival.reset(token)


# Seconds a client is asked to wait while the database is unreachable: about as long as a
# PostgreSQL restart or fail-over takes.
DATABASE_RETRY_AFTER = "5"


@receiver(got_request_exception)
def _note_database_failure(sender, request=None, **kwargs) -> None:
    # Sent while the exception is being handled, from whichever middleware or view raised it.
    if request is not None and isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """A request that failed because the database is unreachable (stopped, restarting,
    connection dropped) answers 503 with Retry-After instead of 500, through
    ``settings.DATABASE_UNAVAILABLE_VIEW``, which must not read the database. The broken
    connection is dropped at the end of the request and a new one opened by the next
    (CONN_HEALTH_CHECKS), so nothing stale is left once the server is back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            response = get_callable(settings.DATABASE_UNAVAILABLE_VIEW)(request)
            response["Retry-After"] = DATABASE_RETRY_AFTER
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers."""
    return HttpResponse("ok", content_type="text/plain")


def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers and every migration is applied."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except OperationalError:
        response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        response["Retry-After"] = DATABASE_RETRY_AFTER
        return response
    if pending:
        return JsonResponse({"status": "unavailable", "migrations_pending": len(pending)}, status=503)
    return JsonResponse({"status": "ready"})


def metrics(request: HttpRequest) -> HttpResponse:
    if multiproc_dir := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiproc_dir)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
