"""The JSON API under /api/v1/applications: the same rules, limits and errors as the pages."""

import uuid

import pytest
from django.test import Client

from darcha.modules.apiaccess import api as apiaccess
from darcha.modules.applications import api
from darcha.modules.applications.tests.conftest import login, png_upload, submit, upload

pytestmark = pytest.mark.django_db

BASE = "/api/v1/applications"


def post(client, path, payload=None, *, key=None, token=None, language=None):
    headers = {
        "Idempotency-Key": key,
        "Authorization": token and f"Bearer {token}",
        "Accept-Language": language,
    }
    headers = {name: value for name, value in headers.items() if value}
    return client.post(f"{BASE}{path}", payload or {}, content_type="application/json", headers=headers)


def system_key(agency: str, *scopes: str) -> str:
    client_id = apiaccess.api_client_create(agency_code=agency, name=f"{agency} {' '.join(scopes)}")
    return apiaccess.api_key_issue(client_id=client_id, scopes=scopes)[1]


def test_a_mobile_app_drafts_uploads_and_submits(client, jasur):
    login(client, jasur)
    created = post(client, "/drafts", {"service": "test-permit", "data": {"purpose": "work"}})
    assert created.status_code == 201
    draft_id = created.json()["id"]
    updated = client.put(
        f"{BASE}/drafts/{draft_id}",
        {"data": {"purpose": "work", "copies": 3}},
        content_type="application/json",
    )
    assert updated.json()["data"] == {"purpose": "work", "copies": 3}
    uploaded = client.post(f"{BASE}/drafts/{draft_id}/documents", {"code": "passport", "file": png_upload()})
    assert uploaded.status_code == 201, uploaded.json()
    assert client.get(f"{BASE}/drafts/{draft_id}").json()["documents"] == {
        "passport": [uploaded.json()["id"]]
    }

    key = str(uuid.uuid4())
    first = post(client, "", {"draft_id": draft_id, "channel": "mobile"}, key=key)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["state"], body["channel"], body["data"]) == (
        "submitted",
        "mobile",
        {"purpose": "work", "copies": 3},
    )
    assert [a["code"] for a in body["actions"]] == ["withdraw"]
    again = post(client, "", {"draft_id": draft_id, "channel": "mobile"}, key=key)
    assert (again.status_code, again.json()["id"]) == (200, body["id"])

    assert client.get(f"{BASE}/{body['id']}").json()["number"] == body["number"]
    assert [t["action"] for t in client.get(f"{BASE}/{body['id']}/timeline").json()] == ["submit"]
    assert client.get(f"{BASE}/mine").json()["items"][0]["id"] == body["id"]
    assert client.get(f"{BASE}/drafts/{draft_id}").status_code == 404


def test_submission_needs_a_well_formed_idempotency_key(client, jasur):
    login(client, jasur)
    payload = {
        "service": "test-permit",
        "data": {"purpose": "work", "copies": 1},
        "documents": {"passport": [upload(jasur)]},
    }
    missing = post(client, "", payload)
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json()["detail"]
    assert post(client, "", payload, key="bad key!").status_code == 400
    assert api.my_applications(jasur.account_id).total == 0


def test_invalid_data_answers_422_with_field_errors_in_the_callers_language(client, jasur):
    login(client, jasur)
    response = post(
        client,
        "",
        {"service": "test-permit", "data": {"purpose": "holiday"}},
        key="key-for-bad-data",
        language="ru",
    )
    assert response.status_code == 422
    body = response.json()
    assert {"purpose", "copies", "documents.passport"} <= set(body["errors"])
    assert body["detail"] == "Исправьте ошибки в форме."
    # A document's message names it, in the caller's language, from the catalog's dictionary.
    assert body["errors"]["documents.passport"] == ["Паспорт: Прикрепите этот документ."]


def test_people_must_sign_in(client, jasur):
    assert post(client, "", {"service": "test-permit"}, key="anonymous-key-1").status_code == 401
    assert client.get(f"{BASE}/mine").status_code == 401
    assert client.get(f"{BASE}/inbox").status_code == 401


def test_someone_elses_application_is_not_found(client, jasur, sherzod):
    info = submit(jasur).application
    login(client, sherzod)
    assert client.get(f"{BASE}/{info.id}").status_code == 404
    assert client.get(f"{BASE}/{info.id}/timeline").status_code == 404
    assert post(client, f"/{info.id}/withdraw", {"expected_version": 1}).status_code == 404
    assert client.get(f"{BASE}/not-an-id").status_code == 404


