"""The officer's inbox, the citizen's list, public status and statistics."""

from datetime import date

import pytest
import time_machine

from darcha.modules.applications import api, selectors
from darcha.modules.applications.tests.conftest import submit
from darcha.modules.identity import api as identity
from darcha.platform.audit.models import AuditEntry

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


def test_the_inbox_holds_only_the_officers_agency_and_area(jasur, sherzod, receiver, head, other_agency):
    tashkent = submit(jasur).application
    samarqand = submit(sherzod).application
    tax = submit(jasur, service="test-automatic", data={"purpose": "other", "copies": 1}).application
    assert [i.id for i in api.inbox(receiver.appointments).items] == [tashkent.id]
    assert {i.id for i in api.inbox(head.appointments).items} == {tashkent.id, samarqand.id}
    assert api.inbox(other_agency.appointments).items == []
    closed = api.inbox(api.agency_system_appointments("soliq"), include_closed=True)
    assert [i.id for i in closed.items] == [tax.id]


def test_filters_counts_and_deadline_order(jasur, receiver, approver, head):
    with time_machine.travel(date(2026, 3, 2), tick=False):
        first = submit(jasur).application  # due 17 March; "submitted" due 3 March
    with time_machine.travel(date(2026, 3, 5), tick=False):
        second = submit(jasur).application  # due 24 March
    with time_machine.travel(date(2026, 3, 6), tick=False):
        third = submit(jasur, service="test-referral").application  # due 25 March; "submitted" due 10 March
        act(receiver, third, "assign", assignee=approver.account_id)
    with time_machine.travel(date(2026, 3, 16), tick=False):
        act(receiver, second, "accept")  # "accepted" due 18 March
    with time_machine.travel(date(2026, 3, 17), tick=False):
        page = api.inbox(head.appointments)
        assert [i.id for i in page.items] == [first.id, second.id, third.id]  # earliest deadline first
        assert page.counts == {"submitted": 2, "accepted": 1}
        assert page.state_labels["accepted"]["en"] == "Accepted"
        by_state = api.inbox(head.appointments, state="accepted")
        assert [i.id for i in by_state.items] == [second.id]
        assert by_state.counts == {"submitted": 2, "accepted": 1}
        assert [i.id for i in api.inbox(head.appointments, service="test-referral").items] == [third.id]
        mine = api.inbox(approver.appointments, actor_account_id=approver.account_id, assigned_to_me=True)
        assert [i.id for i in mine.items] == [third.id]
        assert [i.id for i in api.inbox(head.appointments, due_today=True).items] == [first.id]
        overdue = api.inbox(head.appointments, overdue=True)
        assert [i.id for i in overdue.items] == [first.id, third.id]
        assert [i.overdue for i in page.items] == [True, False, True]
        assert [i.id for i in api.inbox(head.appointments, sort="newest").items] == [
            third.id,
            second.id,
            first.id,
        ]


def test_pages_are_capped(jasur, head):
    for _ in range(3):
        submit(jasur)
    page = api.inbox(head.appointments, limit=2, offset=1)
    assert (page.total, page.limit, page.offset, len(page.items)) == (3, 2, 1, 2)
    assert api.inbox(head.appointments, limit=10_000).limit == 100


def test_the_inbox_costs_the_same_queries_for_any_page_size(jasur, head, django_assert_max_num_queries):
    appointments = head.appointments
    for _ in range(2):
        submit(jasur)
    # A process's first inbox also reads the workflow definitions, which it then keeps.
    with django_assert_max_num_queries(4):
        api.inbox(appointments, limit=2)
    # The workflow versions, the capped counts (per state and of the list) and the rows.
    with django_assert_max_num_queries(3) as small:
        api.inbox(appointments, limit=2)
    for _ in range(25):
        submit(jasur, service="test-referral")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = api.inbox(appointments, limit=50)
    assert len(page.items) == 27


def test_the_citizen_list_costs_the_same_queries_for_any_page_size(jasur, django_assert_max_num_queries):
    submit(jasur)
    # The person, their entities and children; the rows and their workflow versions.
    with django_assert_max_num_queries(5) as small:
        api.my_applications(jasur.account_id)
    for _ in range(15):
        submit(jasur)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.my_applications(jasur.account_id, limit=50).items) == 16


