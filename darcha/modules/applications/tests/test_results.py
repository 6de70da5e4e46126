"""Result documents: the decision letter made once per decided application, in the applicant's
language, and downloaded only by those who may see the application."""

import io

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fontTools.ttLib import TTFont

from darcha.modules.applications import api, handlers, results
from darcha.modules.applications import events as app_events
from darcha.modules.applications.models import Application
from darcha.modules.applications.tests.conftest import child, login, submit
from darcha.modules.documents import api as documents
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.platform.audit.models import AuditEntry
from darcha.platform.events import Event
from darcha.platform.events.models import Delivery, OutboxEvent
from darcha.platform.events.operations import replay
from darcha.platform.events.worker import drain

pytestmark = pytest.mark.django_db

BASE = "/api/v1/applications"
MAKE_RESULT = f"{handlers.make_result.__module__}.{handlers.make_result.__qualname__}"


def act(who, info, action, **fields):
    return api.act(
        application_id=info.id,
        action=action,
        actor_account_id=who.account_id,
        expected_version=info.version,
        appointments=who.appointments,
        **fields,
    )


def approved(jasur, receiver, approver, **submitted):
    info = act(receiver, submit(jasur, **submitted).application, "accept")
    info = act(approver, info, "start_review")
    return act(approver, info, "approve", comment="All in order.")


def rejected(jasur, receiver, approver):
    info = act(receiver, submit(jasur).application, "accept")
    info = act(approver, info, "start_review")
    return act(approver, info, "reject", reason_code="not_eligible", comment="Registered in another region.")


def broken_pdf(letter):
    raise OSError("font missing")


def download(response) -> bytes:
    data = b"".join(response.streaming_content)
    # The test client closes its responses; one taken from the api directly is closed here, and
    # not with response.close(), which outside a request would close the database connection.
    if response.file_to_stream is not None:
        response.file_to_stream.close()
    return data


def pdf_text(data: bytes) -> str:
    """The PDF's words, with lines joined: table cells wrap where the width ends."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def letter_text(info) -> str:
    """The text of the application's letter, as its applicant downloads it."""
    own = api.application_for_applicant(info.id, info.applicant_account_id)
    return pdf_text(download(api.result_response(own)))


def test_an_approval_letter_is_in_the_applicants_cyrillic_uzbek(jasur, receiver, approver):
    identity.account_set_language(jasur.account_id, "uz-cyrl")
    info = approved(jasur, receiver, approver)
    assert api.result_state(info) == "pending"
    drain()
    info = api.application_for_applicant(info.id, jasur.account_id)
    assert api.result_state(info) == "ready"
    text = letter_text(info)
    name = identity.person(jasur.person_id).full_name("uz-cyrl")
    assert any("\u0400" <= letter <= "\u04ff" for letter in name)
    for expected in (
        info.number,
        name,
        "Аризани қаноатлантириш тўғрисида қарор",
        "Ижобий ҳал қилинди",  # the workflow's name of the final state
        "All in order.",
        "идора ходими",  # who decided: the kind of actor, never the officer's name
        f"number={info.number}",  # the link the QR code carries
    ):
        assert expected in text
    assert identity.person_for_account(approver.account_id).full_name("uz-cyrl") not in text
    assert identity.person_for_account(approver.account_id).full_name("uz") not in text


@pytest.mark.parametrize("style", list(results.FONT_FILES))
def test_the_cut_font_keeps_every_letter_of_both_scripts(style):
    covered = TTFont(results.letter_font(style)).getBestCmap()
    alphabet = "ABCabcOʻoʻGʻgʻ‘’«»–—№ АБВабвЁёЎўҒғҚқҲҳЖжЩщЪъЭэЮюЯя"
    assert [letter for letter in alphabet if ord(letter) not in covered] == []


def test_a_refusal_letter_carries_the_reason_and_the_comment(jasur, receiver, approver):
    identity.account_set_language(jasur.account_id, "ru")
    info = rejected(jasur, receiver, approver)
    drain()
    text = letter_text(info)
    for expected in (
        "Решение об отказе в удовлетворении заявления",
        "Нет права на услугу",
        "Registered in another region.",
        identity.person(jasur.person_id).full_name("ru"),
        info.number,
    ):
        assert expected in text


