import pytest
from django.test import Client, override_settings

URLS = "darcha.modules.portal.tests.urls"
ERROR_TEXT = {
    "/no-such-page/": (
        404,
        {
            "uz": "Sahifa topilmadi",
            "uz-cyrl": "Саҳифа топилмади",
            "ru": "Страница не найдена",
            "en": "Page not found",
        },
    ),
    "/test/bad-request/": (
        400,
        {
            "uz": "So‘rov tushunilmadi",
            "uz-cyrl": "Сўров тушунилмади",
            "ru": "Запрос не понят",
            "en": "The request was not understood",
        },
    ),
    "/test/forbidden/": (
        403,
        {
            "uz": "Sizda bu sahifaga kirish huquqi yo‘q",
            "uz-cyrl": "Сизда бу саҳифага кириш ҳуқуқи йўқ",
            "ru": "У вас нет доступа к этой странице",
            "en": "You do not have access to this page",
        },
    ),
}
SERVER_ERROR_TEXT = {
    "uz": "Bizning tomonimizda nimadir buzildi",
    "uz-cyrl": "Бизнинг томонимизда нимадир бузилди",
    "ru": "Что-то пошло не так на нашей стороне",
    "en": "Something went wrong on our side",
}


def client_in(language: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies["darcha_lang"] = language
    return client


@pytest.mark.urls(URLS)
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru", "en"])
@pytest.mark.parametrize("url", list(ERROR_TEXT))
def test_error_pages_answer_with_their_status_in_each_language(url, language):
    status, text = ERROR_TEXT[url]
    response = client_in(language).get(url)
    html = response.content.decode()
    assert response.status_code == status
    assert text[language] in html
    assert html.count('role="search"') == 1
    assert 'href="/"' in html


@pytest.mark.urls(URLS)
@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru", "en"])
def test_server_error_page_renders_without_the_database(language):
    # No django_db mark: any database access on the error path would raise here.
    response = client_in(language, raise_request_exception=False).get("/test/crash/")
    html = response.content.decode()
    assert response.status_code == 500
    assert SERVER_ERROR_TEXT[language] in html
    assert html.count('role="search"') == 1
    assert 'name="language" value="ru"' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.urls(URLS)
def test_api_errors_are_json():
    client = client_in("en", raise_request_exception=False)
    crashed = client.get("/api/v1/test/crash/")
    assert crashed.status_code == 500
    assert crashed.json() == {
        "status": 500,
        "detail": "Something went wrong on our side. Try again later.",
        "errors": {},
    }


@pytest.mark.urls(URLS)
def test_database_outage_is_a_503_with_a_retry_hint_not_a_500():
    # No django_db mark either: the 503 page and JSON are built without the database.
    client = client_in("en", raise_request_exception=False)
    page = client.get("/test/database-down/")
    assert page.status_code == 503
    assert page["Retry-After"]
    assert "The portal is briefly unavailable" in page.content.decode()
    assert client.get("/api/v1/test/database-down/").status_code == 503


@pytest.mark.django_db
def test_unknown_api_address_is_a_json_404_in_the_callers_language():
    response = client_in("ru").get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "detail": "По этому адресу ничего не найдено.", "errors": {}}


@pytest.mark.django_db
@override_settings(CSRF_FAILURE_VIEW="darcha.modules.portal.views.csrf_failure")
@pytest.mark.parametrize(
    ("language", "text"),
    [("uz", "Shakl muddati o‘tdi"), ("ru", "Срок действия формы истёк"), ("en", "The form has expired")],
)
def test_csrf_failure_is_explained(language, text):
    response = client_in(language, enforce_csrf_checks=True).post("/accessibility/", {"large_text": "on"})
    assert response.status_code == 403
    assert text in response.content.decode()
    assert "darcha_a11y" not in response.cookies
