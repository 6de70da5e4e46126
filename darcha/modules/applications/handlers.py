"""Reactions to application events, run by ``darcha worker`` inside the delivery's transaction.

Each handler first claims the event id, or (``make_result``) checks under a row lock that its
work is not done yet, so a replayed delivery does nothing a second time.
"""

from darcha.modules.applications import events as app_events
from darcha.modules.applications import results, services
from darcha.modules.catalog import api as catalog
from darcha.platform import events


def _has_result(payload: dict) -> bool:
    return payload.get("outcome") in results.RESULT_OUTCOMES


@events.handler(app_events.SUBMITTED, app_events.TRANSITIONED)
def tell_applicant(event: events.Event) -> None:
    payload = event.payload
    if event.type == app_events.TRANSITIONED and (not payload["notify_applicant"] or _has_result(payload)):
        return  # a decision with a letter is told by make_result, once the letter is ready
    if services.event_claim(event_id=event.id, handler="tell_applicant"):
        services.applicant_notify(
            application_id=payload["application_id"], state=payload.get("to_state") or payload["state"]
        )


@events.handler(app_events.TRANSITIONED, app_events.RESULT_DUE)
def make_result(event: events.Event) -> None:
    """The decision letter of a decided application, then one message: decided, letter ready."""
    payload = event.payload
    if not _has_result(payload):
        return
    made = results.result_produce(application_id=payload["application_id"])
    if made and payload["notify_applicant"]:
        services.applicant_notify(
            application_id=payload["application_id"],
            state=payload["to_state"],
            template="applications.result_ready",
        )


@events.handler(app_events.ESCALATED)
def tell_heads(event: events.Event) -> None:
    if services.event_claim(event_id=event.id, handler="tell_heads"):
        services.heads_notify(application_id=event.payload["application_id"])


@events.handler(app_events.RATED)
def count_rating(event: events.Event) -> None:
    if services.event_claim(event_id=event.id, handler="count_rating"):
        catalog.rating_add(event.payload["service"], event.payload["stars"])