def test_the_applicant_is_told_once_when_the_letter_is_ready(jasur, receiver, approver):
    identity.account_set_language(jasur.account_id, "en")
    info = approved(jasur, receiver, approver)
    drain()
    titles = [m.title for m in notifications.inbox_for(jasur.account_id)]
    assert titles[0] == f"Decision on application {info.number}: Approved"
    assert not any(title.startswith(f"Application {info.number}: Approved") for title in titles)


def test_a_replayed_delivery_makes_no_second_letter_nor_message(jasur, receiver, approver):
    info = approved(jasur, receiver, approver)
    drain()
    event = OutboxEvent.objects.get(type="applications.transitioned", payload__to_state="approved")
    handlers.make_result(Event(event.id, event.type, event.payload, event.occurred_at))
    handlers.make_result(Event(event.id, event.type, event.payload, event.occurred_at))
    assert len(documents.documents_of_owner(f"application:{info.id}")) == 1
    messages = notifications.inbox_for(jasur.account_id)
    assert sum(info.number in m.title and "Ijobiy hal qilindi" in m.title for m in messages) == 1


def test_a_failure_leaves_nothing_and_the_delivery_is_retried(jasur, receiver, approver, monkeypatch):
    monkeypatch.setattr(results, "letter_pdf", broken_pdf)
    info = approved(jasur, receiver, approver)
    drain()
    delivery = Delivery.objects.get(handler=MAKE_RESULT, event__payload__to_state="approved")
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert Application.objects.get(id=info.id).result_document_id == ""
    assert documents.documents_of_owner(f"application:{info.id}") == []
    monkeypatch.undo()
    assert results.result_produce(application_id=info.id) is True
    assert results.result_produce(application_id=info.id) is False


def test_withdrawn_and_open_applications_have_no_letter(jasur, receiver):
    info = submit(jasur).application
    assert api.result_state(info) == ""
    info = api.withdraw(application_id=info.id, account_id=jasur.account_id, expected_version=info.version)
    drain()
    assert api.result_state(info) == ""
    assert documents.documents_of_owner(f"application:{info.id}") == []
    with pytest.raises(api.NotFound):
        api.result_response(info)


def test_referral_appointment_and_automatic_decisions_get_their_letters(jasur, receiver, approver):
    identity.account_set_language(jasur.account_id, "en")
    referral = act(receiver, submit(jasur, service="test-referral").application, "queue")
    referral = act(approver, referral, "issue_referral", place="Kindergarten No. 12, Chilonzor")
    booked = submit(jasur, service="test-appointment").application
    booked = act(receiver, booked, "book", appointment_at="2099-05-04T10:30:00+05:00", place="DXM Chilonzor")
    automatic = submit(jasur, service="test-automatic", data={"purpose": "other", "copies": 1}).application
    drain()
    assert "Kindergarten No. 12, Chilonzor" in letter_text(referral)
    assert "Referral" in letter_text(referral)
    text = letter_text(booked)
    for expected in ("Invitation to an appointment", "DXM Chilonzor", "04.05.2099 10:30"):  # Tashkent time
        assert expected in text
    text = letter_text(automatic)
    assert "Conditions not met" in text
    assert "Darcha, automatically, by the service’s rules" in text


def test_a_letter_for_a_child_names_the_parent_and_the_child(
    jasur, receiver, approver, relations, monkeypatch
):
    identity.account_set_language(jasur.account_id, "en")
    kid = child(jasur)
    relations.children[jasur.person_id] = [kid]
    known = identity.person
    monkeypatch.setattr(
        identity, "person", lambda person_id: kid if person_id == kid.id else known(person_id)
    )
    info = approved(jasur, receiver, approver, party_kind="child", party_ref=kid.id)
    drain()
    text = letter_text(info)
    assert identity.person(jasur.person_id).full_name("en") in text
    assert "On behalf of Karimova Madina" in text


# --- Letters that never came: the periodic catch-up ---------------------------------------------------


def letters_of(info) -> int:
    return len(documents.documents_of_owner(f"application:{info.id}"))


