"""Arrival order and the kindergarten queue: first come (at the portal) first served."""

import shutil
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from darcha.modules.applications import api
from darcha.modules.applications.models import Application
from darcha.modules.applications.tests.conftest import DATA, REPO, login, submit, upload
from darcha.modules.catalog import api as catalog
from darcha.modules.forms import api as forms

pytestmark = pytest.mark.django_db

KINDERGARTEN = "kindergarten-placement"
CHILONZOR_KG = "1726294-12"
SAMPLE = {
    "child_pinfl": "61403220261171",
    "birth_certificate_number": "I-TN 1234567",
    "district": "1726294",
    "preferred_kindergarten": CHILONZOR_KG,
    "education_language": "uz",
    "stay_mode": "full-day",
    "desired_start_date": "2030-09-01",
    "parent_phone": "+998901234567",
}


@pytest.fixture(autouse=True)
def kindergarten_service(definitions_root, tmp_path):
    """The real kindergarten service and form next to the test ones."""
    services = tmp_path / "services"
    shutil.copytree(definitions_root / "services", services)
    shutil.copy(REPO / "services" / "education" / f"{KINDERGARTEN}.yaml", services / "education")
    catalog.load_definitions(services)
    form_files = tmp_path / "forms"
    shutil.copytree(DATA / "forms", form_files)
    shutil.copy(REPO / "forms" / f"{KINDERGARTEN}.yaml", form_files)
    forms.load_forms(form_files)


def body(who, **answers) -> dict:
    documents = {"birth-certificate": [upload(who, "birth-certificate")], "passport": [upload(who)]}
    data = {name: value for name, value in {**SAMPLE, **answers}.items() if value is not None}
    return {"service": KINDERGARTEN, "data": data, "documents": documents}


def post_application(client: Client, who, *, start: str | None = None, key: str | None = None, **answers):
    return send(client, body(who, **answers), start=start, key=key)


def send(client: Client, payload: dict, *, start: str | None, key: str | None = None):
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    if start is not None:
        headers["X-Request-Start"] = start
    return client.post("/api/v1/applications", payload, content_type="application/json", headers=headers)


def msec(moment: datetime) -> str:
    """As nginx writes $msec in X-Request-Start."""
    return f"t={moment.timestamp():.3f}"


@pytest.fixture
def client(jasur) -> Client:
    client = Client()
    login(client, jasur)
    return client


def arrival(number: str) -> datetime:
    return Application.objects.get(number=number).arrived_at


@override_settings(TRUSTED_PROXY_HEADERS=True)
def test_arrival_comes_from_the_trusted_proxy_and_a_retry_keeps_it(client, jasur):
    at_proxy = timezone.now().replace(microsecond=123000) - timedelta(seconds=30)
    key, payload = uuid.uuid4().hex, body(jasur)
    first = send(client, payload, start=msec(at_proxy), key=key)
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    assert arrival(number) == at_proxy

    retry = send(client, payload, start=msec(at_proxy + timedelta(seconds=20)), key=key)
    assert retry.status_code == 200
    assert retry.json()["number"] == number
    assert arrival(number) == at_proxy


def test_without_a_trusted_proxy_the_header_is_ignored(client, jasur):
    before = timezone.now()
    forged = post_application(client, jasur, start=msec(before - timedelta(days=1)))
    assert forged.status_code == 201
    assert before <= arrival(forged.json()["number"]) <= timezone.now()


@override_settings(TRUSTED_PROXY_HEADERS=True)
def test_a_malformed_or_implausible_proxy_moment_falls_back_to_the_servers(client, jasur):
    for header in ("t=abc", "t=1", "", "t=99999999999999999999"):
        before = timezone.now()
        response = post_application(client, jasur, start=header)
        assert response.status_code == 201
        assert before <= arrival(response.json()["number"]) <= timezone.now(), header


@override_settings(TRUSTED_PROXY_HEADERS=True)
def test_proxy_moments_in_milliseconds_and_microseconds_are_understood(client, jasur):
    moment = datetime(2026, 1, 1, tzinfo=UTC) + (timezone.now() - datetime(2026, 1, 1, tzinfo=UTC))
    moment = moment.replace(microsecond=250000)
    in_ms = post_application(client, jasur, start=f"t={int(moment.timestamp() * 1000)}")
    in_us = post_application(client, jasur, start=f"{int(moment.timestamp() * 1_000_000)}")
    assert arrival(in_ms.json()["number"]) == moment
    assert arrival(in_us.json()["number"]) == moment


