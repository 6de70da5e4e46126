"""While the database is unreachable the portal answers 503 with Retry-After, never 500."""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

UNAVAILABLE_HEADING = {
    "uz": "Portal qisqa vaqtga ishlamayapti",
    "uz-cyrl": "Портал қисқа вақтга ишламаяпти",
    "ru": "Портал ненадолго недоступен",
    "en": "The portal is briefly unavailable",
}


def refuse(*_args, **_kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def database_down(monkeypatch):
    """Every query fails as it does when PostgreSQL is stopped or restarting."""
    monkeypatch.setattr(connection, "ensure_connection", refuse)


def client_in(language: str) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["darcha_lang"] = language
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("language", list(UNAVAILABLE_HEADING))
def test_a_page_answers_503_with_retry_after_in_the_users_language(database_down, language):
    response = client_in(language).get("/services/")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert UNAVAILABLE_HEADING[language] in html
    assert html.count('role="search"') == 1
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_a_failure_inside_middleware_answers_503_too(database_down):
    # A session cookie makes the session and account middleware read the database
    # before any view runs.
    client = client_in("en")
    client.cookies["sessionid"] = "s" * 32
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


@pytest.mark.django_db
def test_the_api_answers_503_in_its_error_shape(database_down):
    response = client_in("ru").get("/api/v1/services")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "status": 503,
        "detail": "Сервис ненадолго недоступен. Повторите попытку через несколько секунд.",
        "errors": {},
    }


@pytest.mark.django_db
def test_a_dropped_connection_is_a_503_too(monkeypatch):
    def dropped(*_args, **_kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(connection, "ensure_connection", dropped)
    response = client_in("en").get("/services/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


@pytest.mark.django_db
def test_probes_while_the_database_is_down(database_down):
    client = client_in("en")
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "down"}


@pytest.mark.django_db
def test_other_failures_stay_500(monkeypatch):
    def broken(*_args, **_kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(connection, "ensure_connection", broken)
    response = client_in("en").get("/services/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_pages_answer_again_once_the_database_is_back(monkeypatch):
    client = client_in("en")
    with monkeypatch.context() as patch:
        patch.setattr(connection, "ensure_connection", refuse)
        assert client.get("/services/").status_code == 503
    assert client.get("/services/").status_code == 200
