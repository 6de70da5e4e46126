"""Service centres and statistics through Django's test client: the operator's visit from
the PINFL to the printed receipt, and the heads' quarterly table with its CSV."""

import csv
import io
import re
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from darcha.modules.applications import api
from darcha.modules.applications.tests.conftest import demo, login, png_upload, submit
from darcha.modules.identity import api as identity
from darcha.modules.notifications import api as notifications
from darcha.platform.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CENTRE = "/office/centre/"


@pytest.fixture
def client(client):
    client.cookies["darcha_lang"] = "en"
    return client


@pytest.fixture
def visitor():
    return demo("Karimova Dilnoza")


def pinfl_of(who) -> str:
    return identity.person(who.person_id).pinfl


def phone_of(who) -> str:
    return identity.contact_for(who.account_id).phone


def identify(client, visitor) -> None:
    assert client.post(CENTRE, {"pinfl": pinfl_of(visitor)}).status_code == 303


def consent(client, visitor) -> None:
    identify(client, visitor)
    code = notifications.latest_code_for(phone_of(visitor))
    assert client.post(CENTRE + "consent/", {"code": code}).status_code == 303


def test_the_centre_is_for_operators(client, receiver, operator):
    login(client, receiver, officer=True)
    assert client.get(CENTRE).status_code == 403
    login(client, operator, officer=True)
    assert client.get(CENTRE).status_code == 200


def test_finding_the_visitor_sends_a_consent_code_and_is_audited(client, operator, visitor):
    login(client, operator, officer=True)
    unknown = client.post(CENTRE, {"pinfl": "31505901234568"})
    assert unknown.status_code == 404 and "No person with this PINFL" in unknown.content.decode()
    bad = client.post(CENTRE, {"pinfl": "123"})
    assert bad.status_code == 422 and "error-summary" in bad.content.decode()
    identify(client, visitor)
    assert re.fullmatch(r"[0-9]{6}", notifications.latest_code_for(phone_of(visitor)))
    assert AuditEntry.objects.filter(
        action="personal_data_read", subject=visitor.person_id, purpose="service_centre_visit"
    ).exists()
    page = client.get(CENTRE + "consent/").content.decode()
    assert phone_of(visitor) not in page and phone_of(visitor)[-2:] in page  # only a hint of the number


def test_a_visitor_without_a_confirmed_phone_is_asked_for_one(client, operator, visitor, monkeypatch):
    monkeypatch.setattr(identity, "contact_for", lambda account_id: None)
    login(client, operator, officer=True)
    response = client.post(CENTRE, {"pinfl": pinfl_of(visitor)})
    assert response.status_code == 422 and "has no portal account" in response.content.decode()
    assert client.post(CENTRE, {"pinfl": pinfl_of(visitor), "phone": "+998 90 765 43 21"}).status_code == 303
    assert notifications.latest_code_for("+998907654321")


def test_a_wrong_code_is_refused_and_the_tries_are_counted(client, operator, visitor, settings):
    login(client, operator, officer=True)
    identify(client, visitor)
    right = notifications.latest_code_for(phone_of(visitor))
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(settings.OTP_MAX_ATTEMPTS):
        response = client.post(CENTRE + "consent/", {"code": wrong})
        assert response.status_code == 422 and "The code is wrong" in response.content.decode()
    assert client.post(CENTRE + "consent/", {"code": right}).status_code == 429
    assert client.get(CENTRE + "services/").status_code == 303  # no consent, no forms


def test_an_expired_code_is_refused(client, operator, visitor, settings):
    login(client, operator, officer=True)
    identify(client, visitor)
    code = notifications.latest_code_for(phone_of(visitor))
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.OTP_TTL_SECONDS + 5)):
        response = client.post(CENTRE + "consent/", {"code": code})
    assert response.status_code == 409 and "The code has expired" in response.content.decode()


def test_without_consent_the_form_is_not_offered(client, operator, visitor):
    login(client, operator, officer=True)
    identify(client, visitor)
    response = client.get(CENTRE + "apply/test-permit/")
    assert response.status_code == 303 and response["Location"] == CENTRE


