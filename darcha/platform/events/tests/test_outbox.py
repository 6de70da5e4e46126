import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from darcha.platform import audit, events
from darcha.platform.audit.models import AuditEntry
from darcha.platform.events import operations
from darcha.platform.events.models import Delivery, OutboxEvent
from darcha.platform.events.registry import OutsideTransactionError
from darcha.platform.events.worker import claim, drain, process

calls: Counter = Counter()


@events.handler("test.flaky")
def flaky_effect(event: events.Event) -> None:
    calls[event.id] += 1
    if calls[event.id] <= 2:
        raise RuntimeError("temporary failure")
    audit.record(action="test_effect", subject=str(event.id))


@events.handler("test.always_fails")
def failing_effect(event: events.Event) -> None:
    if not event.payload.get("fixed") and not calls["fixed"]:
        raise RuntimeError("permanent failure")
    audit.record(action="test_effect", subject=str(event.id))


@events.handler("test.counted")
def counted_effect(event: events.Event) -> None:
    audit.record(action="test_effect", subject=str(event.id))


def effects(event_id) -> int:
    return AuditEntry.objects.filter(action="test_effect", subject=str(event_id)).count()


def publish(event_type: str, payload: dict | None = None):
    with transaction.atomic():
        return events.publish(event_type, payload or {})


@pytest.mark.django_db(transaction=True)
def test_publish_refuses_to_run_outside_a_transaction():
    with pytest.raises(OutsideTransactionError):
        events.publish("test.counted", {})
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        events.publish("test.counted", {"n": 1})
        1 / 0  # noqa: B018
    assert not OutboxEvent.objects.exists()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_publish_creates_one_delivery_per_subscribed_handler():
    event_id = publish("test.counted")
    deliveries = Delivery.objects.filter(event_id=event_id)
    assert [d.handler for d in deliveries] == [f"{__name__}.counted_effect"]
    assert publish("test.nobody_listens") is not None


@pytest.mark.django_db
@override_settings(EVENTS_BACKOFF_BASE_SECONDS=0)
def test_a_handler_that_fails_twice_then_succeeds_has_its_effect_once():
    event_id = publish("test.flaky")
    for _ in range(5):
        drain()
    delivery = Delivery.objects.get(event_id=event_id)
    assert delivery.status == Delivery.Status.DONE
    assert delivery.attempts == 3
    assert calls[event_id] == 3
    assert effects(event_id) == 1


@pytest.mark.django_db
def test_failures_wait_with_growing_backoff():
    event_id = publish("test.flaky")
    drain()
    first = Delivery.objects.get(event_id=event_id)
    assert first.status == Delivery.Status.PENDING and first.attempts == 1
    assert first.available_at > timezone.now()
    assert "temporary failure" in first.last_error
    assert drain() == 0  # not due yet


@pytest.mark.django_db
@override_settings(EVENTS_BACKOFF_BASE_SECONDS=0, EVENTS_MAX_ATTEMPTS=3)
def test_a_handler_that_keeps_failing_becomes_a_dead_letter_that_can_be_replayed():
    calls["fixed"] = 0
    event_id = publish("test.always_fails")
    for _ in range(5):
        drain()
    delivery = Delivery.objects.get(event_id=event_id)
    assert delivery.status == Delivery.Status.DEAD
    assert delivery.attempts == 3
    assert list(operations.dead_letters()) == [delivery]
    assert effects(event_id) == 0

    calls["fixed"] = 1
    assert operations.replay([delivery.id]) == 1
    drain()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DONE
    assert effects(event_id) == 1
    assert not operations.dead_letters().exists()


@pytest.mark.django_db
@override_settings(EVENTS_BACKOFF_BASE_SECONDS=0, EVENTS_MAX_ATTEMPTS=3)
def test_a_handlers_unfinished_deliveries_are_its_pending_and_dead_ones():
    calls["fixed"] = 0
    done = publish("test.counted", {"n": "done"})
    drain()
    dead = publish("test.always_fails", {"n": "dead"})
    for _ in range(5):
        drain()
    waiting = publish("test.always_fails", {"n": "waiting"})
    name = "darcha.platform.events.tests.test_outbox.failing_effect"
    found = {(u.status, u.event_type, u.payload["n"]) for u in operations.unfinished(name)}
    assert found == {("dead", "test.always_fails", "dead"), ("pending", "test.always_fails", "waiting")}
    assert operations.unfinished("darcha.platform.events.tests.test_outbox.counted_effect") == []
    assert Delivery.objects.get(event_id=done).status == Delivery.Status.DONE
    assert {dead, waiting} == set(Delivery.objects.filter(handler=name).values_list("event_id", flat=True))


@pytest.mark.django_db
def test_a_worker_whose_lease_expired_cannot_commit_its_effect():
    event_id = publish("test.counted")
    [delivery_id] = claim("worker-a")
    # worker-a stalls (or was killed); its lease runs out and worker-b takes over.
    Delivery.objects.filter(id=delivery_id).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert claim("worker-b") == [delivery_id]
    assert process(delivery_id, "worker-a") == "lost"
    assert effects(event_id) == 0
    assert process(delivery_id, "worker-b") == Delivery.Status.DONE
    assert effects(event_id) == 1


@pytest.mark.django_db
def test_a_leased_delivery_is_not_claimed_twice():
    publish("test.counted")
    assert len(claim("worker-a")) == 1
    assert claim("worker-b") == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_together_never_process_the_same_event():
    ids = [publish("test.counted") for _ in range(60)]
    processed: list[int] = []

    def run(name: str) -> None:
        try:
            processed.append(drain(worker_id=name, batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(processed) == 60
    assert Delivery.objects.filter(status=Delivery.Status.DONE).count() == 60
    per_event = Counter(AuditEntry.objects.filter(action="test_effect").values_list("subject", flat=True))
    assert sorted(per_event) == sorted(str(i) for i in ids)
    assert set(per_event.values()) == {1}
    assert audit.verify() == []
