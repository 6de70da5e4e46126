from django.conf import settings

from darcha.modules.notifications import services
from darcha.modules.notifications.events import MESSAGE_QUEUED
from darcha.platform import events
from darcha.platform.events.models import Delivery


@events.handler(MESSAGE_QUEUED)
def deliver_message(event: events.Event) -> None:
    # A failed attempt's writes are rolled back with it; the outbox's own count of this
    # delivery's attempts tells how many came before and whether this is the last.
    earlier = (
        Delivery.objects.filter(event_id=event.id, handler=HANDLER_NAME)
        .values_list("attempts", flat=True)
        .first()
        or 0
    )
    services.message_deliver(
        message_id=event.payload["message_id"],
        earlier_attempts=earlier,
        last_chance=earlier + 1 >= settings.EVENTS_MAX_ATTEMPTS,
    )


HANDLER_NAME = f"{deliver_message.__module__}.{deliver_message.__qualname__}"
