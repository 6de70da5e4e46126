import threading
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from darcha.modules.applications import api, services
from darcha.modules.applications.models import Application, TimelineEntry
from darcha.modules.applications.tests.conftest import demo, submit
from darcha.platform.calendar.models import CalendarOverride
from darcha.platform.events.models import OutboxEvent

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


def test_the_standard_path_to_approval(jasur, receiver, approver):
    info = submit(jasur).application
    info = act(receiver, info, "accept")
    info = act(approver, info, "start_review")
    info = act(approver, info, "request_info", comment="Attach a clearer scan of the passport.")
    assert (info.state, info.clock_runs) == ("info_requested", False)
    info = api.amend(
        application_id=info.id,
        account_id=jasur.account_id,
        expected_version=info.version,
        data={"purpose": "study", "copies": 2},
    )
    assert (info.state, info.clock_runs, info.data) == (
        "resubmitted",
        True,
        {"purpose": "study", "copies": 2},
    )
    info = act(approver, info, "start_review")
    info = act(approver, info, "approve", comment="All in order.")
    assert (info.state, info.terminal, info.version) == ("approved", True, 7)
    assert (info.decision.code, info.decision.text) == ("approved", "All in order.")
    steps = [(t.action, t.to_state, t.actor_kind) for t in api.timeline(info)]
    assert steps == [
        ("submit", "submitted", "applicant"),
        ("accept", "accepted", "officer"),
        ("start_review", "in_review", "officer"),
        ("request_info", "info_requested", "officer"),
        ("resubmit", "resubmitted", "applicant"),
        ("start_review", "in_review", "officer"),
        ("approve", "approved", "officer"),
    ]
    assert api.timeline(info)[3].comment == "Attach a clearer scan of the passport."
    moves = OutboxEvent.objects.filter(type="applications.transitioned", payload__application_id=info.id)
    assert moves.count() == 6


def test_rejection_needs_a_listed_reason_and_a_text(jasur, receiver, approver):
    info = act(receiver, submit(jasur).application, "accept")
    with pytest.raises(api.Invalid) as refused:
        act(approver, info, "reject", reason_code="because", comment="")
    assert set(refused.value.errors) == {"reason_code", "comment"}
    assert Application.objects.get(id=info.id).state == "accepted"
    info = act(
        approver, info, "reject", reason_code="incomplete_documents", comment="The passport page is missing."
    )
    assert (info.decision.code, info.decision.reason_code) == ("rejected", "incomplete_documents")
    assert info.decision.reason_text("en") == "The documents are incomplete"
    assert info.decision.reason_text("ru") == "Неполный комплект документов"


def test_an_action_not_allowed_from_the_state_is_a_conflict(jasur, approver, receiver):
    info = submit(jasur).application
    with translation.override("ru"), pytest.raises(api.Conflict) as refused:
        act(approver, info, "approve")
    assert refused.value.message == "Это действие невозможно, пока заявление в состоянии «Подано»."
    with pytest.raises(api.Conflict):
        act(receiver, info, "no_such_action")
    assert Application.objects.get(id=info.id).version == 1


def test_an_action_not_allowed_for_the_role_is_forbidden(jasur, approver):
    info = submit(jasur).application
    with pytest.raises(api.Forbidden):
        act(approver, info, "accept")  # receivers and heads accept
    assert TimelineEntry.objects.filter(application_id=info.id).count() == 1


def test_officers_outside_the_agency_or_area_get_not_found(jasur, sherzod, receiver, other_agency, head):
    in_samarqand = submit(sherzod).application
    with pytest.raises(api.NotFound):
        act(receiver, in_samarqand, "accept")  # maktabgacha, but Tashkent city only
    assert api.application_for_officer(in_samarqand.id, receiver.appointments) is None
    in_tashkent = submit(jasur).application
    with pytest.raises(api.NotFound):
        act(other_agency, in_tashkent, "accept")  # adliya
    assert api.application_for_officer(in_tashkent.id, other_agency.appointments) is None
    assert api.application_for_officer("not-a-uuid", head.appointments) is None
    assert act(head, in_samarqand, "accept").state == "accepted"  # the head's scope is the country


def test_a_stale_version_is_a_conflict(jasur, receiver, head):
    info = submit(jasur).application
    act(head, info, "accept")
    with pytest.raises(api.Conflict) as refused:
        act(receiver, info, "accept")  # still holding version 1
    assert refused.value.status == 409