@override_settings(TRUSTED_PROXY_HEADERS=True)
def test_the_queue_follows_arrival_not_insertion_and_ties_go_by_number(client, jasur):
    now = timezone.now().replace(microsecond=0) - timedelta(minutes=1)
    # Written in this order, but they arrived at the load balancer in another.
    late = post_application(client, jasur, start=msec(now + timedelta(seconds=3))).json()
    early = post_application(client, jasur, start=msec(now + timedelta(seconds=1))).json()
    tie_a = post_application(client, jasur, start=msec(now + timedelta(seconds=2))).json()
    tie_b = post_application(client, jasur, start=msec(now + timedelta(seconds=2))).json()
    # Other queues: another kindergarten of the district, and the district without a choice.
    for other in ("1726294-7", None):
        assert (
            post_application(client, jasur, start=msec(now), preferred_kindergarten=other).status_code == 201
        )
    withdrawn = post_application(client, jasur, start=msec(now)).json()
    api.withdraw(application_id=withdrawn["id"], account_id=jasur.account_id, expected_version=1)

    queue = api.kindergarten_queue("1726294", CHILONZOR_KG)
    assert [entry.number for entry in queue] == [
        early["number"],
        *sorted([tie_a["number"], tie_b["number"]]),
        late["number"],
    ]
    assert [entry.position for entry in queue] == [1, 2, 3, 4]
    assert queue[0].arrived_at == now + timedelta(seconds=1)
    assert len(api.kindergarten_queue("1726294")) == 1
    assert api.kindergarten_queue("1726266", CHILONZOR_KG) == []

    for entry in queue:
        info = api.application_by_number(entry.number, jasur.account_id)
        assert api.queue_position(info) == entry.position
    gone = api.application_by_number(withdrawn["number"], jasur.account_id)
    assert api.queue_position(gone) is None


def test_services_without_a_queue_have_no_position(jasur):
    info = submit(jasur).application
    assert api.queue_position(info) is None


PLACE_LABEL = {
    "uz": "Navbatdagi o‘rni",
    "uz-cyrl": "Навбатдаги ўрни",
    "ru": "Место в очереди",
    "en": "Place in the queue",
}


def test_the_applicant_sees_the_place_in_the_queue_in_each_language(client, jasur):
    first = post_application(client, jasur).json()
    second = post_application(client, jasur).json()
    for language, label in PLACE_LABEL.items():
        client.cookies["darcha_lang"] = language
        html = client.get(f"/cabinet/applications/{second['number']}/").content.decode()
        assert f"<dt>{label}</dt><dd>2</dd>" in html
    api.withdraw(application_id=first["id"], account_id=jasur.account_id, expected_version=1)
    html = client.get(f"/cabinet/applications/{second['number']}/").content.decode()
    assert f"<dt>{PLACE_LABEL['en']}</dt><dd>1</dd>" in html
    # A finished application waits in no queue.
    api.withdraw(application_id=second["id"], account_id=jasur.account_id, expected_version=1)
    assert PLACE_LABEL["en"] not in client.get(f"/cabinet/applications/{second['number']}/").content.decode()


def test_the_place_in_the_queue_costs_the_page_one_query(client, jasur, monkeypatch):
    number = post_application(client, jasur).json()["number"]
    client.get(f"/cabinet/applications/{number}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as with_place:
        assert client.get(f"/cabinet/applications/{number}/").status_code == 200
    monkeypatch.setattr(api, "queue_position", lambda application: None)
    with CaptureQueriesContext(connection) as without_place:
        assert client.get(f"/cabinet/applications/{number}/").status_code == 200
    assert len(with_place) == len(without_place) + 1


def test_the_queue_is_read_through_its_index(client, jasur):
    post_application(client, jasur)
    info = api.application_by_number(Application.objects.get().number, jasur.account_id)
    with CaptureQueriesContext(connection) as queries:
        api.kindergarten_queue("1726294", CHILONZOR_KG)
        api.queue_position(info)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            assert len(queries) == 2
        for query in queries:
            explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
            cursor.execute(f"{explain} {query['sql']}")
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "application_kg_queue_idx" in plan, plan
