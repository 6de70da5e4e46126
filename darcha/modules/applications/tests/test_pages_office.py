"""The back office through Django's test client: the inbox within the officer's agency and
area, the application page, decisions, comments and every refusal."""

import re

import pytest
from django.urls import reverse

from darcha.modules.applications import api, selectors
from darcha.modules.applications.tests.conftest import login, submit
from darcha.modules.applications.views import office
from darcha.modules.identity import api as identity
from darcha.platform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

INBOX = "/office/applications/"
# Session, account and its last-seen mark; the officer's appointments once; the workflow
# versions, the capped counts and the rows; the colleagues to assign to (two queries per
# role) and their names. Reference data is read once per process.
QUERIES_CAP = 26


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


def page(number: str, tail: str = "") -> str:
    return f"/office/applications/{number}/{tail}"


def version_of(response) -> str:
    return re.search(r'name="version" value="(\d+)"', response.content.decode())[1]


def act(who, info, action, **fields):
    return api.act(
        application_id=info.id,
        action=action,
        actor_account_id=who.account_id,
        expected_version=info.version,
        appointments=who.appointments,
        **fields,
    )


def test_the_inbox_is_for_officers_with_a_verified_second_factor(client, jasur, receiver):
    assert client.get(INBOX).status_code == 302  # to sign-in
    login(client, jasur)
    assert client.get(INBOX).status_code == 403
    login(client, receiver)
    assert reverse("identity:totp") in client.get(INBOX)["Location"]


def test_the_inbox_shows_the_agency_and_area_with_counts(client, jasur, sherzod, receiver):
    mine = submit(jasur).application
    elsewhere = submit(sherzod).application  # Samarqand: outside a Tashkent receiver's area
    login(client, receiver, officer=True)
    html = client.get(INBOX).content.decode()
    assert mine.number in html and elsewhere.number not in html
    assert re.search(r"Submitted</a> <span class=\"badge\">1</span>", html)
    assert 'name="ids"' in html  # a receiver may assign


def test_inbox_queries_do_not_grow_with_the_rows(client, jasur, receiver, django_assert_max_num_queries):
    submit(jasur)
    login(client, receiver, officer=True)
    with django_assert_max_num_queries(QUERIES_CAP) as few:
        client.get(INBOX)
    for _ in range(8):
        submit(jasur)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert response.content.decode().count('name="ids"') == 9


def test_long_lists_show_capped_counts_and_pages_without_a_page_count(client, jasur, receiver, monkeypatch):
    monkeypatch.setattr(office, "PER_PAGE", 2)
    numbers = [submit(jasur).application.number for _ in range(3)]
    login(client, receiver, officer=True)
    counted = client.get(INBOX).content.decode()
    assert re.search(r"Submitted</a> <span class=\"badge\">3</span>", counted)
    assert "Page 1 of 2" in counted
    for module in (selectors, office):
        monkeypatch.setattr(module, "COUNT_CAP", 2)
    first = client.get(INBOX).content.decode()
    assert 'Submitted</a> <span class="badge"><abbr title="more than 2">2+</abbr></span>' in first
    assert numbers[0] in first and numbers[2] not in first
    assert "Page 1 ·" in first and "Page 1 of" not in first and 'rel="next"' in first
    last = client.get(INBOX, {"page": "2"}).content.decode()
    assert numbers[2] in last and 'rel="prev"' in last and 'rel="next"' not in last
    client.cookies["darcha_lang"] = "ru"
    assert '<abbr title="более 2">2+</abbr>' in client.get(INBOX).content.decode()


def test_filters_narrow_the_inbox(client, jasur, receiver, approver):
    first, second = submit(jasur).application, submit(jasur).application
    act(receiver, second, "assign", assignee=receiver.account_id)
    login(client, receiver, officer=True)
    html = client.get(INBOX, {"mine": "on"}).content.decode()
    assert second.number in html and first.number not in html
    by_state = client.get(INBOX, {"state": "accepted"}).content.decode()
    assert first.number not in by_state
    ignored = client.get(INBOX, {"sort": "sideways"})  # a wrong filter value is ignored
    assert ignored.status_code == 200 and first.number in ignored.content.decode()


def test_searching_by_pinfl_needs_a_purpose_and_is_audited(client, jasur, receiver):
    info = submit(jasur).application
    pinfl = identity.person(jasur.person_id).pinfl
    login(client, receiver, officer=True)
    refused = client.post(INBOX, {"action": "search", "q": pinfl, "purpose": ""})
    assert refused.status_code == 422
    assert "State why you search by PINFL." in refused.content.decode()
    assert not AuditEntry.objects.filter(action="personal_data_read", subject=jasur.person_id).exists()
    found = client.post(INBOX, {"action": "search", "q": pinfl, "purpose": "Citizen called the hotline"})
    assert found.status_code == 200 and info.number in found.content.decode()
    entry = AuditEntry.objects.get(action="personal_data_read", subject=jasur.person_id)
    assert entry.purpose == "Citizen called the hotline" and entry.actor == receiver.account_id
    by_number = client.post(INBOX, {"action": "search", "q": info.number})
    assert info.number in by_number.content.decode()


