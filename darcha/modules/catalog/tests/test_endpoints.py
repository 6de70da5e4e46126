"""/api/v1/services: filters, search, pagination, strict validation, translated errors."""

import pytest
from django.test import Client


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_the_list_holds_every_service_most_used_first(client, catalog):
    data = client.get("/api/v1/services").json()
    assert data["count"] == 5 and data["page"] == 1 and data["page_size"] == 20 and data["pages"] == 1
    assert [i["code"] for i in data["items"]] == [
        "kindergarten-placement",
        "id-card-issue",
        "school-enrollment",
        "foreign-passport",
        "university-application",
    ]
    item = data["items"][0]
    assert item["title"] == {
        "uz": "Davlat maktabgacha ta’lim tashkilotiga yo‘llanma olish",
        "uz_cyrl": "Давлат мактабгача таълим ташкилотига йўлланма олиш",
        "ru": "Получение направления в государственную дошкольную образовательную организацию",
        "en": "Referral to a state kindergarten",
    }
    assert item["version"] == 1 and item["score"] is None
    assert item["url"] == "http://testserver/services/kindergarten-placement/"
    assert item["api_url"] == "http://testserver/api/v1/services/kindergarten-placement"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=education", ["kindergarten-placement", "school-enrollment", "university-application"]),
        ("agency=iiv", ["id-card-issue", "foreign-passport"]),
        ("level=semi-automated", ["foreign-passport", "university-application"]),
        ("audience=foreigner", ["university-application"]),
        ("life_situation=lost-documents", ["id-card-issue", "foreign-passport"]),
        ("category=education&agency=maktabgacha&life_situation=going-to-school", ["school-enrollment"]),
        ("category=education&level=informational", []),
    ],
)
def test_filters(client, catalog, query, expected):
    assert codes(client.get(f"/api/v1/services?{query}")) == expected


def test_search_ranks_best_first_and_combines_with_filters(client, catalog):
    data = client.get("/api/v1/services", {"q": "боғча"}).json()
    assert data["items"][0]["code"] == "kindergarten-placement"
    scores = [i["score"] for i in data["items"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert codes(client.get("/api/v1/services", {"q": "passport", "category": "education"})) == []
    assert codes(client.get("/api/v1/services", {"q": "zagranpasport", "agency": "iiv"})) == [
        "foreign-passport"
    ]


def test_pagination(client, catalog):
    first = client.get("/api/v1/services", {"page_size": 2}).json()
    third = client.get("/api/v1/services", {"page_size": 2, "page": 3}).json()
    assert (first["count"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert [i["code"] for i in third["items"]] == ["university-application"]
    assert client.get("/api/v1/services", {"page_size": 2, "page": 4}).json()["items"] == []
    assert len(client.get("/api/v1/services", {"page_size": 100}).json()["items"]) == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"colour": "red", "sort": "x"},
            "Unknown query parameters: colour, sort. Allowed: agency, audience, category, "
            "lang, level, life_situation, page, page_size, q.",
        ),
        ({"page_size": 101}, "page_size may be at most 100."),
        ({"page_size": 0}, "page_size must be a whole number from 1 up."),
        ({"page": "two"}, "page must be a whole number from 1 up."),
        ({"page": -1}, "page must be a whole number from 1 up."),
        ({"level": "online"}, "Unknown value 'online' for the filter level."),
        ({"audience": "citizen"}, "Unknown value 'citizen' for the filter audience."),
        ({"category": "space"}, "Unknown value 'space' for the filter category."),
        ({"agency": "nasa"}, "Unknown value 'nasa' for the filter agency."),
        ({"life_situation": "lottery"}, "Unknown value 'lottery' for the filter life_situation."),
        ({"q": "x" * 201}, "The search text is too long. Use at most 200 characters."),
        ({"lang": "fr"}, "Unknown language 'fr': use uz, uz-cyrl, ru or en."),
    ],
)
def test_bad_input_is_refused_with_a_message(client, catalog, query, message):
    response = client.get("/api/v1/services", query)
    assert response.status_code == 400
    # The API's one error shape: the message, and the same keyed by the parameter it is about.
    assert response.json() == {"status": 400, "detail": message, "errors": {key: [message] for key in query}}


def test_error_messages_follow_the_language_asked_for(catalog):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    russian = client.get("/api/v1/services", {"page_size": 500, "lang": "ru"}).json()["detail"]
    assert russian == "page_size может быть не больше 100."
    uzbek = Client(HTTP_ACCEPT_LANGUAGE="uz").get("/api/v1/services/no-such-service").json()["detail"]
    assert uzbek == "'no-such-service' kodli xizmat yo‘q."


def test_one_service_with_its_definition_and_versions(client, catalog):
    data = client.get("/api/v1/services/foreign-passport").json()
    assert (data["code"], data["version"], data["is_active"]) == ("foreign-passport", 1, True)
    assert data["definition"]["fee"]["multiple"] == "0.5"
    assert data["definition"]["legal_basis"] == [
        {"type": "presidential-decree", "number": "PF-5409", "date": "2018-04-17"}
    ]
    assert [v["number"] for v in data["versions"]] == [1]
    assert data["versions"][0]["is_current"] is True
    assert data["versions"][0]["api_url"] == "http://testserver/api/v1/services/foreign-passport/versions/1"
    assert (
        client.get("/api/v1/services/foreign-passport/versions/1").json()["definition"] == data["definition"]
    )


@pytest.mark.parametrize("code", ["Foreign_Passport", "foreign--passport", "-x", "a" * 61])
def test_a_malformed_code_is_a_bad_request(client, catalog, code):
    response = client.get(f"/api/v1/services/{code}")
    assert response.status_code == 400
    assert "is not a valid service code" in response.json()["detail"]


def test_an_unknown_code_or_version_is_not_found(client, catalog):
    response = client.get("/api/v1/services/no-such-service")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "detail": "There is no service with the code 'no-such-service'.",
        "errors": {},
    }
    response = client.get("/api/v1/services/foreign-passport/versions/7")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "detail": "Service 'foreign-passport' has no version 7.",
        "errors": {},
    }


def test_the_operations_are_in_the_openapi_document(client, catalog):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/services",
        "/api/v1/services/{code}",
        "/api/v1/services/{code}/versions/{number}",
    } <= set(paths)
    names = {p["name"] for p in paths["/api/v1/services"]["get"]["parameters"]}
    assert names == {
        "category",
        "agency",
        "level",
        "audience",
        "life_situation",
        "q",
        "page",
        "page_size",
        "lang",
    }
