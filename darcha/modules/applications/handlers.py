"""Reactions to application events, run by ``darcha worker`` inside the delivery's transaction.

Each handler first claims the event id, so a replayed delivery does nothing a second time.
"""

from darcha.modules.applications import events as app_events
from darcha.modules.applications import services
from darcha.modules.catalog import api as catalog
from darcha.platform import events


@events.handler(app_events.SUBMITTED, app_events.TRANSITIONED)
def tell_applicant(event: events.Event) -> None:
    payload = event.payload
    if event.type == app_events.TRANSITIONED and not payload["notify_applicant"]:
        return
    if services.event_claim(event_id=event.id, handler="tell_applicant"):
        services.applicant_notify(
            application_id=payload["application_id"], state=payload.get("to_state") or payload["state"]
        )


@events.handler(app_events.ESCALATED)
def tell_heads(event: events.Event) -> None:
    if services.event_claim(event_id=event.id, handler="tell_heads"):
        services.heads_notify(application_id=event.payload["application_id"])


@events.handler(app_events.RATED)
def count_rating(event: events.Event) -> None:
    if services.event_claim(event_id=event.id, handler="count_rating"):
        catalog.rating_add(event.payload["service"], event.payload["stars"])
