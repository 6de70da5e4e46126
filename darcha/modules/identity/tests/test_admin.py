import pytest

from darcha.modules.identity import api
from darcha.modules.identity.models import Account, OfficerAppointment
from darcha.modules.identity.tests.conftest import make_account, make_officer
from darcha.platform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ADD = "/admin/identity/officerappointment/add/"


@pytest.fixture
def operator(client):
    root = Account.objects.create_superuser("root", "Root-password-1")
    client.force_login(root)
    client.cookies["darcha_lang"] = "en"
    return root


def test_an_operator_appoints_an_officer_and_changes_roles(client, operator):
    person = make_account().person
    response = client.post(
        ADD,
        {"pinfl": person.pinfl, "agency_code": "maktabgacha", "scope_code": "1726", "roles": ["receiver"]},
    )
    assert response.status_code == 302
    appointment = OfficerAppointment.objects.get(person=person)
    change = f"/admin/identity/officerappointment/{appointment.pk}/change/"
    assert client.post(change, {"roles": ["receiver", "head"]}).status_code == 302
    assert api.officer_for(person.account_id)[0].roles == ("head", "receiver")
    entries = AuditEntry.objects.filter(action="role_changed", actor=str(operator.pk)).order_by("seq")
    assert [e.details["added"] for e in entries] == [["receiver"], ["head"]]


def test_bad_appointments_are_shown_on_the_form(client, operator):
    response = client.post(
        ADD, {"pinfl": "31505901234568", "agency_code": "maktabgacha", "scope_code": "1799"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "No person with this PINFL is registered." in errors["pinfl"]
    assert "roles" in errors
    assert not OfficerAppointment.objects.exists()


def test_dismissal_is_audited(client, operator):
    officer = make_officer(("approver",))
    appointment = OfficerAppointment.objects.get()
    response = client.post(f"/admin/identity/officerappointment/{appointment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert api.officer_for(officer.pk) == []
    entry = AuditEntry.objects.filter(action="role_changed").order_by("seq").last()
    assert entry.details["removed"] == ["approver"] and entry.actor == str(operator.pk)


def test_citizens_cannot_open_the_operator_pages(client):
    client.force_login(make_account())
    assert client.get(ADD).status_code == 302