def told_ready(info) -> int:
    """How many "decided, the letter is ready" messages the applicant (in English) has."""
    title = f"Decision on application {info.number}: Approved"
    return sum(m.title == title for m in notifications.inbox_for(info.applicant_account_id))


def test_the_catch_up_asks_the_letter_handler_by_its_name():
    assert results.LETTER_HANDLER == MAKE_RESULT


def test_a_decision_made_before_letters_existed_gets_its_letter_from_the_periodic_run(
    jasur, receiver, approver
):
    identity.account_set_language(jasur.account_id, "en")
    info = approved(jasur, receiver, approver)
    Delivery.objects.filter(handler=MAKE_RESULT).delete()  # as before the letter handler existed
    drain()
    assert api.result_state(api.application_for_applicant(info.id, jasur.account_id)) == "pending"
    api.run_periodic()
    drain()
    assert api.result_state(api.application_for_applicant(info.id, jasur.account_id)) == "ready"
    assert letters_of(info) == 1
    assert told_ready(info) == 0  # no late message about an old decision
    api.run_periodic()
    assert OutboxEvent.objects.filter(type=app_events.RESULT_DUE).count() == 1


def test_a_letter_whose_delivery_died_is_made_and_the_applicant_told_once(
    jasur, receiver, approver, monkeypatch, settings
):
    identity.account_set_language(jasur.account_id, "en")
    settings.EVENTS_MAX_ATTEMPTS = 1
    monkeypatch.setattr(results, "letter_pdf", broken_pdf)
    info = approved(jasur, receiver, approver)
    drain()
    assert Delivery.objects.get(handler=MAKE_RESULT, event__payload__to_state="approved").status == "dead"
    assert told_ready(info) == 0
    monkeypatch.undo()  # fixed
    api.run_periodic()
    drain()
    assert (letters_of(info), told_ready(info)) == (1, 1)
    # The operator's later replay of the dead delivery makes nothing twice.
    assert replay() == 1
    drain()
    assert (letters_of(info), told_ready(info)) == (1, 1)


def test_pending_letters_are_left_to_their_delivery_and_few_are_asked_for_at_once(jasur, receiver, approver):
    on_its_way = approved(jasur, receiver, approver)
    old = [approved(jasur, receiver, approver) for _ in range(3)]
    Delivery.objects.filter(
        handler=MAKE_RESULT, event__payload__application_id__in=[info.id for info in old]
    ).delete()
    assert results.results_catch_up(batch=2) == 2
    assert results.results_catch_up(batch=2) == 0  # two are waiting already
    drain()
    assert results.results_catch_up(batch=2) == 1
    assert results.results_catch_up(batch=2) == 0
    drain()
    assert [letters_of(info) for info in (on_its_way, *old)] == [1, 1, 1, 1]
    asked = OutboxEvent.objects.filter(type=app_events.RESULT_DUE).values_list("payload__number", flat=True)
    assert sorted(asked) == sorted(info.number for info in old)


def test_a_letter_the_catch_up_could_not_make_is_left_to_an_operator(
    jasur, receiver, approver, monkeypatch, settings
):
    settings.EVENTS_MAX_ATTEMPTS = 1
    monkeypatch.setattr(results, "letter_pdf", broken_pdf)
    info = approved(jasur, receiver, approver)
    drain()  # the decision's delivery dies
    assert results.results_catch_up() == 1
    drain()  # and so does the catch-up's
    assert results.results_catch_up() == 0
    monkeypatch.undo()
    assert replay() == 2
    drain()
    assert letters_of(info) == 1


# --- Downloads ----------------------------------------------------------------------------------------


def test_the_applicant_downloads_the_letter_from_the_cabinet(client, jasur, receiver, approver):
    info = approved(jasur, receiver, approver)
    login(client, jasur)
    page = client.get(f"/cabinet/applications/{info.number}/").content.decode()
    assert "Qaror hujjati tayyorlanmoqda" in page  # uz, the default language
    assert client.get(f"/cabinet/applications/{info.number}/result/").status_code == 409
    drain()
    page = client.get(f"/cabinet/applications/{info.number}/").content.decode()
    assert f'href="/cabinet/applications/{info.number}/result/"' in page
    response = client.get(f"/cabinet/applications/{info.number}/result/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{info.number}.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert download(response).startswith(b"%PDF-")


def own_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if "catalog_revision" not in q["sql"]]


