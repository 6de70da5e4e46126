"""Operator actions on the outbox: inspect and replay dead letters; what a handler has yet to do."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from darcha.platform.events.models import Delivery


def dead_letters() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=Delivery.Status.DEAD).select_related("event").order_by("-id")


def replay(delivery_ids: list[int] | None = None) -> int:
    """Put dead deliveries back in the queue with a fresh attempt count."""
    dead = Delivery.objects.filter(status=Delivery.Status.DEAD)
    if delivery_ids is not None:
        dead = dead.filter(id__in=delivery_ids)
    return dead.update(
        status=Delivery.Status.PENDING,
        attempts=0,
        available_at=timezone.now(),
        locked_by="",
        locked_until=None,
    )


@dataclass(frozen=True)
class Unfinished:
    """A delivery that has not succeeded: still "pending" (waiting or being retried) or "dead"."""

    status: str
    event_type: str
    payload: dict[str, Any]

    @property
    def pending(self) -> bool:
        return self.status == Delivery.Status.PENDING


def unfinished(handler: str) -> list[Unfinished]:
    """The deliveries to ``handler`` (its registered name) that are pending or dead, for a module
    that must know which of its effects are still on their way or were given up on."""
    rows = Delivery.objects.filter(
        handler=handler, status__in=(Delivery.Status.PENDING, Delivery.Status.DEAD)
    ).values_list("status", "event__type", "event__payload")
    return [Unfinished(status, event_type, payload) for status, event_type, payload in rows]
