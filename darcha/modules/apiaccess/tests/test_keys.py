from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from darcha.modules.apiaccess import api
from darcha.modules.apiaccess.models import ApiClient, ApiKey
from darcha.platform import audit
from darcha.platform.audit.models import AuditEntry

URLS = "darcha.modules.apiaccess.tests.urls"


def caller(language: str = "en") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.django_db
class TestIssue:
    def test_the_plaintext_is_returned_once_and_only_its_hash_is_kept(self, client_id):
        key_id, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        key = ApiKey.objects.get(id=key_id)
        assert plaintext.startswith(f"{key.prefix}.")
        assert len(plaintext) > 50
        assert plaintext not in key.secret_hash and key.secret_hash != plaintext
        assert len(key.secret_hash) == 64
        assert key.scopes == ["catalog:read"]

    def test_every_key_is_different(self, client_id):
        keys = {api.api_key_issue(client_id=client_id, scopes=["catalog:read"])[1] for _ in range(5)}
        assert len(keys) == 5

    def test_issue_and_revoke_are_audited_without_the_secret(self, client_id):
        key_id, plaintext = api.api_key_issue(
            client_id=client_id, scopes=["catalog:read"], actor="operator-1"
        )
        api.api_key_revoke(key_id=key_id, actor="operator-2")
        issued = AuditEntry.objects.get(action="api_key_issue", subject=str(key_id))
        revoked = AuditEntry.objects.get(action="api_key_revoke", subject=str(key_id))
        assert issued.actor == "operator-1" and revoked.actor == "operator-2"
        assert issued.details["scopes"] == ["catalog:read"]
        assert plaintext not in str(issued.details) and plaintext.split(".")[1] not in str(issued.details)
        assert audit.verify() == []

    def test_scopes_are_cleaned(self, client_id):
        key_id, _ = api.api_key_issue(
            client_id=client_id, scopes=[" catalog:read", "applications:write", "catalog:read", ""]
        )
        assert ApiKey.objects.get(id=key_id).scopes == ["applications:write", "catalog:read"]

    @pytest.mark.parametrize("scopes", [[], [""], ["catalog"], ["Catalog:Read"], ["catalog:read", "rm -rf"]])
    def test_bad_scopes_are_refused(self, client_id, scopes):
        with pytest.raises(api.ApiAccessError) as refused:
            api.api_key_issue(client_id=client_id, scopes=scopes)
        assert refused.value.field == "scopes"
        assert not ApiKey.objects.exists()

    def test_an_expiry_in_the_past_is_refused(self, client_id):
        with pytest.raises(api.ApiAccessError) as refused:
            api.api_key_issue(
                client_id=client_id, scopes=["catalog:read"], expires_at=timezone.now() - timedelta(1)
            )
        assert refused.value.field == "expires_at"

    def test_an_unknown_client_is_not_found(self, agency_code):
        import uuid

        with pytest.raises(api.NotFound):
            api.api_key_issue(client_id=uuid.uuid4(), scopes=["catalog:read"])

    def test_a_disabled_client_gets_no_keys(self, client_id):
        api.api_client_update(client_id=client_id, name="Civil registry system", active=False)
        with pytest.raises(api.Conflict):
            api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        assert not ApiKey.objects.exists()


@pytest.mark.django_db
class TestClients:
    def test_the_agency_must_exist(self, agency_code):
        with pytest.raises(api.ApiAccessError) as refused:
            api.api_client_create(agency_code="no-such-agency", name="X")
        assert refused.value.field == "agency_code"
        assert not ApiClient.objects.exists()

    def test_names_are_unique_within_an_agency(self, client_id, agency_code):
        with pytest.raises(api.Conflict):
            api.api_client_create(agency_code=agency_code, name=" Civil registry system ")

    def test_a_name_is_required(self, agency_code):
        with pytest.raises(api.ApiAccessError) as refused:
            api.api_client_create(agency_code=agency_code, name="  ")
        assert refused.value.field == "name"


