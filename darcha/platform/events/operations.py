"""Operator actions on the outbox: inspect and replay dead letters."""

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