def test_the_version_check_in_the_update_refuses_a_second_writer(jasur, receiver, head):
    info = submit(jasur).application
    stale = Application.objects.get(id=info.id)  # read by two officers at the same moment
    act(head, info, "accept")
    workflow = api.workflow(stale.workflow_name, stale.workflow_version)
    actor = services.Actor("officer", receiver.account_id, "", frozenset({"receiver"}))
    with translation.override("en"), pytest.raises(api.Conflict) as refused:
        services._act(
            stale,
            workflow,
            "forward",
            actor,
            expected_version=stale.version,
            fields={"target_agency": "adliya", "comment": "Not ours."},
        )
    assert refused.value.message.startswith("Someone else acted on this application first.")
    row = Application.objects.get(id=info.id)
    assert (row.state, row.agency_code, row.version) == ("accepted", "maktabgacha", 2)
    assert TimelineEntry.objects.filter(application_id=info.id, action="forward").count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_one_wins(committed_data):
    info = submit(demo("Karimov Jasur")).application
    officers = [demo("Xolmatova Nodira"), demo("Saidova Kamola")]
    outcomes = []

    def accept(officer):
        try:
            act(officer, info, "accept")
            outcomes.append("done")
        except api.Conflict as refusal:
            outcomes.append(refusal.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(o,)) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [409, "done"]
    row = Application.objects.get(id=info.id)
    assert (row.state, row.version) == ("accepted", 2)
    assert TimelineEntry.objects.filter(application_id=info.id, action="accept").count() == 1
    assert (
        OutboxEvent.objects.filter(type="applications.transitioned", payload__application_id=info.id).count()
        == 1
    )


def test_forwarding_hands_the_application_to_the_other_agency(jasur, receiver):
    info = submit(jasur).application
    with pytest.raises(api.Invalid) as refused:
        act(receiver, info, "forward", target_agency="maktabgacha", comment="x")
    assert "target_agency" in refused.value.errors
    with pytest.raises(api.Invalid):
        act(receiver, info, "forward", target_agency="no-such-agency", comment="x")
    info = act(
        receiver, info, "forward", target_agency="adliya", comment="Marriage matters are for the registry."
    )
    assert (info.state, info.agency_code) == ("forwarded", "adliya")
    assert api.application_for_officer(info.id, receiver.appointments) is None
    adliya = api.agency_system_appointments("adliya")
    taken = api.act(
        application_id=info.id,
        action="accept",
        actor_account_id=None,
        expected_version=info.version,
        appointments=adliya,
        agency_system="adliya-ijro",
    )
    assert taken.state == "accepted"
    assert [t.actor_kind for t in api.timeline(taken)][-1] == "agency_system"


def test_assigning_needs_an_officer_of_the_agency_in_the_area(
    jasur, sherzod, receiver, approver, other_agency
):
    info = submit(jasur).application
    with pytest.raises(api.Invalid) as refused:
        act(receiver, info, "assign", assignee=other_agency.account_id)
    assert "assignee" in refused.value.errors
    with pytest.raises(api.Invalid):
        act(receiver, info, "assign", assignee=sherzod.account_id)
    info = act(receiver, info, "assign", assignee=approver.account_id)
    assert (info.state, info.assignee_id) == ("submitted", approver.account_id)
    info = act(receiver, info, "assign", assignee=receiver.account_id)  # reassign
    assert info.assignee_id == receiver.account_id


def test_bulk_assign_reports_each_refusal(jasur, sherzod, receiver, approver):
    mine = [submit(jasur).application for _ in range(3)]
    outside = submit(sherzod).application
    result = api.assign_bulk(
        application_ids=[a.id for a in mine] + [outside.id, "garbage"],
        assignee_id=approver.account_id,
        actor_account_id=receiver.account_id,
        appointments=receiver.appointments,
    )
    assert set(result.done) == {a.id for a in mine}
    assert set(result.refused) == {outside.id, "garbage"}
    assert all(Application.objects.get(id=a.id).assignee_id is not None for a in mine)
    assert Application.objects.get(id=outside.id).assignee_id is None


def test_the_applicant_withdraws(jasur, sherzod, receiver):
    info = submit(jasur).application
    with pytest.raises(api.NotFound):
        api.withdraw(application_id=info.id, account_id=sherzod.account_id, expected_version=info.version)
    assert [a.code for a in api.applicant_actions(info)] == ["withdraw"]
    info = api.withdraw(application_id=info.id, account_id=jasur.account_id, expected_version=info.version)
    assert (info.state, info.decision.code) == ("withdrawn", "withdrawn")
    assert api.applicant_actions(info) == []
    with pytest.raises(api.Conflict):
        api.withdraw(application_id=info.id, account_id=jasur.account_id, expected_version=info.version)
    with pytest.raises(api.Conflict):
        act(receiver, info, "accept")