def test_counts_stop_one_past_the_cap(jasur, head, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(3):
        submit(jasur)
    first = api.inbox(head.appointments, limit=2)
    assert (first.total, first.total_capped, first.has_next, len(first.items)) == (2, True, True, 2)
    assert first.counts == {"submitted": 3}  # cap + 1: more than 2
    last = api.inbox(head.appointments, limit=2, offset=2)
    assert (len(last.items), last.has_next) == (1, False)
    assert api.inbox(head.appointments, state="accepted").counts == {"submitted": 3}


def test_the_citizen_list_is_counted_only_past_its_first_page(jasur, django_assert_num_queries):
    for _ in range(3):
        submit(jasur)
    with django_assert_num_queries(5):
        whole = api.my_applications(jasur.account_id, limit=5)
    assert (whole.total, whole.total_capped, whole.has_next) == (3, False, False)
    with django_assert_num_queries(6):
        last = api.my_applications(jasur.account_id, limit=2, offset=2)
    assert (last.total, last.has_next, len(last.items)) == (3, False, 1)
    first = api.my_applications(jasur.account_id, limit=2)
    assert (first.total, first.has_next, len(first.items)) == (3, True, 2)


def test_search_by_number(jasur, head):
    wanted = submit(jasur).application
    submit(jasur)
    assert [i.id for i in api.inbox(head.appointments, query=f" {wanted.number} ").items] == [wanted.id]


def test_search_by_pinfl_is_logged_with_its_purpose(jasur, sherzod, head):
    own = submit(jasur).application
    daughter = identity.children_of(jasur.person_id)[0]
    for_child = submit(jasur, party_kind="child", party_ref=daughter.id).application
    submit(sherzod)
    pinfl = jasur.account.username
    with pytest.raises(api.Invalid) as refused:
        api.inbox(head.appointments, actor_account_id=head.account_id, query=pinfl)
    assert "purpose" in refused.value.errors
    page = api.inbox(
        head.appointments,
        actor_account_id=head.account_id,
        query=pinfl,
        purpose="Citizen called about the application",
        ip="10.0.0.7",
    )
    assert [i.id for i in page.items] == [own.id]  # the child's application is about the child
    assert for_child.subject_person_id == daughter.id
    entry = AuditEntry.objects.filter(action="personal_data_read").latest("seq")
    assert (entry.actor, entry.subject, entry.purpose, entry.ip) == (
        head.account_id,
        jasur.person_id,
        "Citizen called about the application",
        "10.0.0.7",
    )
    assert pinfl not in str(entry.details)


def test_the_citizen_sees_own_entities_and_childrens_applications_newest_first(jasur, sherzod):
    daughter = identity.children_of(jasur.person_id)[0]
    own = submit(jasur).application
    company = submit(jasur, party_kind="entity", party_ref="207123451").application
    for_child = submit(jasur, party_kind="child", party_ref=daughter.id).application
    submit(sherzod)
    page = api.my_applications(jasur.account_id)
    assert [i.id for i in page.items] == [for_child.id, company.id, own.id]
    assert page.items[0].title("en") == "Referral to a state kindergarten (test-permit)"


def test_a_fellow_representative_sees_the_entitys_applications(jasur, dilnoza, sherzod):
    company = submit(jasur, party_kind="entity", party_ref="207123451").application
    assert api.application_for_applicant(company.id, dilnoza.account_id).id == company.id  # its accountant
    assert [i.id for i in api.my_applications(dilnoza.account_id).items] == [company.id]
    assert api.application_for_applicant(company.id, sherzod.account_id) is None
    assert api.my_applications(sherzod.account_id).items == []


def test_status_by_number_and_tracking_code(jasur):
    info = submit(jasur).application
    status = api.status_by_tracking(info.number, info.tracking_code.lower())
    assert (status.number, status.state, status.status("ru")) == (info.number, "submitted", "Подано")
    spelled = info.tracking_code.replace("1", "I").replace("0", "O")
    assert api.status_by_tracking(info.number, f"{spelled[:5]}-{spelled[5:]}") is not None
    assert api.status_by_tracking(info.number, "0000000000") is None
    assert api.status_by_tracking("26-0000-000000", info.tracking_code) is None
    assert api.status_by_tracking("garbage", "x") is None


def test_statistics_by_region_agency_service_and_channel(jasur, sherzod):
    submit(jasur)
    submit(sherzod)
    submit(jasur, service="test-automatic")
    by_region = {row.key: (row.total, row.completed, row.in_progress) for row in api.stats(group_by="region")}
    assert by_region == {"1726": (2, 1, 1), "1718": (1, 0, 1)}
    by_agency = {row.key: row.total for row in api.stats(group_by="agency")}
    assert by_agency == {"maktabgacha": 2, "soliq": 1}
    assert {row.key for row in api.stats(group_by="service")} == {"test-permit", "test-automatic"}
    assert [(row.key, row.total) for row in api.stats(group_by="channel")] == [("online", 3)]
    assert api.stats(group_by="region", date_from=date(2000, 1, 1), date_to=date(2000, 12, 31)) == []
    with pytest.raises(api.Invalid):
        api.stats(group_by="colour")
