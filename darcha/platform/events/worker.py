"""The delivery loop that ``darcha worker`` runs; any number of workers may run at once."""

import logging
import os
import random
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from darcha.platform.events.models import Delivery
from darcha.platform.events.registry import Event, handler_named

log = logging.getLogger(__name__)


class LeaseLostError(Exception):
    """Another worker took the delivery over; this worker's effects are rolled back."""


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff_seconds(attempts: int) -> float:
    base = settings.EVENTS_BACKOFF_BASE_SECONDS
    return min(base * 2 ** (attempts - 1), 3600) * random.uniform(0.8, 1.2)


def claim(worker_id: str, batch: int = 20) -> list[int]:
    """Lease up to ``batch`` due deliveries to this worker."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            Delivery.objects.filter(status=Delivery.Status.PENDING, available_at__lte=now)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .order_by("available_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:batch])
        if ids:
            Delivery.objects.filter(id__in=ids).update(
                locked_by=worker_id, locked_until=now + timedelta(seconds=settings.EVENTS_LEASE_SECONDS)
            )
    return ids


def process(delivery_id: int, worker_id: str) -> str:
    """Run one leased delivery; returns its resulting status."""
    delivery = Delivery.objects.select_related("event").get(id=delivery_id)
    fn = handler_named(delivery.handler)
    try:
        if fn is None:
            raise LookupError(f"no handler registered under {delivery.handler}")
        event = Event(
            id=delivery.event.id,
            type=delivery.event.type,
            payload=delivery.event.payload,
            occurred_at=delivery.event.occurred_at,
        )
        with transaction.atomic():
            fn(event)
            marked = Delivery.objects.filter(
                id=delivery_id, locked_by=worker_id, status=Delivery.Status.PENDING
            ).update(
                status=Delivery.Status.DONE,
                done_at=timezone.now(),
                attempts=F("attempts") + 1,
                locked_by="",
                locked_until=None,
            )
            if marked != 1:
                raise LeaseLostError(delivery_id)
        return Delivery.Status.DONE
    except LeaseLostError:
        log.warning("delivery %s was taken over by another worker; effects rolled back", delivery_id)
        return "lost"
    except Exception:
        attempts = delivery.attempts + 1
        dead = attempts >= settings.EVENTS_MAX_ATTEMPTS or fn is None
        status = Delivery.Status.DEAD if dead else Delivery.Status.PENDING
        Delivery.objects.filter(id=delivery_id, locked_by=worker_id).update(
            attempts=attempts,
            status=status,
            available_at=timezone.now() + timedelta(seconds=0 if dead else backoff_seconds(attempts)),
            last_error=traceback.format_exc()[-4000:],
            locked_by="",
            locked_until=None,
        )
        log.warning("delivery %s (%s) failed, attempt %s", delivery_id, delivery.handler, attempts)
        return status


def drain(worker_id: str | None = None, batch: int = 20) -> int:
    """Process due deliveries until none is left; returns how many were processed."""
    worker_id = worker_id or new_worker_id()
    processed = 0
    while ids := claim(worker_id, batch):
        for delivery_id in ids:
            process(delivery_id, worker_id)
            processed += 1
    return processed


def run(
    stop: threading.Event,
    poll_seconds: float = 0.5,
    periodic: Callable[[], None] | None = None,
    periodic_seconds: float = 60,
) -> None:
    """Deliver events until ``stop`` is set; call ``periodic`` about every ``periodic_seconds``."""
    worker_id = new_worker_id()
    log.info("worker %s started", worker_id)
    next_periodic = time.monotonic()
    while not stop.is_set():
        close_old_connections()
        try:
            if periodic and time.monotonic() >= next_periodic:
                next_periodic = time.monotonic() + periodic_seconds
                periodic()
            if drain(worker_id) == 0:
                stop.wait(poll_seconds)
        except Exception:
            # The database may be restarting; wait and try again rather than exit.
            log.exception("worker %s: delivery loop failed; retrying", worker_id)
            connection.close()
            stop.wait(min(poll_seconds * 4, 5))
    log.info("worker %s stopped", worker_id)