def test_amending_is_possible_only_after_a_request_for_information(jasur, receiver):
    info = submit(jasur).application
    with pytest.raises(api.Conflict):
        api.amend(
            application_id=info.id, account_id=jasur.account_id, expected_version=info.version, data=info.data
        )
    info = act(receiver, info, "accept")
    info = act(demo("Nazarov Farrux"), info, "request_info", comment="More copies?")
    with pytest.raises(api.Invalid) as refused:
        api.amend(
            application_id=info.id,
            account_id=jasur.account_id,
            expected_version=info.version,
            data={"purpose": "work", "copies": 99},
        )
    assert "copies" in refused.value.errors
    assert Application.objects.get(id=info.id).state == "info_requested"


def test_the_clock_stops_while_information_is_awaited(jasur, receiver, approver):
    # Operators declare Wednesday 4 March a day off; 9, 20 and 23 March are holidays already.
    CalendarOverride.objects.create(date=date(2026, 3, 4), kind=CalendarOverride.Kind.HOLIDAY)
    with time_machine.travel(date(2026, 3, 2), tick=False):  # Monday
        info = submit(jasur).application
        assert info.deadline == date(2026, 3, 18)  # ten working days
        info = act(approver, act(receiver, info, "accept"), "start_review")
    with time_machine.travel(date(2026, 3, 3), tick=False):
        info = act(approver, info, "request_info", comment="Which school?")
        assert not info.clock_runs
    with time_machine.travel(date(2026, 3, 30), tick=False):
        # Weeks later and past the deadline, but the clock is stopped: not overdue.
        assert api.escalate_overdue() == 0
        assert not api.application_for_officer(info.id, approver.appointments).overdue
    with time_machine.travel(date(2026, 3, 6), tick=False):  # Friday: Thursday and Friday count
        info = api.amend(
            application_id=info.id, account_id=jasur.account_id, expected_version=info.version, data=info.data
        )
    assert info.paused_days == 2
    assert info.deadline == date(2026, 3, 24)  # 19 March, then 20 (holiday), 23 (holiday), 24
    assert info.clock_runs


def test_the_referral_workflow_issues_a_referral(jasur, receiver, approver):
    info = submit(jasur, service="test-referral").application
    info = act(receiver, info, "queue")
    assert (info.state, info.clock_runs) == ("in_queue", False)
    with pytest.raises(api.Invalid) as refused:
        act(approver, info, "issue_referral")
    assert list(refused.value.errors) == ["place"]
    info = act(approver, info, "issue_referral", place="1726294-12")
    assert (info.state, info.decision.code, info.decision.details) == (
        "referral_issued",
        "referral",
        {"place": "1726294-12"},
    )


def test_the_appointment_workflow_books_a_visit(jasur, receiver):
    info = submit(jasur, service="test-appointment").application
    with pytest.raises(api.Invalid) as refused:
        act(receiver, info, "book", appointment_at="2000-01-01T10:00:00+05:00", place="")
    assert set(refused.value.errors) == {"appointment_at", "place"}
    with pytest.raises(api.Invalid) as impossible:
        act(receiver, info, "book", appointment_at="2099-02-31T10:00:00", place="dxm-chilonzor")
    assert list(impossible.value.errors) == ["appointment_at"]
    info = act(receiver, info, "book", appointment_at="2099-05-04T10:30:00+05:00", place="dxm-chilonzor")
    assert (info.state, info.decision.code) == ("appointment_booked", "appointment")
    assert info.decision.details == {"appointment_at": "2099-05-04T10:30:00+05:00", "place": "dxm-chilonzor"}


def test_an_application_keeps_its_workflow_version(jasur, receiver, definitions_root, tmp_path):
    info = submit(jasur).application
    changed = tmp_path / "workflows"
    changed.mkdir()
    for path in (definitions_root / "workflows").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "standard-review":
            text = text.replace(
                "roles: [receiver, head]\n    notify_applicant: true",
                "roles: [head]\n    notify_applicant: true",
                1,
            )
        (changed / path.name).write_text(text, encoding="utf-8")
    report = api.load_workflows(changed)
    assert report.updated == ("standard-review",)
    assert api.workflow("standard-review").version == 2
    assert act(receiver, info, "accept").workflow_version == 1  # v1 lets receivers accept
    newer = submit(jasur).application
    assert newer.workflow_version == 2
    with pytest.raises(api.Forbidden):
        act(receiver, newer, "accept")