@pytest.mark.django_db
class TestWhoAmI:
    def test_a_valid_key_in_the_bearer_header(self, client_id, agency_code):
        key_id, plaintext = api.api_key_issue(
            client_id=client_id, scopes=["catalog:read", "applications:write"]
        )
        response = caller().get("/api/v1/whoami", **bearer(plaintext))
        assert response.status_code == 200
        body = response.json()
        assert body["client"] == "Civil registry system"
        assert body["agency"] == agency_code
        assert body["scopes"] == ["applications:write", "catalog:read"]
        assert body["key_prefix"] == plaintext.split(".")[0]
        assert ApiKey.objects.get(id=key_id).last_used_at is not None

    def test_last_use_is_written_at_most_once_a_minute(self, client_id):
        key_id, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        caller().get("/api/v1/whoami", **bearer(plaintext))
        first = ApiKey.objects.get(id=key_id).last_used_at
        caller().get("/api/v1/whoami", **bearer(plaintext))
        assert ApiKey.objects.get(id=key_id).last_used_at == first
        ApiKey.objects.filter(id=key_id).update(last_used_at=first - timedelta(minutes=2))
        caller().get("/api/v1/whoami", **bearer(plaintext))
        assert ApiKey.objects.get(id=key_id).last_used_at > first

    def test_the_bearer_scheme_is_case_insensitive(self, client_id):
        _, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        response = caller().get("/api/v1/whoami", HTTP_AUTHORIZATION=f"bearer {plaintext}")
        assert response.status_code == 200

    def test_a_valid_key_in_the_x_api_key_header(self, client_id):
        _, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        response = caller().get("/api/v1/whoami", HTTP_X_API_KEY=plaintext)
        assert response.status_code == 200
        assert response.json()["client"] == "Civil registry system"

    def test_no_key_is_401_with_a_message_and_a_challenge(self):
        response = caller().get("/api/v1/whoami")
        assert response.status_code == 401
        assert "X-API-Key" in response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize("presented", ["nonsense", "dk_000000000000.abc", "Bearer", "x" * 500])
    def test_unknown_keys_are_401(self, client_id, presented):
        api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        response = caller().get("/api/v1/whoami", HTTP_X_API_KEY=presented)
        assert response.status_code == 401
        assert response.json() == {"status": 401, "detail": "This API key is not valid.", "errors": {}}

    def test_the_right_prefix_with_a_wrong_secret_is_401(self, client_id):
        _, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        forged = plaintext[:-4] + ("AAAA" if not plaintext.endswith("AAAA") else "BBBB")
        response = caller().get("/api/v1/whoami", **bearer(forged))
        assert response.status_code == 401

    def test_a_revoked_key_is_401_at_once(self, client_id):
        key_id, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        assert caller().get("/api/v1/whoami", **bearer(plaintext)).status_code == 200
        assert api.api_key_revoke(key_id=key_id) is True
        response = caller().get("/api/v1/whoami", **bearer(plaintext))
        assert response.status_code == 401
        assert response.json() == {"status": 401, "detail": "This API key has been revoked.", "errors": {}}
        assert api.api_key_revoke(key_id=key_id) is False

    def test_an_expired_key_is_401(self, client_id):
        key_id, plaintext = api.api_key_issue(
            client_id=client_id, scopes=["catalog:read"], expires_at=timezone.now() + timedelta(days=1)
        )
        assert caller().get("/api/v1/whoami", **bearer(plaintext)).status_code == 200
        ApiKey.objects.filter(id=key_id).update(expires_at=timezone.now() - timedelta(seconds=1))
        response = caller().get("/api/v1/whoami", **bearer(plaintext))
        assert response.status_code == 401
        assert response.json() == {"status": 401, "detail": "This API key has expired.", "errors": {}}

    def test_a_key_of_a_disabled_client_is_401(self, client_id):
        _, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        api.api_client_update(client_id=client_id, name="Civil registry system", active=False)
        assert caller().get("/api/v1/whoami", **bearer(plaintext)).status_code == 401

    def test_refusals_are_in_the_callers_language(self, client_id):
        key_id, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        api.api_key_revoke(key_id=key_id)
        response = caller("ru").get("/api/v1/whoami", **bearer(plaintext))
        assert response.json() == {"status": 401, "detail": "Этот API-ключ отозван.", "errors": {}}


@pytest.mark.django_db
@pytest.mark.urls(URLS)
class TestScopes:
    def test_a_key_with_the_scope_passes(self, client_id):
        _, plaintext = api.api_key_issue(client_id=client_id, scopes=["catalog:read"])
        response = caller().get("/api/test/catalog-only", **bearer(plaintext))
        assert response.status_code == 200
        assert response.json() == {"client": "Civil registry system"}

    def test_a_key_without_the_scope_is_403(self, client_id):
        _, plaintext = api.api_key_issue(client_id=client_id, scopes=["applications:write"])
        response = caller().get("/api/test/catalog-only", **bearer(plaintext))
        assert response.status_code == 403
        assert response.json() == {
            "status": 403,
            "detail": "This API key does not have the scope catalog:read.",
            "errors": {},
        }

    def test_no_key_is_still_401_not_403(self):
        assert caller().get("/api/test/catalog-only").status_code == 401

    def test_endpoints_announce_the_scopes_they_need(self):
        assert "catalog:read" in api.known_scopes()


@pytest.mark.django_db
@pytest.mark.urls(URLS)
class TestErrorFormat:
    def test_invalid_fields_are_422_with_each_field_named(self):
        response = caller().post(
            "/api/test/births",
            {"child_name": "Aziz", "weight_grams": "heavy"},
            content_type="application/json",
        )
        assert response.status_code == 422
        body = response.json()
        assert body["detail"] == "Some of the data sent is not valid."
        assert body["status"] == 422
        # Keyed by the path in the body sent, not by where ninja found it.
        assert body["errors"] == {"weight_grams": ["Enter a whole number."]}

    def test_a_body_that_is_not_json_is_400_in_the_callers_language(self):
        response = caller("ru").post("/api/test/births", "{not json", content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"status": 400, "detail": "Некорректный запрос.", "errors": {}}

    def test_unknown_api_address_is_json_404(self):
        response = caller().get("/api/test/nothing-here")
        assert response.status_code == 404
        assert response.json() == {
            "status": 404,
            "detail": "Nothing was found at this address.",
            "errors": {},
        }


@pytest.mark.django_db
def test_openapi_document_describes_whoami_and_its_key():
    response = caller().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/whoami" in schema["paths"]
    assert schema["paths"]["/api/v1/whoami"]["get"]["security"] == [{"ApiKeyAuth": []}]
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_docs_page_lists_operations_without_scripts():
    response = caller().get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/api/v1/openapi.json"' in html
    assert "/api/v1/whoami" in html
    assert "<script" not in html
