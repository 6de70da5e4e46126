"""Catalog pages: lists most used first, the service page, search, versions, export."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from darcha.modules.catalog import api
from darcha.modules.catalog.tests.conftest import definition, write
from darcha.platform.money.api import bhm_on, format_money


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def service_links(html: str) -> list[str]:
    """Codes of the service cards on a page, in order."""
    return re.findall(r'<li class="card">\s*<h\d><a href="/services/([a-z0-9-]+)/">', html)


def test_the_catalog_front_page_shows_categories_situations_and_agencies(client, catalog):
    html = body(client.get("/services/"))
    assert "Education" in html and "Personal documents" in html
    assert "3 services" in html and "2 services" in html
    assert 'href="/services/life/child-born/"' in html
    assert 'href="/services/agency/maktabgacha/"' in html
    assert service_links(html)[:3] == ["kindergarten-placement", "id-card-issue", "school-enrollment"]


def test_a_category_lists_its_services_most_used_first(client, catalog):
    response = client.get("/services/category/education/")
    assert response.status_code == 200
    assert service_links(body(response)) == [
        "kindergarten-placement",
        "school-enrollment",
        "university-application",
    ]


def test_a_life_situation_lists_its_services_most_used_first(client, catalog):
    html = body(client.get("/services/life/child-born/"))
    assert "<h1>A child is born</h1>" in html
    assert service_links(html) == ["kindergarten-placement", "id-card-issue"]
    assert service_links(body(client.get("/services/life/lost-documents/"))) == [
        "id-card-issue",
        "foreign-passport",
    ]


def test_an_agency_lists_its_services_most_used_first(client, catalog):
    assert service_links(body(client.get("/services/agency/maktabgacha/"))) == [
        "kindergarten-placement",
        "school-enrollment",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/services/category/space/",
        "/services/life/winning-lottery/",
        "/services/agency/nasa/",
        "/services/no-such-service/",
        "/services/no-such-service/versions/",
        "/services/kindergarten-placement/versions/9/",
        "/services/Bad_Code/",
    ],
)
def test_unknown_things_are_not_found(client, catalog, url):
    assert client.get(url).status_code == 404


def test_the_service_page_answers_the_citizens_questions(client, catalog):
    html = body(client.get("/services/kindergarten-placement/"))
    assert "<h1>Referral to a state kindergarten</h1>" in html
    for text in [
        "What you get",
        "Referral",
        "Who may apply",
        "Individuals",
        "Birth certificate",
        'Disability certificate <span class="muted">(if applicable)</span>',
        "Free of charge",
        "Within 10 working days",
        "Online on the portal",
        "At a public service centre",
        "Resolution of the Cabinet of Ministers No. 802 of",
        "Version 1",
        "Fully online",
    ]:
        assert text in html, text
    assert 'href="/services/agency/maktabgacha/"' in html
    assert 'media="print"' in html
    apply = '<a class="btn btn-primary" href="/services/kindergarten-placement/apply/">Apply online</a>'
    assert apply in html


def test_an_informational_service_has_no_online_application(client, catalog):
    assert "Apply online" not in body(client.get("/services/id-card-issue/"))


def test_the_fee_is_shown_in_soum_for_todays_bhm_with_exemptions(catalog):
    html = body(Client(HTTP_ACCEPT_LANGUAGE="uz").get("/services/foreign-passport/"))
    today = timezone.localdate()
    bhm = bhm_on(today)
    full, reduced = bhm * Decimal("0.5"), bhm * Decimal("0.25")
    assert f"<strong>{format_money(full, 'uz')}</strong>" in html
    assert re.search(r"<strong>[0-9 ]+ so‘m</strong>", html)
    assert f"BHM {format_money(bhm, 'uz')}" in html
    assert "Nogironligi bo‘lgan shaxslar</th><td>Bepul" in html
    assert f"Kam ta’minlangan oilalar</th><td>{format_money(reduced, 'uz')}" in html


def test_a_fixed_fee_and_an_immediate_service(client, catalog):
    assert "<strong>20 000 so‘m</strong>" in body(
        Client(HTTP_ACCEPT_LANGUAGE="uz").get("/services/university-application/")
    )
    assert "<strong>UZS 20,000</strong>" in body(client.get("/services/university-application/"))
    html = body(client.get("/services/id-card-issue/"))
    assert "Immediately" in html and "Information only" in html


def test_the_service_page_shows_the_rating_once_there_is_one(client, catalog):
    assert "out of 5" not in body(client.get("/services/kindergarten-placement/"))
    api.rating_add("kindergarten-placement", 5)
    api.rating_add("kindergarten-placement", 4)
    assert "Rated 4.5 out of 5 by 2 applicants" in body(client.get("/services/kindergarten-placement/"))


def test_the_service_page_is_translated(catalog):
    html = body(Client(HTTP_ACCEPT_LANGUAGE="ru").get("/services/kindergarten-placement/"))
    assert "Получение направления в государственную дошкольную образовательную организацию" in html
    assert "Бесплатно" in html
    html = body(Client(HTTP_ACCEPT_LANGUAGE="uz-cyrl").get("/services/kindergarten-placement/"))
    assert "Давлат мактабгача таълим ташкилотига йўлланма олиш" in html


def test_versions_are_listed_and_an_old_version_can_be_read(client, catalog):
    write(catalog, definition(term_days=3))
    api.load_definitions(catalog)
    html = body(client.get("/services/kindergarten-placement/versions/"))
    assert 'href="/services/kindergarten-placement/versions/2/"' in html
    assert 'href="/services/kindergarten-placement/versions/1/"' in html
    assert "services/education/kindergarten-placement.yaml" in html
    old = body(client.get("/services/kindergarten-placement/versions/1/"))
    assert "You are reading version 1 of this service" in old
    assert "Within 10 working days" in old
    assert "Within 3 working days" in body(client.get("/services/kindergarten-placement/"))


def test_search_finds_services_in_any_script(client, catalog):
    for query in ["bogcha", "боғча", "детский сад", "Kindergarten"]:
        response = client.get("/services/search/", {"q": query})
        assert response.status_code == 200
        assert service_links(body(response))[0] == "kindergarten-placement", query


def test_a_search_that_names_nothing_is_a_helpful_page(client, catalog):
    write(
        catalog,
        definition(
            "official-request",
            category="justice",
            agency="adliya",
            popularity=10,
            life_situations=[],
            title={"uz": "Murojaat", "ru": "Обращение", "en": "Ask an agency"},
        ),
    )
    api.load_definitions(catalog)
    response = client.get("/services/search/", {"q": "xyzzy plugh"})
    html = body(response)
    assert response.status_code == 200
    assert "No service matches “xyzzy plugh”." in html
    assert 'href="/services/official-request/"' in html
    assert "Popular services" in html
    assert service_links(html)[0] == "kindergarten-placement"


def test_an_empty_search_shows_popular_services(client, catalog):
    html = body(client.get("/services/search/"))
    assert "Search services" in html and "No service matches" not in html
    assert service_links(html)[0] == "kindergarten-placement"


def test_a_search_text_that_is_too_long_is_refused_with_a_message(client, catalog):
    response = client.get("/services/search/", {"q": "a" * 201})
    assert response.status_code == 400
    assert "The search text is too long. Use at most 200 characters." in body(response)
    assert client.get("/services/suggest/", {"q": "a" * 201}).status_code == 400


def test_suggestions_are_json(client, catalog):
    data = client.get("/services/suggest/", {"q": "bog"}).json()
    assert data["suggestions"][0] == {
        "code": "kindergarten-placement",
        "title": "Referral to a state kindergarten",
        "url": "/services/kindergarten-placement/",
    }
    assert client.get("/services/suggest/").json() == {"query": "", "suggestions": []}


def test_the_json_export_holds_every_current_definition(client, catalog):
    response = client.get("/services/export.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(body(response))
    services = {s["code"]: s for s in data["services"]}
    assert sorted(services) == [
        "foreign-passport",
        "id-card-issue",
        "kindergarten-placement",
        "school-enrollment",
        "university-application",
    ]
    passport = services["foreign-passport"]
    assert passport["version"] == 1
    assert passport["fee"] == {
        "kind": "bhm",
        "multiple": "0.5",
        "exemptions": [
            {"category": "disabled-person", "multiple": "0"},
            {"category": "low-income-family", "multiple": "0.25"},
        ],
    }
    assert passport["url"] == "http://testserver/services/foreign-passport/"


def test_the_csv_export_has_one_row_per_service(client, catalog):
    response = client.get("/services/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert [r["code"] for r in rows] == [
        "foreign-passport",
        "id-card-issue",
        "kindergarten-placement",
        "school-enrollment",
        "university-application",
    ]
    passport = rows[0]
    assert passport["fee_kind"] == "bhm"
    assert passport["fee_bhm_multiple"] == "0.5"
    assert passport["fee_exemptions"] == "disabled-person=0;low-income-family=0.25"
    assert passport["title_uz_cyrl"] == "Хорижга чиқиш паспорти"
    assert rows[4]["fee_amount_tiyin"] == "2000000"
    assert rows[2]["documents"].startswith("birth-certificate;passport;child-medical-card?")


def test_operators_see_the_version_history_in_the_admin(admin_client, catalog):
    write(catalog, definition(term_days=3))
    api.load_definitions(catalog)
    listing = admin_client.get("/admin/catalog/service/")
    assert listing.status_code == 200
    assert "kindergarten-placement" in body(listing)
    link = re.search(
        r'href="(/admin/catalog/service/\d+/change/)[^"]*">kindergarten-placement', body(listing)
    )
    page = body(admin_client.get(link.group(1)))
    assert page.count("services/education/kindergarten-placement.yaml") == 2
    assert admin_client.get("/admin/catalog/service/add/").status_code == 403