def test_bulk_assign_gives_the_chosen_ones_to_an_officer_of_the_agency(client, jasur, receiver, approver):
    first, _second, third = (submit(jasur).application for _ in range(3))
    login(client, receiver, officer=True)
    html = client.get(INBOX).content.decode()
    assert f'<option value="{approver.account_id}"' in html  # colleagues of the agency are offered
    empty = client.post(INBOX, {"action": "assign", "assignee": approver.account_id})
    assert empty.status_code == 422 and "Choose at least one application" in empty.content.decode()
    nobody = client.post(INBOX, {"action": "assign", "ids": [first.id]})
    assert nobody.status_code == 422 and "Choose the officer" in nobody.content.decode()
    done = client.post(
        INBOX, {"action": "assign", "ids": [first.id, third.id], "assignee": approver.account_id}
    )
    assert done.status_code == 303
    theirs = api.inbox(approver.appointments, actor_account_id=approver.account_id, assigned_to_me=True)
    assert {i.id for i in theirs.items} == {first.id, third.id}
    assert "Applications assigned: 2." in client.get(done["Location"]).content.decode()


def test_assigning_to_someone_outside_the_agency_is_refused_per_application(
    client, jasur, receiver, other_agency
):
    info = submit(jasur).application
    login(client, receiver, officer=True)
    done = client.post(INBOX, {"action": "assign", "ids": [info.id], "assignee": other_agency.account_id})
    assert done.status_code == 303
    assert f"{info.number} was not assigned" in client.get(done["Location"]).content.decode()
    assert api.application_for_officer(info.id, receiver.appointments).assignee_id is None


def test_an_application_outside_the_agency_or_area_is_not_found(
    client, jasur, sherzod, receiver, other_agency
):
    tashkent, samarqand = submit(jasur).application, submit(sherzod).application
    login(client, receiver, officer=True)
    assert client.get(page(samarqand.number)).status_code == 404
    assert (
        client.post(page(samarqand.number, "act/"), {"action": "accept", "version": "1"}).status_code == 404
    )
    assert client.post(page(samarqand.number, "comment/"), {"text": "x"}).status_code == 404
    assert client.get(page("26-1726-999999")).status_code == 404  # the same for one that does not exist
    login(client, other_agency, officer=True)
    assert client.get(page(tashkent.number)).status_code == 404


def test_the_application_page_shows_everything_and_logs_the_read(client, jasur, receiver):
    info = submit(jasur).application
    login(client, receiver, officer=True)
    response = client.get(page(info.number))
    html = response.content.decode()
    person = identity.person(jasur.person_id)
    assert person.pinfl in html and "Karimov" in html  # the applicant
    assert "Purpose" in html and "Work" in html  # the answers as a person reads them
    image = re.search(r'<img src="(/files/[^"]+)"', html)[1]  # the scan previewed in the page
    assert client.get(image)["Content-Type"] == "image/png"
    assert "Working days left" in html
    assert 'value="accept"' in html and 'value="approve"' not in html  # only what a receiver may do now
    assert AuditEntry.objects.filter(
        action="personal_data_read", subject=jasur.person_id, purpose="application_handling"
    ).exists()


def test_a_decision_with_missing_fields_is_refused_with_errors(client, jasur, receiver, approver):
    info = act(receiver, submit(jasur).application, "accept")
    login(client, approver, officer=True)
    version = version_of(client.get(page(info.number)))
    response = client.post(page(info.number, "act/"), {"action": "reject", "version": version})
    assert response.status_code == 422
    html = response.content.decode()
    assert "error-summary" in html and "Choose one of the reasons." in html
    assert api.application_for_officer(info.id, approver.appointments).state == "accepted"


def test_a_stale_decision_gets_409_and_a_forbidden_one_403(client, jasur, receiver, approver):
    info = submit(jasur).application
    login(client, receiver, officer=True)
    version = version_of(client.get(page(info.number)))
    assert client.post(page(info.number, "act/"), {"action": "accept", "version": version}).status_code == 303
    again = client.post(page(info.number, "act/"), {"action": "accept", "version": version})
    assert again.status_code == 409 and "not possible" in again.content.decode()
    forbidden = client.post(
        page(info.number, "act/"), {"action": "start_review", "version": str(int(version) + 1)}
    )
    assert forbidden.status_code == 403


def test_officers_request_information_and_decide(client, jasur, receiver, approver):
    info = act(receiver, submit(jasur).application, "accept")
    login(client, approver, officer=True)
    version = version_of(client.get(page(info.number)))
    asked = client.post(
        page(info.number, "act/"),
        {"action": "request_info", "version": version, "comment": "Bring the original passport."},
    )
    assert asked.status_code == 303
    assert api.application_for_officer(info.id, approver.appointments).state == "info_requested"
    assert "The deadline clock is stopped" in client.get(page(info.number)).content.decode()


def test_internal_comments_stay_inside(client, jasur, receiver):
    info = submit(jasur).application
    login(client, receiver, officer=True)
    empty = client.post(page(info.number, "comment/"), {"text": ""})
    assert empty.status_code == 422 and "error-summary" in empty.content.decode()
    assert client.post(page(info.number, "comment/"), {"text": "Check the stamp"}).status_code == 303
    assert "Check the stamp" in client.get(page(info.number)).content.decode()
    login(client, jasur)
    assert "Check the stamp" not in client.get(f"/cabinet/applications/{info.number}/").content.decode()
