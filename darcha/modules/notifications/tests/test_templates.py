import pytest

from darcha.modules.notifications import api, rendering, selectors, template_files
from darcha.modules.notifications.models import Channel, Template, TemplateText
from darcha.platform.text import to_cyrillic

pytestmark = pytest.mark.django_db

CODE = {"code": "482913"}


def test_the_shipped_templates_are_complete_and_render_in_four_languages():
    assert api.check_data() == []
    assert set(Template.objects.values_list("key", flat=True)) >= {
        "identity.sign_in_code",
        "identity.registered",
        "identity.new_sign_in",
        "identity.phone_changed",
        "applications.status_changed",
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("uz", "Darcha: kirish kodi 482913. Uni hech kimga aytmang."),
        ("ru", "Darcha: код для входа 482913. Никому его не сообщайте."),
        ("en", "Darcha: your sign-in code is 482913. Do not share it with anyone."),
    ],
)
def test_sms_renders_in_the_recipients_language(language, expected):
    assert selectors.render_message("identity.sign_in_code", Channel.SMS, language, CODE).body == expected


def test_missing_uzbek_cyrillic_text_is_transliterated_from_latin():
    assert not TemplateText.objects.filter(template__key="identity.sign_in_code", language="uz_cyrl").exists()
    body = selectors.render_message("identity.sign_in_code", Channel.SMS, "uz_cyrl", CODE).body
    assert body == to_cyrillic("Darcha: kirish kodi 482913. Uni hech kimga aytmang.")
    assert "кириш" in body
    assert "482913" in body


def test_transliteration_leaves_variables_markup_and_links_alone():
    context = {
        "number": "26-1726-000042",
        "service": "Tug‘ilishni qayd etish",
        "status": "Tayyor",
        "url": "https://darcha.example/cabinet/applications/26-1726-000042",
    }
    rendered = selectors.render_message("applications.status_changed", Channel.EMAIL, "uz_cyrl", context)
    assert '<a href="https://darcha.example/cabinet/applications/26-1726-000042">' in rendered.html
    assert "<strong>26-1726-000042</strong>" in rendered.html
    assert '<html lang="uz-Cyrl">' in rendered.html
    assert to_cyrillic("Hurmat bilan") in rendered.body
    # Variables keep the caller's values: the service name is not transliterated.
    assert "Tug‘ilishni qayd etish" in rendered.body
    assert rendered.subject == "26-1726-000042-" + to_cyrillic("son ariza") + ": Tayyor"


def test_an_uzbek_cyrillic_text_written_by_an_operator_wins_over_transliteration():
    template = Template.objects.get(key="identity.sign_in_code")
    TemplateText.objects.create(
        template=template,
        channel=Channel.SMS,
        language="uz_cyrl",
        body="Дарча коди: {{ code }}",
        customised=True,
    )
    assert (
        selectors.render_message("identity.sign_in_code", Channel.SMS, "uz_cyrl", CODE).body
        == "Дарча коди: 482913"
    )


def test_html_is_escaped_but_plain_texts_are_not():
    context = {
        "number": "1",
        "service": "<script>x</script> & Co",
        "status": "ok",
        "url": "https://d.example/",
    }
    rendered = selectors.render_message("applications.status_changed", Channel.EMAIL, "en", context)
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in rendered.html
    assert "<script>" not in rendered.html
    assert "<script>x</script> & Co" in rendered.body
    sms = selectors.render_message(
        "applications.status_changed", Channel.SMS, "en", {**context, "status": "A & B"}
    )
    assert sms.body == "Darcha: application 1 is now: A & B."


def test_a_variable_missing_from_the_context_is_an_error():
    with pytest.raises(api.RenderError, match="code"):
        selectors.render_message("identity.sign_in_code", Channel.SMS, "uz", {})


def test_templates_cannot_load_tag_libraries_or_include_files():
    with pytest.raises(api.RenderError):
        rendering.render("{% load static %}{% static 'x' %}", {}, language="en")
    with pytest.raises(api.RenderError):
        rendering.render('{% include "base.html" %}', {}, language="en")


@pytest.mark.parametrize(
    ("given", "key"), [("uz-cyrl", "uz_cyrl"), ("uz_Cyrl", "uz_cyrl"), ("RU", "ru"), ("en", "en")]
)
def test_portal_language_codes_and_data_keys_are_both_understood(given, key):
    assert rendering.language_key(given) == key


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        rendering.language_key("de")


def test_loading_twice_changes_nothing():
    before = list(TemplateText.objects.order_by("pk").values())
    api.load_templates()
    api.load_templates()
    assert list(TemplateText.objects.order_by("pk").values()) == before


def test_operator_edits_survive_loading_and_unedited_texts_return_to_the_file():
    edited = TemplateText.objects.get(template__key="identity.sign_in_code", channel="sms", language="ru")
    edited.body = "Код Darcha: {{ code }}"
    edited.customised = True
    edited.save()
    untouched = TemplateText.objects.get(template__key="identity.sign_in_code", channel="sms", language="en")
    untouched.body = "stale {{ code }}"
    untouched.save()

    api.load_templates()

    edited.refresh_from_db()
    untouched.refresh_from_db()
    assert edited.body == "Код Darcha: {{ code }}"
    assert untouched.body == "Darcha: your sign-in code is {{ code }}. Do not share it with anyone."


def test_check_data_reports_missing_languages_broken_texts_and_long_sms():
    TemplateText.objects.filter(template__key="identity.registered", channel="email", language="ru").delete()
    TemplateText.objects.filter(template__key="identity.new_sign_in", channel="in_app", language="en").update(
        body="{{ signed_in_when }}"
    )
    TemplateText.objects.filter(template__key="identity.registered", channel="sms", language="en").update(
        body="x" * 200
    )
    TemplateText.objects.filter(template__key="identity.sign_in_code", channel="sms", language="en").update(
        body="Call 1234 for help. Code {{ code }}"
    )

    problems = api.check_data()

    assert any("identity.registered, email, ru: missing subject, body, html" in p for p in problems)
    assert any(
        "identity.new_sign_in, in_app, en: does not render" in p and "signed_in_when" in p for p in problems
    )
    assert any("identity.registered, sms, en: 200 GSM-7 characters make 2 SMS parts" in p for p in problems)
    assert any("identity.sign_in_code, sms, en: the code must be the only run" in p for p in problems)
    assert len(problems) == 4


def test_a_broken_template_file_is_reported_and_not_loaded(tmp_path, monkeypatch):
    (tmp_path / "identity.registered.yaml").write_text(
        "key: identity.registered\nsample_context: {}\nsms:\n  text:\n    uz: Salom\n    en: Hello\n"
    )
    (tmp_path / "misnamed.yaml").write_text(
        "key: identity.other\nsample_context: {}\nsms:\n  text: {uz: a, ru: b, en: c}\n"
    )
    monkeypatch.setattr(template_files, "DATA_DIR", tmp_path)

    problems = api.check_data()

    assert "notifications: identity.registered.yaml: sms/text: 'ru' is a required property" in problems
    assert "notifications: misnamed.yaml: the file must be named after its key identity.other.yaml" in (
        problems
    )
    with pytest.raises(template_files.TemplateFileError):
        api.load_templates()
    # Loading stops at the first bad file and changes nothing.
    assert (
        TemplateText.objects.filter(template__key="identity.registered", channel="sms", language="ru").count()
        == 1
    )