def test_the_operator_applies_for_the_visitor_and_prints_the_receipt(client, operator, visitor):
    login(client, operator, officer=True)
    consent(client, visitor)
    assert AuditEntry.objects.filter(action="visitor_consent", subject=visitor.person_id).exists()
    services = client.get(CENTRE + "services/", {"q": "kindergarten"}).content.decode()
    assert "/office/centre/apply/test-permit/" in services
    form = client.get(CENTRE + "apply/test-permit/").content.decode()
    assert "on behalf of" in form and 'value="save"' not in form
    scan = SimpleUploadedFile("scan.png", png_upload().read(), content_type="image/png")
    response = client.post(
        CENTRE + "apply/test-permit/",
        {
            "purpose": "work",
            "copies": "1",
            "party": f"visitor:{visitor.person_id}",
            "intent": "submit",
            "idempotency_key": uuid.uuid4().hex,
            "document-passport": scan,
        },
    )
    assert response.status_code == 303
    number = re.search(r"receipt/([0-9-]+)/", response["Location"])[1]
    info = api.application_by_number(number, visitor.account_id)  # in the visitor's own cabinet too
    assert (info.channel, info.centre_code, info.party_kind) == ("centre", "dxm-chilonzor", "visitor")
    receipt = client.get(response["Location"]).content.decode()
    assert info.tracking_code in receipt and number in receipt
    assert 'src="data:image/svg+xml' in receipt  # the QR code, inline
    assert "receipt-a4.css" in receipt
    assert "receipt-a5.css" in client.get(response["Location"] + "?paper=a5").content.decode()


def test_the_centres_service_list_reads_the_services_at_once(client, operator, visitor):
    login(client, operator, officer=True)
    consent(client, visitor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(CENTRE + "services/").content.decode()
    offered = set(re.findall(r'/office/centre/apply/([a-z0-9-]+)/"', page))
    assert len(offered) >= 2 and "test-permit" in offered
    # The search index is read once per catalog revision; the lookups by code are the page's own.
    by_code = [q["sql"] for q in queries.captured_queries if 'WHERE ("catalog_service"."code"' in q["sql"]]
    assert len(by_code) == 1, by_code


def test_a_receipt_of_another_centre_is_not_found(client, jasur, operator):
    online = submit(jasur).application
    login(client, operator, officer=True)
    assert client.get(f"{CENTRE}receipt/{online.number}/").status_code == 404


def test_finishing_the_visit_forgets_the_visitor(client, operator, visitor):
    login(client, operator, officer=True)
    consent(client, visitor)
    assert client.post(CENTRE + "finish/").status_code == 303
    assert client.get(CENTRE + "services/")["Location"] == CENTRE


# --- Statistics ------------------------------------------------------------------------------------


def test_statistics_are_for_heads_and_auditors(client, receiver, head):
    login(client, receiver, officer=True)
    assert client.get("/office/statistics/").status_code == 403
    login(client, head, officer=True)
    assert client.get("/office/statistics/").status_code == 200


@time_machine.travel(date(2026, 5, 12), tick=False)
def test_the_quarterly_table_and_its_csv(client, jasur, sherzod, head, receiver):
    submit(jasur)
    submit(jasur)
    submit(sherzod)
    login(client, head, officer=True)
    html = client.get("/office/statistics/", {"group": "region", "period": "2026-Q2"}).content.decode()
    assert "Tashkent City" in html and "Samarkand Region" in html
    assert re.search(r"Total</th><td>3</td>", html)
    earlier = client.get("/office/statistics/", {"group": "region", "period": "2026-Q1"}).content.decode()
    assert "No applications were submitted in this quarter." in earlier
    response = client.get("/office/statistics/", {"group": "region", "period": "2026-Q2", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Region", "Code", "Received"]
    assert {row[1]: row[2] for row in rows[1:]} == {"1726": "2", "1718": "1"}
    channels = client.get("/office/statistics/", {"group": "channel", "period": "2026-Q2"}).content.decode()
    assert "online" in channels


def test_a_wrong_quarter_or_grouping_is_refused(client, head):
    login(client, head, officer=True)
    assert client.get("/office/statistics/", {"period": "1999-Q9"}).status_code == 422
    assert client.get("/office/statistics/", {"group": "colour"}).status_code == 422