def test_the_detail_page_costs_the_same_queries_with_the_letter(client, jasur, receiver, approver):
    info = approved(jasur, receiver, approver)
    login(client, jasur)
    url = f"/cabinet/applications/{info.number}/"
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as pending:
        assert "Qaror hujjati tayyorlanmoqda" in client.get(url).content.decode()
    drain()
    with CaptureQueriesContext(connection) as ready:
        assert "Qaror hujjatini yuklab olish (PDF)" in client.get(url).content.decode()
    # The catalog checks its revision on a clock of its own: not the page's doing.
    assert len(own_queries(ready)) == len(own_queries(pending))


def test_other_citizens_and_other_agencies_get_not_found(
    client, jasur, sherzod, receiver, approver, other_agency
):
    info = approved(jasur, receiver, approver)
    drain()
    login(client, sherzod)
    assert client.get(f"/cabinet/applications/{info.number}/result/").status_code == 404
    assert client.get(f"{BASE}/{info.id}/result").status_code == 404
    login(client, other_agency, officer=True)
    assert client.get(f"/office/applications/{info.number}/result/").status_code == 404
    assert client.get(f"{BASE}/inbox/{info.id}/result").status_code == 404


def test_an_officer_in_scope_downloads_it_and_the_read_is_recorded(client, jasur, receiver, approver):
    info = approved(jasur, receiver, approver)
    drain()
    login(client, receiver, officer=True)
    page = client.get(f"/office/applications/{info.number}/").content.decode()
    assert f'href="/office/applications/{info.number}/result/"' in page
    before = AuditEntry.objects.count()
    response = client.get(f"/office/applications/{info.number}/result/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"].startswith("attachment;")
    assert AuditEntry.objects.count() == before + 1


def test_a_representative_of_the_entity_downloads_it_too(client, jasur, dilnoza, receiver, approver):
    entity = identity.entities_represented(jasur.person_id)[0]
    info = approved(jasur, receiver, approver, party_kind="entity", party_ref=entity.stir)
    drain()
    login(client, dilnoza)
    response = client.get(f"/cabinet/applications/{info.number}/result/")
    assert response.status_code == 200
    assert entity.name in pdf_text(download(response))


# --- API ----------------------------------------------------------------------------------------------


def test_the_api_reads_the_result_and_downloads_it(client, jasur, receiver, approver):
    info = approved(jasur, receiver, approver)
    login(client, jasur)
    body = client.get(f"{BASE}/{info.id}").json()
    assert body["result"] == {"state": "pending", "url": f"{BASE}/{info.id}/result"}
    early = client.get(f"{BASE}/{info.id}/result", headers={"Accept-Language": "en"})
    assert early.status_code == 409
    assert early.json()["detail"] == "The decision document is being prepared. Try again in a minute."
    drain()
    assert client.get(f"{BASE}/{info.id}").json()["result"]["state"] == "ready"
    response = client.get(f"{BASE}/{info.id}/result")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert info.number in pdf_text(download(response))


def test_the_api_says_when_there_is_no_result(client, jasur):
    info = submit(jasur).application
    login(client, jasur)
    assert client.get(f"{BASE}/{info.id}").json()["result"] is None
    response = client.get(f"{BASE}/{info.id}/result", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert response.json()["detail"] == "По этому заявлению нет документа с решением."
    assert client.get(f"{BASE}/not-a-uuid/result").status_code == 404


def test_an_officer_reads_it_through_the_inbox_api(client, jasur, receiver, approver):
    info = approved(jasur, receiver, approver)
    drain()
    login(client, receiver, officer=True)
    body = client.get(f"{BASE}/inbox/{info.id}").json()
    assert body["result"] == {"state": "ready", "url": f"{BASE}/inbox/{info.id}/result"}
    response = client.get(f"{BASE}/inbox/{info.id}/result")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")


def test_the_openapi_document_describes_the_result_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (f"{BASE}/{{application_id}}/result", f"{BASE}/inbox/{{application_id}}/result"):
        responses = paths[path]["get"]["responses"]
        assert "application/pdf" in responses["200"]["content"]
        assert {"404", "409"} <= set(responses)
