import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from darcha.modules.catalog import api as catalog
from darcha.modules.portal.shell import html_lang, nav_items

LANGS = {"uz": "uz", "uz-cyrl": "uz-Cyrl", "ru": "ru", "en": "en"}
HOME_HEADING = {
    "uz": "Davlat xizmatlari bitta darchada",
    "uz-cyrl": "Давлат хизматлари битта дарчада",
    "ru": "Государственные услуги в одном окне",
    "en": "Public services in one window",
}


def client_in(language: str) -> Client:
    client = Client()
    client.cookies["darcha_lang"] = language
    return client


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def test_html_lang_writes_the_script_subtag_in_title_case():
    assert [html_lang(code) for code in LANGS] == list(LANGS.values())


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGS)
def test_home_page_is_in_the_chosen_language(language):
    response = client_in(language).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{LANGS[language]}"' in html_tag(html)
    assert HOME_HEADING[language] in html


@pytest.mark.django_db
def test_every_page_has_one_search_box_the_language_switch_and_a_skip_link():
    html = Client().get("/accessibility/").content.decode()
    assert html.count('role="search"') == 1
    assert re.search(
        r'<form class="site-search" role="search" method="get" action="/services/search/">', html
    )
    assert 'name="q"' in html and 'for="site-search-q"' in html
    for code in LANGS:
        assert f'name="language" value="{code}"' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert 'href="/accessibility/"' in html


@pytest.mark.django_db
def test_search_box_placeholder_is_translated():
    html = client_in("ru").get("/").content.decode()
    assert 'placeholder="например, детский сад, паспорт, регистрация бизнеса"' in html


@pytest.mark.django_db
def test_anonymous_visitor_is_offered_sign_in_not_the_cabinet():
    html = Client().get("/").content.decode()
    assert 'href="/sign-in/"' in html
    assert 'href="/cabinet/"' not in html
    assert 'href="/office/"' not in html


@pytest.mark.django_db
def test_signed_in_person_gets_the_cabinet_link_and_their_name():
    account = get_user_model().objects.create_user("31505901234568", "a-long-password")
    client = Client()
    client.force_login(account)
    html = client.get("/").content.decode()
    assert 'href="/cabinet/"' in html
    assert 'href="/sign-in/"' not in html
    assert "31505901234568" in html  # no person record yet: the header names the account
    assert 'action="/sign-out/"' in html


class TestLanguageSwitch:
    @pytest.mark.django_db
    def test_switching_sets_the_cookie_and_returns_to_the_page(self):
        client = Client()
        response = client.post("/language/", {"language": "ru", "next": "/accessibility/?x=1"})
        assert response.status_code == 303
        assert response["Location"] == "/accessibility/?x=1"
        assert response.cookies["darcha_lang"].value == "ru"
        html = client.get("/accessibility/").content.decode()
        assert 'lang="ru"' in html_tag(html)
        assert "Настройки доступности" in html

    @pytest.mark.django_db
    def test_the_choice_is_remembered_by_a_new_visit_with_the_cookie(self):
        client = Client()
        client.post("/language/", {"language": "uz-cyrl", "next": "/"})
        later = Client()
        later.cookies["darcha_lang"] = client.cookies["darcha_lang"].value
        assert 'lang="uz-Cyrl"' in html_tag(later.get("/").content.decode())

    @pytest.mark.django_db
    def test_signed_in_account_keeps_its_language(self):
        account = get_user_model().objects.create_user("31505901234568", "a-long-password", language="uz")
        client = Client()
        client.force_login(account)
        response = client.post("/language/", {"language": "en", "next": "/"})
        assert response.status_code == 303
        account.refresh_from_db()
        assert account.language == "en"

    @pytest.mark.django_db
    @pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
    def test_only_local_addresses_are_followed(self, next_url):
        response = Client().post("/language/", {"language": "en", "next": next_url})
        assert response.status_code == 303
        assert response["Location"] == "/"

    @pytest.mark.django_db
    def test_an_unknown_language_is_refused_with_a_translated_message(self):
        client = client_in("ru")
        response = client.post("/language/", {"language": "de", "next": "/"})
        assert response.status_code == 400
        assert "Выберите один из предложенных на странице языков." in response.content.decode()
        assert "darcha_lang" not in response.cookies

    @pytest.mark.django_db
    def test_get_is_not_allowed(self):
        assert Client().get("/language/?language=ru").status_code == 405

    @pytest.mark.django_db
    def test_the_switch_is_protected_by_csrf(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/language/", {"language": "ru", "next": "/"})
        assert response.status_code == 403
        assert "darcha_lang" not in response.cookies


class TestAccessibility:
    @pytest.mark.django_db
    def test_toggles_are_kept_in_a_cookie_and_applied_to_html(self):
        client = client_in("en")
        response = client.post("/accessibility/", {"large_text": "on", "high_contrast": "on"})
        assert response.status_code == 303
        assert response["Location"] == "/accessibility/"
        assert response.cookies["darcha_a11y"].value == "large-text:high-contrast"
        page = client.get("/accessibility/").content.decode()
        assert 'class="a11y-high-contrast a11y-large-text"' in html_tag(page)
        assert re.search(r'name="large_text" id="id_large_text" checked', page)
        assert "Your display settings are saved." in page

    @pytest.mark.django_db
    def test_one_toggle_alone(self):
        client = Client()
        client.post("/accessibility/", {"high_contrast": "on"})
        assert 'class="a11y-high-contrast"' in html_tag(client.get("/").content.decode())

    @pytest.mark.django_db
    def test_clearing_both_removes_the_cookie(self):
        client = Client()
        client.post("/accessibility/", {"large_text": "on"})
        response = client.post("/accessibility/", {})
        assert response.cookies["darcha_a11y"].value == ""
        assert "class=" not in html_tag(client.get("/").content.decode())

    @pytest.mark.django_db
    def test_unknown_cookie_values_are_ignored(self):
        client = Client()
        client.cookies["darcha_a11y"] = "dark-mode:large-text:x"
        assert html_tag(client.get("/").content.decode()) == '<html lang="uz" class="a11y-large-text">'


@pytest.mark.django_db
def test_home_lists_life_situations_and_popular_services_from_the_catalog(full_catalog):
    situations = catalog.life_situations("ru")
    popular = catalog.popular_services("ru", limit=8)
    assert situations and len(popular) == 8
    html = client_in("ru").get("/").content.decode()
    for card in [*situations, *popular]:
        assert f'<a href="{card.url}">{escape(card.title)}</a>' in html
    assert escape(popular[0].summary) in html
    assert "Популярные услуги скоро появятся здесь." not in html


def test_navigation_depends_on_who_is_signed_in():
    def urls(**kwargs):
        return [item["url"] for item in nav_items("/office/inbox/", **kwargs)]

    assert urls(signed_in=False) == ["/services/", "/sign-in/"]
    assert urls(signed_in=True) == ["/services/", "/cabinet/"]
    assert urls(signed_in=True, is_officer=True) == ["/services/", "/cabinet/", "/office/"]
    assert urls(signed_in=None) == ["/services/"]
    current = [
        item["url"]
        for item in nav_items("/office/inbox/", signed_in=True, is_officer=True)
        if item["current"]
    ]
    assert current == ["/office/"]


@pytest.mark.django_db
def test_home_shows_the_catalog_sections_and_sign_in_links():
    html = client_in("en").get("/").content.decode()
    assert "Life situations" in html and "Popular services" in html
    assert 'href="/register/"' in html


@pytest.mark.django_db
def test_health_probes():
    assert Client().get("/healthz").status_code == 200
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}
    metrics = Client().get("/metrics")
    assert metrics.status_code == 200
    assert b"darcha_http_requests_total" in metrics.content


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles():
    html = client_in("en").get("/").content.decode()
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


