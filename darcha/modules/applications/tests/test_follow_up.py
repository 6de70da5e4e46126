"""What happens after a transition: notifications, escalation of overdue applications, ratings."""

from datetime import date

import pytest
import time_machine

from darcha.modules.applications import api, handlers
from darcha.modules.applications.models import Application, TimelineEntry
from darcha.modules.applications.tests.conftest import submit
from darcha.modules.catalog import api as catalog
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.platform.events import Event
from darcha.platform.events.models import Delivery, OutboxEvent
from darcha.platform.events.worker import drain

pytestmark = pytest.mark.django_db


def act(who, info, action, **fields):
    return api.act(
        application_id=info.id,
        action=action,
        actor_account_id=who.account_id,
        expected_version=info.version,
        appointments=who.appointments,
        **fields,
    )


def test_the_applicant_is_told_in_their_language(jasur, receiver):
    identity.account_set_language(jasur.account_id, "ru")
    info = act(receiver, submit(jasur).application, "accept")
    act(receiver, info, "assign", assignee=receiver.account_id)  # not an applicant's concern
    drain()
    titles = [m.title for m in notifications.inbox_for(jasur.account_id)]
    assert titles == [f"Заявление № {info.number}: Принято", f"Заявление № {info.number}: Подано"]


def test_a_replayed_event_tells_the_applicant_once(jasur):
    submit(jasur)
    drain()
    event = OutboxEvent.objects.get(type="applications.submitted")
    handlers.tell_applicant(Event(event.id, event.type, event.payload, event.occurred_at))
    assert len(notifications.inbox_for(jasur.account_id)) == 1


def test_an_applicant_without_an_account_is_not_notified(jasur):
    info = submit(jasur).application
    Application.objects.filter(id=info.id).update(applicant_account=None)  # a visitor with no account
    drain()
    assert notifications.inbox_for(jasur.account_id) == []
    assert not Delivery.objects.filter(status=Delivery.Status.DEAD).exists()


def test_overdue_applications_escalate_to_heads_once(jasur, receiver, head, monkeypatch):
    sent = []
    monkeypatch.setattr(notifications, "notify", lambda **message: sent.append(message) or [])
    with time_machine.travel(date(2026, 3, 2), tick=False):  # Monday
        late = submit(jasur).application  # due 17 March; its first step is due 3 March
        moving = submit(jasur).application
    with time_machine.travel(date(2026, 3, 3), tick=False):
        act(receiver, moving, "accept")  # the next step is due 5 March
        assert api.escalate_overdue() == 0  # due today is not overdue yet
    with time_machine.travel(date(2026, 3, 4), tick=False):
        assert api.escalate_overdue() == 1
        assert api.escalate_overdue() == 0
        drain()
    assert Application.objects.get(id=late.id).escalated_at is not None
    assert Application.objects.get(id=moving.id).escalated_at is None
    assert TimelineEntry.objects.filter(application_id=late.id, action="escalate").count() == 1
    escalations = [m for m in sent if m["template"] == "applications.escalated"]
    assert [m["recipient_id"] for m in escalations] == [head.account_id]  # the country-wide head
    assert escalations[0]["context"]["number"] == late.number
    assert escalations[0]["context"]["deadline"] == "17.03.2026"


def test_terminal_applications_do_not_escalate(jasur):
    with time_machine.travel(date(2026, 3, 2), tick=False):
        info = submit(jasur).application
        api.withdraw(application_id=info.id, account_id=jasur.account_id, expected_version=info.version)
    with time_machine.travel(date(2026, 6, 1), tick=False):
        assert api.escalate_overdue() == 0


def test_rating_after_completion_once(jasur, sherzod, receiver, approver):
    info = submit(jasur).application
    with pytest.raises(api.Conflict):
        api.rate(application_id=info.id, account_id=jasur.account_id, stars=5)
    info = act(approver, act(approver, act(receiver, info, "accept"), "start_review"), "approve")
    with pytest.raises(api.NotFound):
        api.rate(application_id=info.id, account_id=sherzod.account_id, stars=5)
    for stars in (0, 6, "5", True):
        with pytest.raises(api.Invalid):
            api.rate(application_id=info.id, account_id=jasur.account_id, stars=stars)
    api.rate(application_id=info.id, account_id=jasur.account_id, stars=4, comment="Quick and clear.")
    with pytest.raises(api.Conflict):
        api.rate(application_id=info.id, account_id=jasur.account_id, stars=1)
    assert api.rating(info) == (4, "Quick and clear.")
    drain()
    assert catalog.service("test-permit").rating_count == 1


def test_withdrawn_applications_cannot_be_rated(jasur):
    info = submit(jasur).application
    info = api.withdraw(application_id=info.id, account_id=jasur.account_id, expected_version=info.version)
    with pytest.raises(api.Conflict):
        api.rate(application_id=info.id, account_id=jasur.account_id, stars=3)


def test_ratings_roll_up_per_service_and_agency(jasur):
    for stars, service in ((5, "test-automatic"), (3, "test-automatic")):
        info = submit(jasur, service=service).application
        api.rate(application_id=info.id, account_id=jasur.account_id, stars=stars)
    assert [(r.key, r.count, r.average) for r in api.ratings("service")] == [("test-automatic", 2, 4.0)]
    assert [(r.key, r.count, r.average) for r in api.ratings("agency")] == [("soliq", 2, 4.0)]
    with pytest.raises(api.Invalid):
        api.ratings("region")
