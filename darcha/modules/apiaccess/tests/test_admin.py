import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from darcha.modules.apiaccess import api
from darcha.modules.apiaccess.models import ApiClient, ApiKey
from darcha.platform.audit.models import AuditEntry


@pytest.fixture
def operator():
    admin = get_user_model().objects.create_superuser("operator", "a-long-password")
    client = Client()
    client.force_login(admin)
    client.cookies["darcha_lang"] = "en"
    return client, admin


@pytest.mark.django_db
def test_issuing_a_key_shows_the_secret_once(operator, client_id):
    client, admin = operator
    response = client.post(
        "/admin/apiaccess/apikey/add/",
        {"client": str(client_id), "scopes": "catalog:read, applications:write"},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    plaintext = re.search(
        r'id="api-key-plaintext" type="text" readonly size="72" value="([^"]+)"', html
    ).group(1)
    key = ApiKey.objects.get()
    assert plaintext.startswith(key.prefix + ".")
    assert key.scopes == ["applications:write", "catalog:read"]
    assert AuditEntry.objects.get(action="api_key_issue").actor == str(admin.pk)
    assert Client().get("/api/v1/whoami", HTTP_X_API_KEY=plaintext).status_code == 200
    # The key's own page never shows the secret again.
    assert plaintext not in client.get(f"/admin/apiaccess/apikey/{key.pk}/change/").content.decode()


@pytest.mark.django_db
def test_bad_scopes_are_shown_on_the_form(operator, client_id):
    client, _ = operator
    response = client.post("/admin/apiaccess/apikey/add/", {"client": str(client_id), "scopes": "everything"})
    assert response.status_code == 400
    assert "A scope is written as area:action" in response.content.decode()
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_revoking_from_the_key_page(operator, client_id):
    client, admin = operator
    key_id, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
    confirm = client.get(f"/admin/apiaccess/apikey/{key_id}/revoke/")
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    response = client.post(f"/admin/apiaccess/apikey/{key_id}/revoke/")
    assert response.status_code == 302
    assert ApiKey.objects.get(id=key_id).revoked_at is not None
    assert AuditEntry.objects.get(action="api_key_revoke").actor == str(admin.pk)
    assert Client().get("/api/v1/whoami", HTTP_X_API_KEY=plaintext).status_code == 401


@pytest.mark.django_db
def test_revoking_selected_keys_from_the_list(operator, client_id):
    client, _ = operator
    ids = [api.api_key_issue(client_id=client_id, scopes=["catalog:read"])[0] for _ in range(2)]
    response = client.post(
        "/admin/apiaccess/apikey/",
        {"action": "revoke_selected", "_selected_action": [str(key_id) for key_id in ids]},
    )
    assert response.status_code == 302
    assert ApiKey.objects.filter(revoked_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_registering_a_client_checks_the_agency(operator, agency_code):
    client, _ = operator
    refused = client.post("/admin/apiaccess/apiclient/add/", {"agency_code": "nowhere", "name": "Tax system"})
    assert refused.status_code == 200
    assert "There is no agency with the code nowhere." in refused.content.decode()
    assert not ApiClient.objects.exists()
    created = client.post(
        "/admin/apiaccess/apiclient/add/", {"agency_code": agency_code, "name": "Tax system"}
    )
    assert created.status_code == 302
    assert ApiClient.objects.get().name == "Tax system"
    assert AuditEntry.objects.filter(action="api_client_create").count() == 1


@pytest.mark.django_db
def test_key_pages_are_closed_to_non_administrators(client_id):
    staff = get_user_model().objects.create_user("31505901234568", "a-long-password", is_staff=True)
    client = Client()
    client.force_login(staff)
    key_id, _ = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
    assert client.get("/admin/apiaccess/apikey/add/").status_code == 302
    assert client.post(f"/admin/apiaccess/apikey/{key_id}/revoke/").status_code == 302
    assert ApiKey.objects.get(id=key_id).revoked_at is None


@pytest.mark.django_db
def test_renaming_a_client_to_a_taken_name_is_refused_on_the_form(operator, client_id, agency_code):
    client, _ = operator
    other = api.api_client_create(agency_code=agency_code, name="Tax system")
    response = client.post(f"/admin/apiaccess/apiclient/{other}/change/", {"name": "Civil registry system"})
    assert response.status_code == 200
    assert "This agency already has a client with this name." in response.content.decode()
    assert ApiClient.objects.get(id=other).name == "Tax system"


@pytest.mark.django_db
def test_disabling_a_client_is_audited(operator, client_id):
    client, admin = operator
    response = client.post(
        f"/admin/apiaccess/apiclient/{client_id}/change/", {"name": "Civil registry system"}
    )
    assert response.status_code == 302
    assert ApiClient.objects.get(id=client_id).active is False
    entry = AuditEntry.objects.get(action="api_client_update")
    assert entry.actor == str(admin.pk) and entry.details == {"changed": ["active"], "active": False}