def test_public_status_needs_no_sign_in(client, jasur):
    info = submit(jasur).application
    found = client.get(
        f"{BASE}/status", {"number": info.number, "code": info.tracking_code}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert found.status_code == 200
    assert (found.json()["status"], found.json()["outcome"]) == ("Submitted", "")
    assert "data" not in found.json()
    assert client.get(f"{BASE}/status", {"number": info.number, "code": "ZZZZZZZZZZ"}).status_code == 404


def test_an_officer_works_the_inbox_through_the_api(client, jasur, receiver, approver):
    info = submit(jasur).application
    login(client, receiver)
    assert client.get(f"{BASE}/inbox").status_code == 403  # signed in without the authenticator step
    login(client, receiver, officer=True)
    inbox = client.get(f"{BASE}/inbox", {"state": "submitted"}).json()
    assert [i["id"] for i in inbox["items"]] == [info.id]
    assert inbox["counts"] == {"submitted": 1}
    assert (inbox["total"], inbox["total_capped"], inbox["has_next"]) == (1, False, False)
    detail = client.get(f"{BASE}/inbox/{info.id}").json()
    assert [a["code"] for a in detail["actions"]] == ["accept", "assign", "forward"]
    accepted = post(client, f"/inbox/{info.id}/actions", {"action": "accept", "expected_version": 1})
    assert (accepted.status_code, accepted.json()["state"]) == (200, "accepted")
    stale = post(client, f"/inbox/{info.id}/actions", {"action": "accept", "expected_version": 1})
    assert stale.status_code == 409
    wrong_role = post(client, f"/inbox/{info.id}/actions", {"action": "approve", "expected_version": 2})
    assert wrong_role.status_code == 403
    bad_field = post(
        client,
        f"/inbox/{info.id}/actions",
        {"action": "forward", "expected_version": 2, "target_agency": "nowhere", "comment": "x"},
    )
    assert (bad_field.status_code, list(bad_field.json()["errors"])) == (422, ["target_agency"])
    noted = post(client, f"/inbox/{info.id}/comments", {"text": "Call the school first."})
    assert noted.status_code == 201
    assert [c["text"] for c in client.get(f"{BASE}/inbox/{info.id}/comments").json()] == [
        "Call the school first."
    ]
    assigned = post(client, "/inbox/assign", {"application_ids": [info.id], "assignee": approver.account_id})
    assert assigned.json() == {"done": [info.id], "refused": {}}
    timeline = client.get(f"{BASE}/inbox/{info.id}/timeline").json()
    assert [t["action"] for t in timeline] == ["submit", "accept", "assign"]


def test_an_officer_outside_the_area_gets_404(client, sherzod, receiver):
    info = submit(sherzod).application
    login(client, receiver, officer=True)
    assert client.get(f"{BASE}/inbox/{info.id}").status_code == 404
    assert (
        post(client, f"/inbox/{info.id}/actions", {"action": "accept", "expected_version": 1}).status_code
        == 404
    )


def test_search_by_pinfl_needs_a_purpose(client, jasur, head):
    submit(jasur)
    login(client, head, officer=True)
    refused = client.get(f"{BASE}/inbox", {"q": jasur.account.username})
    assert refused.status_code == 422 and "purpose" in refused.json()["errors"]
    found = client.get(f"{BASE}/inbox", {"q": jasur.account.username, "purpose": "Phone enquiry"})
    assert found.json()["total"] == 1


def test_an_agency_system_uses_an_api_key_with_scopes(client, jasur):
    info = submit(jasur).application
    reader = system_key("maktabgacha", "applications:read")
    writer = system_key("maktabgacha", "applications:read", "applications:write")
    outsider = system_key("adliya", "applications:read", "applications:write")
    assert client.get(f"{BASE}/inbox", headers={"X-API-Key": "dk_bad.key"}).status_code == 401
    listed = client.get(f"{BASE}/inbox", headers={"Authorization": f"Bearer {reader}"})
    assert [i["id"] for i in listed.json()["items"]] == [info.id]
    action = {"action": "accept", "expected_version": 1}
    assert post(client, f"/inbox/{info.id}/actions", action, token=reader).status_code == 403
    assert post(client, f"/inbox/{info.id}/actions", action, token=outsider).status_code == 404
    done = post(client, f"/inbox/{info.id}/actions", action, token=writer)
    assert (done.status_code, done.json()["state"]) == (200, "accepted")
    assert (
        api.timeline(api.application_for_applicant(info.id, jasur.account_id))[-1].actor_kind
        == "agency_system"
    )


def test_the_applicant_withdraws_amends_and_rates_through_the_api(client, jasur, receiver, approver):
    info = submit(jasur).application
    login(client, jasur)
    assert post(client, f"/{info.id}/rating", {"stars": 5}).status_code == 409
    info = api.act(
        application_id=info.id,
        action="accept",
        actor_account_id=receiver.account_id,
        expected_version=1,
        appointments=receiver.appointments,
    )
    info = api.act(
        application_id=info.id,
        action="request_info",
        actor_account_id=approver.account_id,
        expected_version=2,
        appointments=approver.appointments,
        comment="Two copies, please.",
    )
    bad = post(client, f"/{info.id}/amend", {"expected_version": 3, "data": {"purpose": "work", "copies": 0}})
    assert (bad.status_code, list(bad.json()["errors"])) == (422, ["copies"])
    amended = post(
        client, f"/{info.id}/amend", {"expected_version": 3, "data": {"purpose": "work", "copies": 2}}
    )
    assert (amended.status_code, amended.json()["state"]) == (200, "resubmitted")
    withdrawn = post(
        client, f"/{info.id}/withdraw", {"expected_version": 4, "comment": "Not needed any more."}
    )
    assert (withdrawn.json()["state"], withdrawn.json()["decision"]["code"]) == ("withdrawn", "withdrawn")
    assert post(client, f"/{info.id}/withdraw", {"expected_version": 5}).status_code == 409
    assert post(client, f"/{info.id}/rating", {"stars": 5}).status_code == 409  # withdrawn, not completed


def test_the_openapi_document_describes_the_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    submit_operation = schema["paths"][BASE]["post"]
    headers = [p["name"] for p in submit_operation["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    for path in (
        "/drafts",
        "/inbox",
        "/inbox/{application_id}/actions",
        "/status",
        "/{application_id}/timeline",
    ):
        assert f"{BASE}{path}" in schema["paths"]


# --- One error shape ------------------------------------------------------------------------------


def test_every_refusal_of_the_api_has_one_shape(client, jasur):
    """Ninja's own validation, a module's refusal, a missing session and a missing route alike."""
    login(client, jasur)
    invalid = post(client, "/drafts", {"service": 5, "data": "none"}, language="ru")
    refused = post(client, "/drafts", {"service": "no-such-service"}, language="ru")
    client.logout()
    anonymous = client.get("/api/v1/identity/me", headers={"Accept-Language": "ru"})
    nowhere = client.get("/api/v1/nothing-here", headers={"Accept-Language": "ru"})
    for response in (invalid, refused, anonymous, nowhere):
        body = response.json()
        assert set(body) == {"status", "detail", "errors"}, body
        assert body["status"] == response.status_code >= 400 and body["detail"]
    assert invalid.status_code == 422
    assert invalid.json()["errors"] == {"service": ["Введите текст."], "data": ["Передайте здесь объект."]}
    assert refused.status_code == 404 and refused.json()["errors"] == {}
    assert anonymous.status_code == 401


def test_the_openapi_document_names_the_error_schema_on_every_refusal(client):
    document = client.get("/api/v1/openapi.json").json()
    shape = document["components"]["schemas"]["ErrorOut"]
    assert set(shape["properties"]) == {"status", "detail", "errors"}
    refusals = {
        (path, method, status): response["content"]["application/json"]["schema"]["$ref"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status.startswith("4")
    }
    assert set(refusals.values()) == {"#/components/schemas/ErrorOut"}
    # Validation and sign-in refusals are described wherever they can happen, not only where declared.
    assert {("/api/v1/identity/me", "get", "401"), ("/api/v1/services", "get", "422")} <= set(refusals)
    assert ("/api/v1/applications/{application_id}/withdraw", "post", "409") in refusals


def test_a_session_route_without_a_session_is_refused_in_the_callers_language():
    response = Client(enforce_csrf_checks=True).post(
        BASE, {}, content_type="application/json", headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 403
    assert response.json() == {"status": 403, "detail": "У вас нет доступа к этому.", "errors": {}}