class TestSharedHomePage:
    """Anonymous visitors get one rendering per language, display settings and catalog."""

    TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    @pytest.mark.django_db
    def test_each_visitor_gets_a_working_csrf_token_of_their_own(self):
        visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
        tokens = [self.TOKEN.search(visitor.get("/").content.decode()).group(1) for visitor in visitors]
        assert tokens[0] != tokens[1]
        for visitor, token in zip(visitors, tokens, strict=True):
            response = visitor.post(
                "/language/", {"language": "ru", "next": "/", "csrfmiddlewaretoken": token}
            )
            assert response.status_code == 303
        # Another visitor's token does not pass.
        stranger = Client(enforce_csrf_checks=True)
        stranger.get("/")
        assert (
            stranger.post("/language/", {"language": "ru", "csrfmiddlewaretoken": tokens[0]}).status_code
            == 403
        )

    @pytest.mark.django_db
    def test_the_second_visit_is_served_without_rendering_or_queries(self, django_assert_num_queries):
        first = client_in("en").get("/")
        with django_assert_num_queries(0):
            second = client_in("en").get("/")
        assert first.templates and not second.templates
        assert self.TOKEN.sub("", first.content.decode()) == self.TOKEN.sub("", second.content.decode())

    @pytest.mark.django_db
    def test_language_and_display_settings_are_not_mixed_up(self):
        client_in("en").get("/")
        assert HOME_HEADING["ru"] in client_in("ru").get("/").content.decode()
        contrast = client_in("en")
        contrast.cookies["darcha_a11y"] = "high-contrast"
        assert 'class="a11y-high-contrast"' in html_tag(contrast.get("/").content.decode())
        assert "class=" not in html_tag(client_in("en").get("/").content.decode())

    @pytest.mark.django_db
    def test_a_catalog_load_shows_at_once(self, full_catalog):
        situations = catalog.life_situations("en")
        assert situations
        assert situations[0].title in client_in("en").get("/").content.decode()

    @pytest.mark.django_db
    def test_signed_in_visitors_and_messages_get_their_own_page(self):
        client_in("en").get("/")
        user = get_user_model().objects.create_user(username="home-visitor", password="x" * 12)
        client = client_in("en")
        client.force_login(user)
        signed_in = client.get("/")
        assert signed_in.templates
        assert 'href="/cabinet/"' in signed_in.content.decode()
        assert 'href="/register/"' not in signed_in.content.decode()
        client.logout()
        # Settings saved: the notice is shown once, on a page rendered for this visitor.
        client.post("/accessibility/", {"large_text": "on"})
        notice = '<div role="status">'
        assert notice in client.get("/").content.decode()
        assert notice not in client.get("/").content.decode()
